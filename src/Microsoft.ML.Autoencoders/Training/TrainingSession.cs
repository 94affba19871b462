using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>One Fit's training state shared by its phases (greedy pretraining, then the main phase): the seeded
/// shuffling, the history, logging, progress and cancellation. Each phase runs minibatch Adam with per-epoch
/// reshuffling and early stopping that restores the phase's best weights.</summary>
internal sealed class TrainingSession(AutoencoderOptions options, IChannel channel, int seed)
{
    public const string MainPhase = "train";
    private readonly Random _shuffle = new(seed);

    public List<EpochMetrics> History { get; } = new();

    /// <summary>Trains <paramref name="network"/> on <paramref name="variant"/>'s objective for up to
    /// <paramref name="epochs"/> epochs; returns the epoch whose weights the network holds afterwards.</summary>
    public int RunPhase(AutoencoderVariant variant, AutoencoderNetwork network, Tensor train, Tensor? validation, int epochs, string phase,
        Tensor? trainAuxiliary = null, Tensor? validationAuxiliary = null)
    {
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        var order = Enumerable.Range(0, (int)train.shape[0]).Select(i => (long)i).ToArray();
        Tensor[]? best = null;
        int bestEpoch = 0;
        double bestLoss = double.PositiveInfinity;
        try
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                variant.BeginEpoch(epoch);
                variant.Order(order, _shuffle);
                var (trainLoss, terms) = RunEpoch(variant, network, train, trainAuxiliary, order, optimizer);
                double? validationLoss = validation is null ? null : Evaluate(variant, network, validation, options.BatchSize, validationAuxiliary);
                Report(new EpochMetrics(epoch, trainLoss, validationLoss, terms, phase, watch.Elapsed.TotalSeconds));
                if (!double.IsFinite(trainLoss) || validationLoss is double v && !double.IsFinite(v))
                    throw new InvalidOperationException($"Training diverged in {phase} epoch {epoch} (training loss {trainLoss}, validation loss {validationLoss}); lower LearningRate or scale the input column '{options.InputColumnName}'.");

                double monitored = validationLoss ?? trainLoss;
                if (options.EarlyStoppingPatience == 0) { bestEpoch = epoch; continue; }
                if (monitored < bestLoss)
                {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    Snapshot(network, ref best);
                }
                else if (epoch - bestEpoch >= options.EarlyStoppingPatience)
                {
                    channel.Info(MessageSensitivity.None, "{0}", $"Early stopping after {phase} epoch {epoch}: no improvement since epoch {bestEpoch}.");
                    break;
                }
            }
            if (best is not null) Restore(network, best);
        }
        finally
        {
            if (best is not null) foreach (var t in best) t.Dispose();
        }
        return bestEpoch;
    }

    /// <summary>Adds an entry to the history, the log and the progress.</summary>
    public void Report(EpochMetrics metrics)
    {
        History.Add(metrics);
        channel.Info(MessageSensitivity.None, "{0}", metrics.ToString());
        options.Progress?.Report(metrics);
    }

    private (double Loss, Dictionary<string, double> Terms) RunEpoch(AutoencoderVariant variant, AutoencoderNetwork network,
        Tensor train, Tensor? auxiliary, long[] order, optim.Optimizer optimizer)
    {
        network.train();
        double total = 0;
        var termTotals = new Dictionary<string, double>();
        for (int start = 0; start < order.Length; start += options.BatchSize)
        {
            options.CancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            int count = Math.Min(options.BatchSize, order.Length - start);
            var index = tensor(order.AsSpan(start, count).ToArray(), device: train.device);
            var batch = train.index_select(0, index);
            var terms = new Dictionary<string, Tensor>();
            var loss = variant.Objective(network, batch, variant.Corrupt(batch), auxiliary?.index_select(0, index), terms);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>() * count;
            foreach (var (name, term) in terms)
                termTotals[name] = termTotals.GetValueOrDefault(name) + term.item<float>() * count;
        }
        return (total / order.Length, termTotals.ToDictionary(t => t.Key, t => t.Value / order.Length));
    }

    /// <summary>The objective on clean rows, without gradients.</summary>
    internal static double Evaluate(AutoencoderVariant variant, AutoencoderNetwork network, Tensor rows, int batchSize, Tensor? auxiliary = null)
    {
        network.eval();
        using var noGrad = no_grad();
        double total = 0;
        long n = rows.shape[0];
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = NewDisposeScope();
            long count = Math.Min(batchSize, n - start);
            var batch = rows.narrow(0, start, count);
            total += variant.Objective(network, batch, batch, auxiliary?.narrow(0, start, count), new Dictionary<string, Tensor>()).item<float>() * count;
        }
        return total / n;
    }

    private static void Snapshot(AutoencoderNetwork network, ref Tensor[]? best)
    {
        using var noGrad = no_grad();
        if (best is not null) foreach (var t in best) t.Dispose();
        best = network.parameters().Select(p =>
        {
            using var view = p.detach();
            return view.clone();
        }).ToArray();
    }

    private static void Restore(AutoencoderNetwork network, Tensor[] best)
    {
        using var noGrad = no_grad();
        foreach (var (p, saved) in network.parameters().Zip(best)) p.copy_(saved);
    }

}
