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
            var input = EmptyInput(state.Options.InputColumnName, state.InputSize);
            var onnx = catalog.ApplyOnnxModel(state.GraphNames, new[] { state.Options.InputColumnName }, file).Fit(input);
            return new Saved(new TransformerChain<ITransformer>(PostProcessing(catalog, state, onnx.Transform(input)).Prepend(onnx).ToArray()), file);
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
    public static TransformerChain<ITransformer> PostProcessing(TransformsCatalog catalog, ModelState state)
        => PostProcessing(catalog, state, new ScoredDataView(EmptyInput(state.Options.InputColumnName, state.InputSize), state, () => throw new InvalidOperationException("Fitting reads no rows.")));

    /// <summary>The column ML.NET's predictors write; the scalar route passes through it.</summary>
    public const string ScoreColumn = OnnxNames.ScoreColumn;

    /// <summary>The column an anomaly detector's threshold writes.</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    /// <summary>An input column the post-processing removes: the <see cref="ScoreColumn"/> it writes scalars through,
    /// when no output keeps that name.</summary>
    public static string? Removes(IReadOnlyList<OutputColumn> outputs)
        => outputs.Any(o => o.IsMLNetScalar) && outputs.All(o => o.Name != ScoreColumn) ? ScoreColumn : null;

    /// <summary>The graph outputs made into their columns, each step fitted on the previous one's schema:
    /// <list type="bullet">
    /// <item>a one-value Single or key column goes through a linear regressor that is exactly the identity (weight 1,
    /// bias 0) into the scalar <see cref="ScoreColumn"/>, then is copied or mapped to keys from there: ML.NET has no
    /// first-party vector-to-scalar transform, and its predictors are the one first-party step that reads a vector and
    /// writes a scalar (docs/conventions.md#column-types);</item>
    /// <item>with an anomaly threshold, the score goes through a binary classifier that is the same identity, with the
    /// threshold as its decision threshold, which adds the Boolean <see cref="PredictedLabelColumn"/>;</item>
    /// <item>outputs under internal graph names are copied or mapped to keys; the scratch columns are dropped, each
    /// before a column of its name would hide it (ML.NET drops by name, so a hidden column cannot be dropped alone).</item>
    /// </list></summary>
    private static TransformerChain<ITransformer> PostProcessing(TransformsCatalog catalog, ModelState state, IDataView scored)
    {
        var input = state.Options.InputColumnName;
        var chain = new TransformerChain<ITransformer>();
        void Add(ITransformer step)
        {
            chain = chain.Append(step);
            scored = step.Transform(scored);
        }
        // The column named Score last, so no later scalar passes through it.
        bool scratchScore = false;
        // A predictor writing Score over an earlier Score would leave that one behind, hidden: the chain's own scratch
        // Score goes before the next one is written or the Score output is copied in (ML.NET drops by name, so a
        // hidden column cannot be dropped later without the visible one).
        void DropScratchScore()
        {
            if (scratchScore) Add(catalog.DropColumns(ScoreColumn).Fit(scored));
            scratchScore = false;
        }
        // A one-value graph output named Score (an anomaly score) moves aside first, before any predictor writes a scalar
        // Score over it (dropping that scratch column would drop the graph output with it).
        const string Aside = "_ae/aside/" + ScoreColumn;
        bool scoreAside = state.Outputs.Any(o => o.IsMLNetScalar && OnnxNames.Of(o, input) == ScoreColumn);
        if (scoreAside)
        {
            Add(catalog.CopyColumns(Aside, ScoreColumn).Fit(scored));
            Add(catalog.DropColumns(ScoreColumn).Fit(scored));
        }
        foreach (var column in state.Outputs.OrderBy(o => o.Name == ScoreColumn))
        {
            var graphName = OnnxNames.Of(column, input);
            // Where the column's values are now: the graph output (or its place aside), or the scalar in Score.
            var source = scoreAside && graphName == ScoreColumn ? Aside : graphName;
            if (column.IsMLNetScalar)
            {
                DropScratchScore();
                bool detector = state.AnomalyThreshold is not null && column.Name == state.Options.ReconstructionErrorColumnName;
                Add(detector ? IdentityStep.Classifier(source, state.AnomalyThreshold!.Value) : IdentityStep.Regressor(source));
                // The one-value vector is read: dropped now, before the scalar takes its name and would hide it.
                Add(catalog.DropColumns(source).Fit(scored));
                (source, scratchScore) = (ScoreColumn, column.Name != ScoreColumn);
            }
            else if (column.Name == ScoreColumn) DropScratchScore();
            if (column.Type == OutputType.Key) Add(state.KeyNames.TryGetValue(column.Name, out var names)
                // Key k takes the k-th name: a value mapping treated as keys numbers its values in the order given.
                ? catalog.Conversion.MapValue(column.Name, names.Select((n, i) => new KeyValuePair<float, ReadOnlyMemory<char>>(i + 1, n.AsMemory())), source, treatValuesAsKeyType: true).Fit(scored)
                : catalog.Conversion.MapValueToKey(column.Name, source, keyData: KeyIds(column.KeyCount)).Fit(scored));
            else if (source != column.Name) Add(catalog.CopyColumns(column.Name, source).Fit(scored));
        }
        var scratch = state.Outputs.Where(o => !o.IsMLNetScalar).Select(o => OnnxNames.Of(o, input)).Where(n => !state.Outputs.Any(o => o.Name == n))
            .Append(scratchScore ? ScoreColumn : null).Append(state.DropsCode ? state.Options.OutputColumnName : null).OfType<string>().ToArray();
        if (scratch.Length > 0) Add(catalog.DropColumns(scratch).Fit(scored));
        return chain;
    }

    /// <summary>ML.NET's linear predictors trained to be exactly the identity of one value: online gradient descent
    /// (squared loss, rate 0.5, no averaging, shuffling or L2, one pass) and the perceptron (hinge loss, rate 1, the same
    /// settings) both end at weight 1 and bias 0 after the rows [1] -> 1 and [0] -> 0, in that order; so their score is
    /// the value itself, exactly (1·x + 0 rounds to x). Checked after training, so another ML.NET version fails loudly.</summary>
    private static class IdentityStep
    {
        private sealed class Row
        {
            public float[] X = Array.Empty<float>();
            public float Value;
            public bool Positive;
        }

        // The labels' names cannot be an output's (which names the feature column).
        private const string ValueColumn = "_ae/identity/value", PositiveColumn = "_ae/identity/positive";

        private static IDataView Rows(MLContext ml, string feature)
        {
            var definition = SchemaDefinition.Create(typeof(Row));
            definition[nameof(Row.Value)].ColumnName = ValueColumn;
            definition[nameof(Row.Positive)].ColumnName = PositiveColumn;
            definition[nameof(Row.X)].ColumnName = feature;
            definition[feature].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 1);
            return ml.Data.LoadFromEnumerable(new[] { new Row { X = new[] { 1f }, Value = 1, Positive = true }, new Row { X = new[] { 0f }, Value = 0 } }, definition);
        }

        public static ITransformer Regressor(string feature)
        {
            var ml = new MLContext(0);
            var model = ml.Regression.Trainers.OnlineGradientDescent(new Microsoft.ML.Trainers.OnlineGradientDescentTrainer.Options
            {
                FeatureColumnName = feature, LabelColumnName = ValueColumn, LossFunction = new Microsoft.ML.Trainers.SquaredLoss(),
                LearningRate = 0.5f, DecreaseLearningRate = false, L2Regularization = 0, NumberOfIterations = 1, Shuffle = false, Averaged = false,
            }).Fit(Rows(ml, feature));
            Check(model.Model.Weights, model.Model.Bias);
            return model;
        }

        public static ITransformer Classifier(string feature, float threshold)
        {
            var ml = new MLContext(0);
            var model = ml.BinaryClassification.Trainers.AveragedPerceptron(new Microsoft.ML.Trainers.AveragedPerceptronTrainer.Options
            {
                FeatureColumnName = feature, LabelColumnName = PositiveColumn,
                LearningRate = 1, DecreaseLearningRate = false, L2Regularization = 0, NumberOfIterations = 1, Shuffle = false, Averaged = false,
            }).Fit(Rows(ml, feature));
            Check(model.Model.Weights, model.Model.Bias);
            return ml.BinaryClassification.ChangeModelThreshold(model, threshold);
        }

        private static void Check(IReadOnlyList<float> weights, float bias)
        {
            if (weights.Count != 1 || weights[0] != 1 || bias != 0)
                throw new InvalidOperationException($"This ML.NET version trains the identity step to weight {string.Join(", ", weights)} and bias {bias}, not 1 and 0; use a supported ML.NET version (5.x).");
        }
    }

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
        => Choose(Readable(() => ReadStates(savedModel, foreignGraphs: false)), outputColumnName);

    /// <summary>Every autoencoder's state in a file written by <c>mlContext.Model.Save</c>; throws
    /// <see cref="InvalidDataException"/> also when one of the chain's ONNX steps is not an autoencoder of this library
    /// (nothing here can vouch for such a graph).</summary>
    public static IReadOnlyList<ModelState> ReadEveryState(Stream savedModel)
    {
        var states = Readable(() => ReadStates(savedModel, foreignGraphs: true));
        if (states.Count == 0) Choose(states, null);   // throws: the file holds no autoencoder
        return states;
    }

    /// <summary>What reading the file gives, with the zip, protobuf or JSON readers' errors as InvalidDataException.</summary>
    private static T Readable<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
            && (e is not IOException || e is Google.Protobuf.InvalidProtocolBufferException))
        {
            // Whatever a malformed file makes the zip, protobuf or JSON readers throw, the caller learns it is the file;
            // faults of the stream itself (closed, unreadable, I/O) stay what they are.
            throw new InvalidDataException($"The file is not a readable model: {e.Message}", e);
        }
    }

    /// <summary>The directory ML.NET's <c>Model.Save</c> writes the transformer (chain) into.</summary>
    private const string RootDirectory = "TransformerChain";

    /// <summary>The "OnnxModel" entries of the ONNX transformers among the file's steps, found as ML.NET's <c>Model.Load</c>
    /// finds them: from the root chain's Model.key through each chain's Transform_000, Transform_001, ... (chains may
    /// nest, as a pipeline that holds an autoencoder's own chain). An "OnnxModel" entry no step points to, or a step
    /// without its entries, makes the file one whose steps and entries disagree: refused.</summary>
    private static List<System.IO.Compression.ZipArchiveEntry> StepGraphs(System.IO.Compression.ZipArchive zip)
    {
        var entries = new Dictionary<string, System.IO.Compression.ZipArchiveEntry>();
        foreach (var entry in zip.Entries)
            if (!entries.TryAdd(entry.FullName.Replace('\\', '/'), entry))
                throw new InvalidDataException($"The file holds two entries named '{entry.FullName}'.");
        var graphs = new List<System.IO.Compression.ZipArchiveEntry>();
        var graphNames = new HashSet<string>();
        var walked = new HashSet<string>();
        void Walk(string directory, int depth)
        {
            walked.Add(directory);
            if (depth > 16) throw new InvalidDataException($"The file's chains nest deeper than 16 steps at '{directory}'.");
            var key = entries.GetValueOrDefault(directory + "/Model.key")
                ?? throw new InvalidDataException($"The file's step '{directory}' has no Model.key entry.");
            var (loader, model) = ReadModelKey(key);
            if (loader == "TransformerChain")
            {
                int steps = model.Length >= 4 ? BitConverter.ToInt32(model, 0) : -1;
                if (steps < 0 || steps > 10_000) throw new InvalidDataException($"The file's chain '{directory}' claims {steps} steps.");
                for (int i = 0; i < steps; i++) Walk($"{directory}/Transform_{i:000}", depth + 1);
            }
            else if (loader == "OnnxTransform")
            {
                string name = directory + "/OnnxModel";
                graphs.Add(entries.GetValueOrDefault(name) ?? throw new InvalidDataException($"The file's ONNX step '{directory}' has no OnnxModel entry."));
                graphNames.Add(name);
            }
        }
        // Model.Save(transformer, ...) writes the chain at the root; a CompositeDataLoader keeps its own under Loader/.
        foreach (var root in entries.Keys.Where(k => k == RootDirectory + "/Model.key" || k.EndsWith("/" + RootDirectory + "/Model.key")).OrderBy(k => k.Length).ToList())
        {
            string directory = root[..^"/Model.key".Length];
            if (!walked.Contains(directory)) Walk(directory, 0);
        }
        if (entries.Keys.FirstOrDefault(name => (name == "OnnxModel" || name.EndsWith("/OnnxModel")) && !graphNames.Contains(name)) is { } stray)
            throw new InvalidDataException($"The file's entry '{stray}' is not the graph of any step of its chain; its steps and entries disagree.");
        return graphs;
    }

    /// <summary>A Model.key entry's loader name and, for a chain, the first 4 bytes of its model (its step count).
    /// Only the 256-byte header is read: other steps (n-grams, PCA) keep megabytes of their own there. ML.NET's model
    /// header: "ML\0MODEL", the model's offset and size at bytes 16 and 24, the loader's name at byte 80.</summary>
    private static (string Loader, byte[] Model) ReadModelKey(System.IO.Compression.ZipArchiveEntry key)
    {
        const int header = 256;
        var bytes = new byte[header + 4];
        int read;
        using (var stream = key.Open()) read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < header || !bytes.AsSpan(0, 8).SequenceEqual("ML\0MODEL"u8))
            throw new InvalidDataException($"The file's entry '{key.FullName}' is not a model key (no ML.NET model header).");
        var name = bytes.AsSpan(80, 24);
        int end = name.IndexOf((byte)0);
        string loader = System.Text.Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
        long offset = BitConverter.ToInt64(bytes, 16), size = BitConverter.ToInt64(bytes, 24);
        if (loader != "TransformerChain") return (loader, Array.Empty<byte>());
        if (offset != header || size < 4 || read < header + 4)
            throw new InvalidDataException($"The file's entry '{key.FullName}' places its chain's model outside itself.");
        return (loader, bytes[header..(header + 4)]);
    }

    private static List<ModelState> ReadStates(Stream savedModel, bool foreignGraphs)
    {
        using var zip = new System.IO.Compression.ZipArchive(savedModel, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
        var states = new List<ModelState>();
        foreach (var entry in StepGraphs(zip))
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
            else if (foreignGraphs)
                throw new InvalidDataException($"The file's ONNX step '{entry.FullName}' is not an autoencoder of Microsoft.ML.Autoencoders; its graph cannot be checked here.");
        }
        return states;
    }

    private static ModelState Choose(List<ModelState> states, string? outputColumnName)
    {
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
