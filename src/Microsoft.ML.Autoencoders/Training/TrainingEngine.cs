using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>The one training loop of every variant: reads the data, splits off validation rows, runs minibatch Adam
/// with per-epoch reshuffling, early stopping that restores the best weights, logging, progress and cancellation,
/// then exports the network to ONNX and checks the graph against torch.</summary>
internal static class TrainingEngine
{
    private const int CheckRows = 16;

    public static ModelState Train(IHostEnvironment env, AutoencoderVariant variant, IDataView data)
    {
        lock (TorchRuntime.Gate) return TrainLocked(env, variant, data);
    }

    private static ModelState TrainLocked(IHostEnvironment env, AutoencoderVariant variant, IDataView data)
    {
        var options = variant.Options;
        var host = env.Register("Autoencoder");
        var (gpuDeviceId, fallbackToCpu) = MLNetEnvironment.Device(env);
        using var channel = host.Start("Training");
        var x = DataReader.ReadMatrix(data, options.InputColumnName, out int rows, out int size,
            unitInterval: options.Loss == ReconstructionLoss.BinaryCrossEntropy, unitIntervalReason: "because Loss is BinaryCrossEntropy");
        var auxiliary = variant.ReadAuxiliary(data, rows);
        variant.CheckInputSize(size, options.InputColumnName);
        int seed = options.Seed ?? host.Rand.Next();
        var (trainRows, validationRows) = Split(rows, options.ValidationFraction, seed);

        TorchRuntime.TuneAllocator();
        using var threads = TorchRuntime.SetThreads(options.Threads);
        var device = TorchRuntime.SelectDevice(options.GpuDeviceId ?? gpuDeviceId,
            options.FallbackToCpu ?? fallbackToCpu, channel);
        TorchRuntime.Seed(seed, device);
        channel.Info(MessageSensitivity.None, "{0}", $"Training {options.GetType().Name} on {rows} rows of {size} features ({trainRows.Length} train, {validationRows.Length} validation) on {device}, seed {seed}.");

        // Everything torch allocates for this Fit (weights, gradients, optimiser state, snapshots) dies with this
        // scope, also when training is cancelled or fails.
        using var fitScope = NewDisposeScope();
        using var network = variant.CreateNetwork(size);
        network.to(device);
        using var train = Gather(x, size, trainRows, device);
        using var validation = validationRows.Length > 0 ? Gather(x, size, validationRows, device) : null;
        using var trainAuxiliary = auxiliary is null ? null : Gather(auxiliary, variant.AuxiliaryWidth, trainRows, device);
        using var validationAuxiliary = auxiliary is null || validation is null ? null : Gather(auxiliary, variant.AuxiliaryWidth, validationRows, device);
        variant.Prepare(train, trainAuxiliary);

        var session = new TrainingSession(options, channel, seed);
        variant.Pretrain(session, network, train, validation, trainAuxiliary, validationAuxiliary);
        int bestEpoch = session.RunPhase(variant, network, train, validation, options.Epochs, TrainingSession.MainPhase, trainAuxiliary, validationAuxiliary);

        network.eval();
        var state = new ModelState
        {
            FinalValidationLoss = validation is null ? null : TrainingSession.Evaluate(variant, network, validation, options.BatchSize, validationAuxiliary),
            Options = options,
            InputSize = size,
            Outputs = variant.OutputColumns(size),
            History = session.History,
            BestEpoch = bestEpoch,
        };
        foreach (var (name, array) in variant.LearnedArrays(network, validation is null ? new[] { train } : new[] { train, validation }))
            state.Arrays[name] = array;
        return Export(variant, network, state, x, Math.Min(rows, CheckRows));
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

    private static Tensor Gather(float[] x, int size, int[] rows, Device device)
    {
        var values = new float[rows.Length * size];
        for (int i = 0; i < rows.Length; i++)
            Array.Copy(x, rows[i] * size, values, i * size, size);
        using var cpu = tensor(values, new long[] { rows.Length, size });
        return cpu.to(device);
    }

    /// <summary>Exports the trained network and checks the graph against the torch forward pass on the first rows.</summary>
    private static ModelState Export(AutoencoderVariant variant, AutoencoderNetwork network, ModelState state, float[] x, int checkRows)
    {
        foreach (var (name, graph) in variant.AuxiliaryGraphs(network, state.InputSize)) state.Graphs[name] = graph;
        state.WithGraph(GraphExport.Build(variant, network, state));

        var sample = x.AsSpan(0, checkRows * state.InputSize).ToArray();
        using var scorer = new OnnxScorer(state);
        var onnx = scorer.Run(sample, checkRows);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = network.parameters().First().device;
        var torchOutputs = variant.TorchOutputs(network, tensor(sample, new long[] { checkRows, state.InputSize }).to(device));
        for (int c = 0; c < state.Outputs.Count; c++)
        {
            using var expectedTensor = torchOutputs[state.Outputs[c].Name].to_type(ScalarType.Float64).cpu();
            var expected = expectedTensor.data<double>().ToArray();
            var actual = onnx[c]!;
            double worst = 0;
            int differing = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                double difference = Math.Abs(expected[i] - Convert.ToDouble(actual.GetValue(i))) / (1 + Math.Abs(expected[i]));
                worst = Math.Max(worst, difference);
                if (!(difference < 1e-3)) differing++;
            }
            // A value at a threshold (a bit, a cluster id) may round to the other side in one runtime: allow a few.
            bool agrees = state.Outputs[c].Discrete ? differing <= Math.Max(1, expected.Length / 20) : worst < 1e-3;
            if (!agrees)
                throw new InvalidOperationException($"The exported ONNX graph disagrees with the trained network on output '{state.Outputs[c].Name}' (relative difference {worst:G3}); this is a bug in Microsoft.ML.Autoencoders.");
        }
        return state;
    }
}
