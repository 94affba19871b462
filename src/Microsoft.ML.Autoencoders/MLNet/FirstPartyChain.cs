using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The saved form of a fitted model: ML.NET's own ONNX transformer, then first-party steps that rename the
/// graph outputs that cannot carry their column's name (one that replaces the input column; key columns, whose ids
/// ValueToKey maps to keys), so <c>mlContext.Model.Load</c> needs neither TorchSharp nor this library.</summary>
internal static class FirstPartyChain
{
    /// <summary>The saved chain, fitted, with the file its ONNX transformer reads the graph from. ML.NET's ONNX
    /// transformer keeps a graph given as a stream in a temp file it never deletes, so the chain reads a file of ours,
    /// which <see cref="Saved.Dispose"/> deletes with the chain's session.</summary>
    public static Saved Fit(TransformsCatalog catalog, ModelState state)
    {
        var file = Path.Combine(Path.GetTempPath(), $"autoencoder-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(file, state.Onnx);
        try
        {
            var onnx = catalog.ApplyOnnxModel(state.GraphNames, new[] { state.Options.InputColumnName }, file);
            return new Saved(Renaming(catalog, state).Prepend(onnx).Aggregate(new EstimatorChain<ITransformer>(), (chain, step) => chain.Append(step))
                .Fit(EmptyInput(state.Options.InputColumnName, state.InputSize)), file);
        }
        catch
        {
            File.Delete(file);
            throw;
        }
    }

    /// <summary>A fitted saved chain and the graph file it reads.</summary>
    public sealed class Saved(TransformerChain<ITransformer> chain, string file) : IDisposable
    {
        public ITransformer Chain => chain;

        public void Dispose()
        {
            foreach (var step in chain) (step as IDisposable)?.Dispose();
            File.Delete(file);
        }
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

    /// <summary>The state of the autoencoder inside a file written by <c>mlContext.Model.Save</c> (ML.NET's ONNX
    /// transformer stores its graph in an entry named "OnnxModel" as a 32-bit length and the bytes). A file with several
    /// autoencoders needs <paramref name="outputColumnName"/> to say which; the error names them.</summary>
    public static ModelState ReadState(Stream savedModel, string? outputColumnName = null)
    {
        try
        {
            return ReadStates(savedModel, outputColumnName);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
            && (e is not IOException || e is Google.Protobuf.InvalidProtocolBufferException))
        {
            // Whatever a malformed file makes the zip, protobuf or JSON readers throw, the caller learns it is the file;
            // faults of the stream itself (closed, unreadable, I/O) stay what they are.
            throw new InvalidDataException($"The file is not a readable model: {e.Message}", e);
        }
    }

    private static ModelState ReadStates(Stream savedModel, string? outputColumnName)
    {
        using var zip = new System.IO.Compression.ZipArchive(savedModel, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
        var states = new List<ModelState>();
        foreach (var entry in zip.Entries.Where(e => e.Name == "OnnxModel"))
        {
            // Sizes in a zip are the file's claims: the entry's length prefix is checked against a bound of the
            // compressed size (deflate stays far below 1000:1 on an ONNX graph) before anything is allocated for it.
            using var stream = entry.Open();
            var prefix = new byte[4];
            int length = stream.ReadAtLeast(prefix, 4, throwOnEndOfStream: false) == 4 ? BitConverter.ToInt32(prefix) : -1;
            long bound = Math.Min(int.MaxValue, 1000 * entry.CompressedLength + (1 << 20));
            if (length < 0 || length > bound)
                throw new InvalidDataException($"The file's entry '{entry.FullName}' claims {length} bytes, beyond what its {entry.CompressedLength} compressed bytes can hold.");
            // Memory follows the bytes actually there, not the claim.
            using var content = new MemoryStream();
            var chunk = new byte[1 << 16];
            for (int read; content.Length < length && (read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - content.Length))) > 0;)
                content.Write(chunk, 0, read);
            if (content.Length != length)
                throw new InvalidDataException($"The file's entry '{entry.FullName}' claims {length} bytes but holds fewer.");
            var bytes = content.ToArray();
            if (ModelState.IsOurs(bytes)) states.Add(ModelState.FromOnnx(bytes));
        }
        var names = string.Join(", ", states.Select(s => $"'{s.Options.OutputColumnName}'"));
        if (outputColumnName is not null)
            return states.SingleOrDefault(s => s.Options.OutputColumnName == outputColumnName)
                ?? throw new InvalidDataException($"The file holds no autoencoder with output column '{outputColumnName}'; it holds {(states.Count == 0 ? "none" : names)}.");
        return states.Count switch
        {
            0 => throw new InvalidDataException("The file holds no model of Microsoft.ML.Autoencoders (no ONNX model with its metadata was found)."),
            1 => states[0],
            _ => throw new InvalidDataException($"The file holds {states.Count} autoencoders, with output columns {names}; say which by its output column name."),
        };
    }
}
