using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>The one training loop of every variant: reads the data, splits off validation rows, trains the variant's
/// phases, learns its arrays, then exports the network to ONNX and checks the graph against torch
/// (docs/architecture.md#from-fit-to-the-saved-model).</summary>
internal static class TrainingEngine
{
    private const int CheckRows = 16;

    public static ModelState Train(IHostEnvironment env, TrainingVariant variant, IDataView data)
    {
        var sinceFit = System.Diagnostics.Stopwatch.StartNew();
        var options = variant.Options;
        var host = env.Register("Autoencoder");
        // Reading and checking the data needs no torch, so it runs outside the lock while another Fit trains.
        int size = DataReader.VectorSize(data.Schema, options.InputColumnName);
        variant.CheckInputSize(size, options.InputColumnName);
        using var store = Store(options, data, size, out var cacheNote);
        using (var reading = host.Start("Reading"))
            DataReader.ReadRows(data, options.InputColumnName, store, UnitIntervalReason(options),
                read => reading.Info(MessageSensitivity.None, "{0}", $"Read {read:N0} rows of '{options.InputColumnName}' so far, {cacheNote}."));
        int rows = store.Count;
        var groups = (variant as IGroupedVariant)?.ReadGroups(data, rows);
        var all = new TrainingData(store, groups);
        using var validationStore = options.ValidationData is { } v ? Store(options, v, size, out _) : null;
        var ownValidation = validationStore is null ? null : ReadValidation(variant, validationStore, groups);
        int seed = options.Seed ?? host.Rand.Next();
        var (trainRows, validationRows) = Split(rows, ownValidation is null ? options.ValidationFraction : 0, seed);
        lock (TorchRuntime.Gate)
        {
            using var channel = host.Start("Training");
            var (gpuDeviceId, fallbackToCpu) = MLNetEnvironment.Device(env);
            using var threads = TorchRuntime.SetThreads(options.Threads);
            var device = TorchRuntime.SelectDevice(options.GpuDeviceId ?? gpuDeviceId, options.FallbackToCpu ?? fallbackToCpu, channel);
            using var seeded = TorchRuntime.Seed(seed, device);
            channel.Info(MessageSensitivity.None, "{0}", $"Training {options.GetType().Name} on {rows} rows of {size} features ({trainRows.Length} train, {ownValidation?.Count ?? validationRows.Length} validation) on {device}, seed {seed}; rows {cacheNote}.");
            all = all.On(device);
            var validation = validationRows.Length > 0 ? all.Subset(validationRows) : ownValidation?.On(device);
            return Train(variant, all, all.Subset(trainRows), validation, all.Subset(trainRows.Concat(validationRows)), new TrainingSession(options, channel, seed, sinceFit));
        }
    }

    /// <summary>Trains the variant's network, learns its arrays and exports it; under the torch lock.</summary>
    private static ModelState Train(TrainingVariant variant, TrainingData all, TrainingData train, TrainingData? validation, TrainingData rows, TrainingSession session)
    {
        var options = variant.Options;
        // Everything torch allocates for this Fit (weights, gradients, optimiser state, snapshots) dies with this
        // scope, also when training is cancelled or fails.
        using var fitScope = NewDisposeScope();
        var facts = variant.Prepare(train);
        using var network = variant.CreateNetwork(all.Size, facts);
        network.to(all.Device);
        variant.Pretrain(session, network, train, validation);
        var main = variant.MainPhase(network, train);
        int bestEpoch = session.Run(main, train, validation);

        network.eval();
        var learned = variant.Learn(network, rows);
        foreach (var (name, values) in facts)
            if (!learned.TryAdd(name, values)) throw new InvalidOperationException($"The variant both prepared and learned an array '{name}'; this is a bug in Microsoft.ML.Autoencoders.");
        var state = new ModelState
        {
            FinalValidationLoss = validation is null ? null : session.Evaluate(main, validation),
            Options = options.WithoutFitState(),
            InputSize = all.Size,
            Outputs = variant.OutputColumns(all.Size, learned),
            History = session.History,
            BestEpoch = bestEpoch,
            Arrays = learned,
            KeyNames = variant.KeyNames(all.Groups),
        };
        return Export(variant, network, state, all.Chunk(0, Math.Min(all.Count, CheckRows)));
    }

