using System.Globalization;
using System.IO.Compression;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Samples;

public sealed class ImageRow
{
    public float[] Features = Array.Empty<float>();
    public uint Label;
}

/// <summary>The data sets the samples use.</summary>
public static class Data
{
    /// <summary>The UCI digits shipped in the repository (data/digits), pixels scaled to [0, 1].</summary>
    public static ImageRow[] Digits()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "digits", "digits.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var rows = new List<ImageRow>();
        while (reader.ReadLine() is { } line)
        {
            var v = line.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            rows.Add(new ImageRow { Features = v[..64].Select(p => p / 16f).ToArray(), Label = (uint)v[64] });
        }
        return rows.ToArray();
    }

    /// <summary>Rows as a data view with a known-size "Features" vector column.</summary>
    public static IDataView ToDataView(MLContext ml, IEnumerable<ImageRow> rows, int size)
    {
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>A vector column's values, one array per row.</summary>
    public static float[][] Column(IDataView data, string name) => data.GetColumn<float[]>(name).ToArray();

    /// <summary>A scalar Single column (an error, a score).</summary>
    public static float[] Scalar(IDataView data, string name) => data.GetColumn<float>(name).ToArray();
}
