using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>The saved form of a fitted model: ML.NET's own ONNX transformer, then first-party post-processing (a
/// column copy where an output replaces the input column, a variant's own steps such as mapping cluster ids to a key
/// type), so <c>mlContext.Model.Load</c> needs neither TorchSharp nor this library.</summary>
internal static class FirstPartyChain
{
    public static EstimatorChain<ITransformer> Estimator(TransformsCatalog catalog, ModelState state)
    {
        var input = state.Options.InputColumnName;
        // ML.NET keeps the batch dimension in the column types: a code is Vector<Single, 1, k>, the per-row error
        // Vector<Single, 1>. The batched scorer takes the same types, so a reloaded chain has the same schema.
        var steps = new List<IEstimator<ITransformer>> { catalog.ApplyOnnxModel(GraphNames(state), new[] { input }, new MemoryStream(state.Onnx)) };
        var renamed = state.Outputs.Select(o => o.Name).Where(n => OnnxNames.Of(n, input) != n).ToArray();
        steps.AddRange(renamed.Select(name => catalog.CopyColumns(name, OnnxNames.Of(name, input))));
        if (renamed.Length > 0)
            steps.Add(catalog.DropColumns(renamed.Select(n => OnnxNames.Of(n, input)).ToArray()));
        steps.AddRange(state.Options.CreateVariant().PostProcessing(catalog, state));
        return steps.Aggregate(new EstimatorChain<ITransformer>(), (chain, step) => chain.Append(step));
    }

    /// <summary>The graph's output names, one per output column.</summary>
    public static string[] GraphNames(ModelState state) => state.Outputs.Select(o => OnnxNames.Of(o.Name, state.Options.InputColumnName)).ToArray();

    public static TransformerChain<ITransformer> Fit(TransformsCatalog catalog, ModelState state)
        => Estimator(catalog, state).Fit(EmptyInput(state.Options.InputColumnName, state.InputSize));

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
            try
            {
                return ModelState.FromOnnx(bytes);
            }
            catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException) { }
        }
        throw new InvalidDataException("The file holds no model of Microsoft.ML.Autoencoders (no ONNX model with its metadata was found).");
    }
}