    private static string? UnitIntervalReason(AutoencoderOptions options)
        => options.Loss == ReconstructionLoss.BinaryCrossEntropy ? "because Loss is BinaryCrossEntropy" : null;

    /// <summary>The row store <see cref="AutoencoderOptions.DataCache"/> asks for; Auto keeps the rows in memory when
    /// their values fit in a quarter of the memory available (or when the row count is not known).</summary>
    private static RowStore Store(AutoencoderOptions options, IDataView data, int size, out string note)
    {
        // Checked here, not with the other options: models saved with an empty folder must keep loading.
        if (options.CacheDirectory is not null && string.IsNullOrWhiteSpace(options.CacheDirectory))
            throw new ArgumentException($"Option {nameof(options.CacheDirectory)} is empty; expected a folder, or null for the temp folder.", nameof(options.CacheDirectory));
        long bytes = (data.GetRowCount() ?? 0) * size * sizeof(float);
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        bool disk = options.DataCache == DataCache.Disk || options.DataCache == DataCache.Auto && bytes > available / 4;
        note = (disk ? "on disk" : "in memory") + (options.DataCache == DataCache.Auto ? $" ({bytes >> 20} MB of values, {available >> 20} MB available)" : "");
        return disk ? new DiskRows(size, options.CacheDirectory) : new MemoryRows(size);
    }

