using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The saved form of a fitted model: ML.NET's own ONNX transformer, then first-party steps that rename the
/// graph outputs that cannot carry their column's name (one that replaces the input column; key columns, whose ids
/// ValueToKey maps to keys), so <c>mlContext.Model.Load</c> needs neither TorchSharp nor this library.</summary>
internal static class FirstPartyChain
{
    /// <summary>The saved chain, fitted: it opens its own ONNX Runtime session and, as ML.NET does for a graph from a
    /// stream, a temp file that disposing it deletes.</summary>
    public static TransformerChain<ITransformer> Fit(TransformsCatalog catalog, ModelState state)
    {
        var onnx = catalog.ApplyOnnxModel(state.GraphNames, new[] { state.Options.InputColumnName }, new MemoryStream(state.Onnx));
        return Renaming(catalog, state).Prepend(onnx).Aggregate(new EstimatorChain<ITransformer>(), (chain, step) => chain.Append(step))
            .Fit(EmptyInput(state.Options.InputColumnName, state.InputSize));
    }

    /// <summary>The steps after the ONNX transformer, fitted on the scored view's schema (no ONNX Runtime involved).</summary>
    public static ITransformer PostProcessing(TransformsCatalog catalog, ModelState state)
        => Renaming(catalog, state).Aggregate(new EstimatorChain<ITransformer>(), (chain, step) => chain.Append(step))
            .Fit(new ScoredDataView(EmptyInput(state.Options.InputColumnName, state.InputSize), state, () => throw new InvalidOperationException("Fitting reads no rows.")));

    /// <summary>The graph outputs renamed to their columns: copied, or mapped to keys, then dropped.</summary>
    private static IEnumerable<IEstimator<ITransformer>> Renaming(TransformsCatalog catalog, ModelState state)
    {
        var input = state.Options.InputColumnName;
        var renamed = state.Outputs.Where(o => GraphName(o, input) != o.Name).ToArray();
        foreach (var column in renamed)
            yield return column.Type == OutputType.Key
                ? catalog.Conversion.MapValueToKey(column.Name, GraphName(column, input), keyData: KeyIds(column.KeyCount))
                : catalog.CopyColumns(column.Name, GraphName(column, input));
        if (renamed.Length > 0) yield return catalog.DropColumns(renamed.Select(o => GraphName(o, input)).ToArray());
    }

    private static string GraphName(OutputColumn column, string input) => OnnxNames.Of(column, input);

    private sealed class KeyRow
    {
        public float Id;
    }

    /// <summary>Ids 1..count as the key values; 0 (none) becomes the missing key.</summary>
    private static IDataView KeyIds(int count) => new MLContext().Data.LoadFromEnumerable(Enumerable.Range(1, Math.Max(1, count)).Select(i => new KeyRow { Id = i }));

    private sealed class InputRow
    {
        public float[] Features = Array.Empty<float>();
    }

    /// <summary>No rows, one column: the ONNX transformer reads nothing at fit time but the schema.</summary>
    private static IDataView EmptyInput(string column, int size)
    {
        var definition = SchemaDefinition.Create(typeof(InputRow));
        definition[0].ColumnName = column;
        definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return new MLContext().Data.LoadFromEnumerable(Array.Empty<InputRow>(), definition);
    }

    /// <summary>The model state inside a file written by <c>mlContext.Model.Save</c>: ML.NET's ONNX transformer stores
    /// the graph in an entry named "OnnxModel" as a 32-bit length and the bytes.</summary>
    public static ModelState ReadState(Stream savedModel)
    {
        using var zip = new System.IO.Compression.ZipArchive(savedModel, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in zip.Entries.Where(e => e.Name == "OnnxModel"))
        {
            using var reader = new BinaryReader(entry.Open());
            var bytes = reader.ReadBytes(reader.ReadInt32());
            if (ModelState.IsOurs(bytes)) return ModelState.FromOnnx(bytes);
        }
        throw new InvalidDataException("The file holds no model of Microsoft.ML.Autoencoders (no ONNX model with its metadata was found).");
    }
}
