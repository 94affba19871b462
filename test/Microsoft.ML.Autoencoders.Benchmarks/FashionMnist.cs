using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

public sealed class ImageRow
{
    public float[] Features = Array.Empty<float>();
    public uint Label;
}

/// <summary>Fashion-MNIST from ../shared/data/fashion-mnist or Debian's dataset-fashion-mnist (idx format).</summary>
public static class FashionMnist
{
    private static readonly string[] Folders =
    {
        Path.Combine(AppContext.BaseDirectory, "../../../../../../shared/data/fashion-mnist"),
        "../shared/data/fashion-mnist",
        "/usr/share/datasets/fashion-mnist",
    };

    /// <summary>The folder holding the idx files.</summary>
    public static string Folder() => Path.GetFullPath(Folders.FirstOrDefault(f => File.Exists(Path.Combine(f, "t10k-labels-idx1-ubyte.gz")))
        ?? throw new FileNotFoundException("Fashion-MNIST not found; looked in " + string.Join(", ", Folders) + " (apt-get install dataset-fashion-mnist)."));

    public static ImageRow[] Load(bool train)
    {
        var folder = Folder();
        var prefix = train ? "train" : "t10k";
        var images = Read(Path.Combine(folder, $"{prefix}-images-idx3-ubyte.gz"), 0x803, out int count, out int pixels);
        var labels = Read(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte.gz"), 0x801, out _, out _);
        return Enumerable.Range(0, count).Select(i => new ImageRow
        {
            Features = images.AsSpan(i * pixels, pixels).ToArray().Select(b => b / 255f).ToArray(),
            Label = labels[i],
        }).ToArray();
    }

    private static byte[] Read(string path, int magic, out int count, out int itemSize)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        if (BinaryPrimitives.ReadInt32BigEndian(bytes) != magic) throw new InvalidDataException($"{path}: bad magic number.");
        count = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int dims = magic & 0xFF;
        itemSize = 1;
        for (int d = 1; d < dims; d++) itemSize *= BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * d));
        return bytes[(4 + 4 * dims)..];
    }

    public static IDataView ToDataView(MLContext ml, IEnumerable<ImageRow> rows, int size = 784)
    {
        var definition = SchemaDefinition.Create(typeof(ImageRow));
        definition[nameof(ImageRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}