    /// <summary>The rows of <see cref="AutoencoderOptions.ValidationData"/>, read into <paramref name="store"/> and
    /// checked as the training rows are, with their groups numbered as the training rows' groups.</summary>
    private static TrainingData ReadValidation(TrainingVariant variant, RowStore store, RowGroups? trainGroups)
    {
        var data = variant.Options.ValidationData!;
        var options = variant.Options;
        try
        {
            int size = DataReader.VectorSize(data.Schema, options.InputColumnName);
            if (size != store.Size)
                throw new ArgumentOutOfRangeException(nameof(options.ValidationData), $"Input column '{options.InputColumnName}' has vectors of size {size}; the training data's have size {store.Size}.");
            DataReader.ReadRows(data, options.InputColumnName, store, UnitIntervalReason(options));
        }
        // The same checks as the training rows', of the same types, but saying it is the validation data that is wrong.
        catch (ArgumentOutOfRangeException e)
        {
            throw new ArgumentOutOfRangeException(nameof(options.ValidationData), $"{nameof(options.ValidationData)}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")}");
        }
        catch (InvalidOperationException e) when (e is not ObjectDisposedException)
        {
            throw new InvalidOperationException($"{nameof(options.ValidationData)}: {e.Message}", e);
        }
        if (trainGroups is null || (variant as IGroupedVariant)?.ReadGroups(data, store.Count) is not { } groups) return new TrainingData(store, null);
        var ids = groups.Ids.Select(g => Array.IndexOf(trainGroups.Names, groups.Names[g])).ToArray();
        if (Array.IndexOf(ids, -1) is int row and >= 0)
            throw new InvalidOperationException($"ValidationData: row {row} is of group '{groups.Names[groups.Ids[row]]}', which the training data does not have.");
        return new TrainingData(store, trainGroups with { Ids = ids });
    }

    /// <summary>A seeded split of the rows into training and validation positions.</summary>
    private static (int[] Train, int[] Validation) Split(int rows, double validationFraction, int seed)
    {
        if (validationFraction == 0) return (Enumerable.Range(0, rows).ToArray(), Array.Empty<int>());
        int validation = Math.Max(1, (int)Math.Round(rows * validationFraction));
        if (rows - validation < 1)
            throw new InvalidOperationException($"The data has {rows} row(s): too few to hold out ValidationFraction = {validationFraction} and still train; set ValidationFraction to 0 or give more rows.");
        var positions = Enumerable.Range(0, rows).ToArray();
        new Random(seed ^ 0x5EED).Shuffle(positions);
        return (positions[validation..], positions[..validation]);
    }

    /// <summary>The variant's outputs as an ONNX graph: input named after the input column, one output per column; the
    /// weights named after the network's parameters, or (<paramref name="counterNames"/>) by a counter, as versions
    /// before 0.3 named them.</summary>
    public static OnnxGraph Graph(TrainingVariant variant, AutoencoderNetwork network, int inputSize, IReadOnlyList<OutputColumn> outputs, IReadOnlyDictionary<string, float[]> learned, Action<Tensor, string>? onWeight = null, bool counterNames = false)
    {
        var graph = new OnnxGraph();
        var input = graph.Input(variant.Options.InputColumnName, inputSize);
        using var noGrad = no_grad();
        var values = variant.Outputs(new OnnxOps(graph, counterNames ? null : network, onWeight), network, input, learned);
        foreach (var column in outputs)
            graph.Output(values[column.Name], OnnxNames.Of(column, variant.Options.InputColumnName), column.Dims, column.Type);
        return graph;
    }

    /// <summary>The decoder as a graph of its own (input "latent", output "decoded"), for generation after reload.</summary>
    public static byte[] DecoderGraph(AutoencoderNetwork network, int latentSize, int inputSize)
    {
        var graph = new OnnxGraph();
        using var noGrad = no_grad();
        graph.Output(network.Decode(new OnnxOps(graph, network), graph.Input(OnnxScorer.DecoderInput, latentSize)), OnnxScorer.DecoderOutput, new long[] { inputSize });
        return graph.ToModel(new Dictionary<string, string>());
    }

    /// <summary>Exports the trained network and checks the graph against the torch forward pass on the first rows.</summary>
    private static ModelState Export(TrainingVariant variant, AutoencoderNetwork network, ModelState state, Tensor sample)
    {
        if (variant.DecoderInputSize is int latent) state.Graphs[ModelState.DecoderGraph] = DecoderGraph(network, latent, state.InputSize);
        state.WithGraph(Graph(variant, network, state.InputSize, state.Outputs, state.Arrays));
        if (FirstDisagreement(variant, network, state, sample) is { } found)
            throw new InvalidOperationException($"The exported ONNX graph disagrees with the trained network on output '{found.Column}' (relative difference {found.Worst:G3}); this is a bug in Microsoft.ML.Autoencoders.");
        return state;
    }

    /// <summary>The first output on which the torch network and the state's graph disagree for rows <paramref name="sample"/>, or null.</summary>
    private static (string Column, double Worst)? FirstDisagreement(TrainingVariant variant, AutoencoderNetwork network, ModelState state, Tensor sample)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var expected = variant.Outputs(TorchOps.Instance, network, sample, state.Arrays);
        using var scorer = new OnnxScorer(state);
        var actual = scorer.Run(TorchOps.ToArray(sample), (int)sample.shape[0]);
        for (int c = 0; c < state.Outputs.Count; c++)
            if (Disagreement(state.Outputs[c], expected[state.Outputs[c].Name], actual[c]!) is { } worst)
                return (state.Outputs[c].Name, worst);
        return null;
    }

    /// <summary>The trained torch network of a fitted model (to train it further, e.g. a pretrained encoder under a
    /// classifier), rebuilt by <paramref name="variant"/> (the model's) from its saved graph: each parameter the graph
    /// uses takes the values of the graph's initializer of its name (the graph names them after the parameters, see
    /// <see cref="OnnxOps"/>). Every one must be found, and the rebuilt network must agree with the saved graph on a few
    /// rows; parameters the graph does not use (a decoder without a reconstruction output) keep their initial values. A model whose graph another version wrote differently is refused, naming
    /// <paramref name="option"/>. Call under the torch lock.</summary>
    public static AutoencoderNetwork Restore(ModelState state, TrainingVariant variant, string option)
    {
        AutoencoderNetwork? network = null;
        try
        {
            network = variant.CreateNetwork(state.InputSize, state.Arrays);
            var saved = Onnx.Proto.ModelProto.Parser.ParseFrom(state.Onnx).Graph.Initializer.ToDictionary(i => i.Name);
            var named = OnnxOps.ParameterNames(network).ToList();
            var parameters = new HashSet<Tensor>(named.Select(p => (Tensor)p.Parameter), ReferenceEqualityComparer.Instance);
            // Versions before 0.3 named weights by a counter; written again the same way, the counter gives each the same name.
            bool counterNames = !named.Any(p => saved.ContainsKey(p.Name));
            var written = new List<(string Name, TorchSharp.Modules.Parameter Parameter)>();
            Graph(variant, network, state.InputSize, state.Outputs, state.Arrays, (weight, name) => { if (weight is TorchSharp.Modules.Parameter p && parameters.Contains(p)) written.Add((name, p)); }, counterNames);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var missing = new List<string>();
            foreach (var (name, parameter) in written)
            {
                if (!saved.TryGetValue(name, out var values) || values.RawData.Length != parameter.numel() * sizeof(float) || !values.Dims.SequenceEqual(parameter.shape))
                {
                    missing.Add(name);
                    continue;
                }
                using var source = tensor(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(values.RawData.Span).ToArray(), parameter.shape);
                parameter.copy_(source);
            }
            using var generator = new Generator(0);
            using var sample = randn(new long[] { 4, state.InputSize }, ScalarType.Float32, CPU, generator: generator);
            string? problem = missing.Count > 0 ? $"its weights {string.Join(", ", missing.Take(3))}{(missing.Count > 3 ? ", ..." : "")} were not found in it"
                : FirstDisagreement(variant, network, state, sample) is { } found ? $"output '{found.Column}' differs by {found.Worst:G3}" : null;
            if (problem is not null)
                throw new ArgumentException($"{option}: the network of this {state.Options.GetType().Name.Replace("Options", "")} model cannot be rebuilt from its saved graph for further training ({problem}); it was probably saved by another version of Microsoft.ML.Autoencoders.", option);
            return network;
        }
        catch (Exception e)
        {
            network?.Dispose();
            if (e is ArgumentException) throw;
            throw new ArgumentException($"{option}: the model cannot be rebuilt for further training: {e.Message}", option, e);
        }
    }

    /// <summary>The worst relative difference between torch's and ONNX Runtime's values of a column when they
    /// disagree (beyond <paramref name="tolerance"/>; UInt64 codes must be equal), else null. A thresholded value (a bit,
    /// an id, a hash) may land on the other side in one runtime: a few may differ.</summary>
    public static double? Disagreement(OutputColumn column, Tensor expected, Array actual, double tolerance = 1e-3)
    {
        using var cpu = expected.cpu();
        bool exact = column.Type == OutputType.UInt64;
        var codes = exact ? cpu.data<long>().ToArray() : null;
        var values = exact ? null : cpu.to_type(ScalarType.Float64).data<double>().ToArray();
        int count = codes?.Length ?? values!.Length;
        double worst = 0;
        int differing = 0;
        for (int i = 0; i < Math.Min(count, actual.Length); i++)
        {
            double difference = exact ? (unchecked((ulong)codes![i]) == (ulong)actual.GetValue(i)! ? 0 : 1)
                : Math.Abs(values![i] - Convert.ToDouble(actual.GetValue(i))) / (1 + Math.Abs(values[i]));
            worst = Math.Max(worst, difference);
            if (!(difference < tolerance)) differing++;
        }
        bool agrees = count == actual.Length && (column.Thresholded ? differing <= Math.Max(1, count / 20) : differing == 0);
        return agrees ? null : worst;
    }
}
