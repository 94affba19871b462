using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>A training phase: which module's parameters Adam updates, on which objective, for how many epochs (null:
/// sized to the training rows, <see cref="TrainingLength"/>; <paramref name="EpochsOption"/> names the option a warning
/// points to). <paramref name="Corrupt"/> makes the network's input from clean rows. <paramref name="NeedsReference"/>: the objective compares
/// each group with the reference group (SAUCIE's batch terms), so minibatches may be anchored on the reference;
/// otherwise groups only stratify them, and no row is drawn more often than another. <paramref name="LearningRateFactors"/>:
/// parameters Adam moves at that multiple of the learning rate (a pretrained encoder under a new head); the others at 1.
/// <paramref name="WarmUp"/>: a phase that only prepares the next (a frozen encoder's head), so stopping it while it still
/// improves is intended and draws no warning.</summary>
internal sealed record TrainingPhase(string Name, nn.Module Network, Func<Minibatch, TrainingLoss> Objective, int? Epochs,
    Func<Tensor, Tensor>? Corrupt = null, bool NeedsReference = false, string EpochsOption = nameof(AutoencoderOptions.Epochs),
    IReadOnlyDictionary<TorchSharp.Modules.Parameter, double>? LearningRateFactors = null, bool WarmUp = false);

/// <summary>One Fit's training state shared by its phases (e.g. greedy pretraining, then the main phase): the seeded
/// order of the rows, the history, logging, progress and cancellation. Each phase runs minibatch Adam with per-epoch
/// reshuffling and early stopping that restores the phase's best weights.</summary>
internal sealed class TrainingSession(AutoencoderOptions options, IChannel channel, int seed, System.Diagnostics.Stopwatch sinceFit)
{
    public const string MainPhase = "train";
    private Random _shuffle = new(seed);

    public List<EpochMetrics> History { get; } = new();

    /// <summary>Whether training was cancelled and, with <see cref="AutoencoderOptions.KeepBestOnCancellation"/>, stopped
    /// with the best weights so far; later phases are then skipped.</summary>
    public bool Cancelled { get; private set; }

    public int BatchSize => options.BatchSize;

    /// <summary>The epoch whose weights the network holds when the main phase trains none (a variant chose between fits
    /// trained before it); null: the main phase's own.</summary>
    public int? KeptEpoch { get; set; }

    /// <summary>The random streams at the session's start, before any phase has drawn from them: libtorch's CPU
    /// generator (the caller disposes it); the shuffle starts from the seed again at <see cref="Replay"/>.</summary>
    public Tensor StartingStreams()
    {
        if (History.Count > 0) throw new InvalidOperationException("The random streams are taken before the first phase.");
        return torch.random.get_rng_state();
    }

    /// <summary>Puts the random streams back to <paramref name="start"/> (<see cref="StartingStreams"/>), so a second
    /// fit from the same initial weights draws the same minibatches and noise as a fit that ran alone. On a GPU the
    /// CUDA generator is seeded again, as at the start of Fit (the weights are initialised on the CPU).</summary>
    public void Replay(Tensor start, Device device)
    {
        torch.random.set_rng_state(start);
        if (device.type == DeviceType.CUDA) cuda.manual_seed_all(seed);
        _shuffle = new Random(seed);
    }

    /// <summary>Trains <paramref name="phase"/>; returns the epoch whose weights the network holds afterwards.</summary>
    public int Run(TrainingPhase phase, TrainingData train, TrainingData? validation)
    {
        int epochs = TrainingLength.Epochs(phase.Epochs, train.Count, options.BatchSize);
        // Nothing to train (cancelled, or a variant chose among earlier fits): no optimiser state is made.
        if (Cancelled || epochs == 0) return KeptEpoch ?? 0;
        using var optimizer = new Adam(phase.Network.parameters().Select(p => (p, options.LearningRate * (phase.LearningRateFactors?.GetValueOrDefault(p, 1) ?? 1))));
        var groups = train.Groups;
        // Without a comparison with the reference the groups only stratify: anchoring would overweight the reference's rows.
        if (!phase.NeedsReference && groups is not null) groups = groups with { Reference = null };
        int patience = TrainingLength.Patience(options.EarlyStoppingPatience, epochs);
        // The best weights are kept for early stopping, and for a cancellation that keeps them.
        bool keepBest = patience > 0 || options.KeepBestOnCancellation;
        Tensor[]? best = null;
        long[]? order = null;
        int bestEpoch = 0, lastEpoch = 0;
        double bestLoss = double.PositiveInfinity, seconds = 0;
        try
        {
            for (int epoch = 1; epoch <= epochs; epoch++)
            {
                var watch = System.Diagnostics.Stopwatch.StartNew();
                order = MinibatchOrder.Next(_shuffle, train.Count, groups, options.BatchSize, order);
                var (trainLoss, terms) = RunEpoch(phase, epoch, epochs, train, order, optimizer);
                double? validationLoss = validation is null ? null : Evaluate(phase, validation);
                lastEpoch = epoch;
                double monitored = validationLoss ?? trainLoss;
                bool isBest = monitored < bestLoss;
                if (isBest)
                {
                    (bestLoss, bestEpoch) = (monitored, epoch);
                    if (keepBest) Snapshot(phase.Network, ref best);
                }
                seconds += watch.Elapsed.TotalSeconds;
                if (epoch == 1) TorchRuntime.HintAllocator(channel, watch.Elapsed.TotalSeconds / TrainingLength.StepsPerEpoch(train.Count, options.BatchSize));
                // Clamped: Epochs = int.MaxValue ("until early stopping") would overflow a TimeSpan.
                var left = TimeSpan.FromSeconds(Math.Min(seconds / epoch * (epochs - epoch), TimeSpan.MaxValue.TotalSeconds / 2));
                Report(new EpochMetrics(epoch, trainLoss, validationLoss, terms, phase.Name, watch.Elapsed.TotalSeconds, epochs, isBest, sinceFit.Elapsed, left));
                if (!double.IsFinite(trainLoss) || validationLoss is double v && !double.IsFinite(v))
                    throw new InvalidOperationException($"Training diverged in {phase.Name} epoch {epoch} (training loss {trainLoss}, validation loss {validationLoss}); lower LearningRate or scale the input column '{options.InputColumnName}'.");
                if (patience > 0 && epoch - bestEpoch >= patience)
                {
                    channel.Info(MessageSensitivity.None, "{0}", $"Early stopping after {phase.Name} epoch {epoch}: no improvement since epoch {bestEpoch}.");
                    break;
                }
            }
            if (epochs > 0 && bestEpoch == epochs && options.WarnWhenStillImproving && !phase.WarmUp)
                channel.Warning(MessageSensitivity.None, "{0}", StillImproving(phase, epochs, validation is not null, TrainingLength.Epochs(null, train.Count, options.BatchSize)));
            if (patience == 0) return lastEpoch;
            if (best is not null) Restore(phase.Network, best);
            return bestEpoch;
        }
        catch (OperationCanceledException) when (options.KeepBestOnCancellation && options.CancellationToken.IsCancellationRequested && History.Count > 0)
        {
            Cancelled = true;
            if (best is not null) Restore(phase.Network, best);
            channel.Info(MessageSensitivity.None, "{0}", $"Training cancelled in {phase.Name} after {lastEpoch} epoch(s); keeping {(best is null ? "the current weights" : $"epoch {bestEpoch}'s weights")}.");
            return best is null ? lastEpoch : bestEpoch;
        }
        finally
        {
            if (best is not null) foreach (var t in best) t.Dispose();
        }
    }

    /// <summary>The warning of a phase whose best epoch was its last: it names the option and what to set it to.</summary>
    private static string StillImproving(TrainingPhase phase, int epochs, bool validated, int automatic)
    {
        string advice = phase.Epochs is null ? $"Set {phase.EpochsOption} above {epochs}"
            : automatic > epochs && phase.EpochsOption.EndsWith(nameof(AutoencoderOptions.Epochs), StringComparison.Ordinal)
                ? $"Raise {phase.EpochsOption} (or set it to null: {automatic} epochs for these rows)" : $"Raise {phase.EpochsOption}";
        return $"The {(validated ? "validation" : "training")} loss of {phase.Name} was lowest in its last epoch ({epochs} of {epochs}): the model was still improving when training stopped. {advice}.";
    }

    /// <summary>Logs a line on the Fit's channel (mlContext.Log).</summary>
    public void Info(string message) => channel.Info(MessageSensitivity.None, "{0}", message);

    /// <summary>Adds an entry to the history, the log and the progress.</summary>
    public void Report(EpochMetrics metrics)
    {
        History.Add(metrics);
        channel.Info(MessageSensitivity.None, "{0}", metrics.ToString());
        options.Progress?.Report(metrics);
    }

    private (double Loss, Dictionary<string, double> Terms) RunEpoch(TrainingPhase phase, int epoch, int epochs, TrainingData train, long[] order, Adam optimizer)
    {
        phase.Network.train();
        double total = 0;
        var termTotals = new Dictionary<string, double>();
        int batches = (order.Length + options.BatchSize - 1) / options.BatchSize;
        // One minibatch ahead: with the disk cache the next batch's rows are read on another thread while this one
        // trains, so reads overlap the step. Two buffers of one minibatch for the epoch (BatchSize may exceed the rows).
        int perBatch = Math.Min(options.BatchSize, order.Length);
        var buffers = new[] { new float[checked(perBatch * train.Size)], new float[checked(perBatch * train.Size)] };
        void Read(int start, float[] into) => train.Read(order.AsSpan(start, Math.Min(options.BatchSize, order.Length - start)), into);
        // Rows in memory are copied at once: another thread would only cost a pool thread, which concurrent Fits waiting
        // for the torch lock may all hold.
        Task ReadAhead(int start, float[] into)
        {
            if (train.ReadsFromDisk) return Task.Run(() => Read(start, into));
            Read(start, into);
            return Task.CompletedTask;
        }
        var reading = ReadAhead(0, buffers[0]);
        try
        {
            for (int start = 0, batch = 1; start < order.Length; start += options.BatchSize, batch++)
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                reading.GetAwaiter().GetResult();
                var values = buffers[(batch - 1) % 2];
                if (start + options.BatchSize < order.Length) reading = ReadAhead(start + options.BatchSize, buffers[batch % 2]);
                TrainStep(start, batch, values);
            }
        }
        finally
        {
            // A read still under way (after a failure or a cancellation) must not outlive the epoch's store.
            try { reading.Wait(); } catch (AggregateException) { }
        }
        return (total / order.Length, termTotals.ToDictionary(t => t.Key, t => t.Value / order.Length));

        void TrainStep(int start, int batch, float[] values)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(options.BatchSize, order.Length - start);
            var loss = phase.Objective(train.Batch(order.AsSpan(start, count), values, phase.Corrupt) with { Progress = (epoch, epochs) });
            optimizer.ZeroGrad();
            loss.Total.backward();
            optimizer.Step();
            total += loss.Total.item<float>() * count;
            foreach (var (name, term) in loss.Terms)
                termTotals[name] = termTotals.GetValueOrDefault(name) + term.item<float>() * count;
            if (options.BatchProgress is { } progress && (batch % options.BatchProgressInterval == 0 || batch == batches))
                progress.Report(new BatchMetrics(phase.Name, epoch, epochs, batch, batches, total / (start + count), sinceFit.Elapsed));
        }
    }

    /// <summary>The phase's objective on clean rows, without gradients. A phase that compares groups with the reference
    /// sees minibatches made as in training, from a fixed seed (the same each epoch): in row order, a minibatch could
    /// hold one or two rows of each of 180 samples, and the loss would measure another objective.</summary>
    public double Evaluate(TrainingPhase phase, TrainingData rows)
    {
        phase.Network.eval();
        using var noGrad = no_grad();
        var order = phase.NeedsReference && rows.Groups is { } groups
            ? MinibatchOrder.Next(new Random(0), rows.Count, groups, options.BatchSize)
            : Enumerable.Range(0, rows.Count).Select(i => (long)i).ToArray();
        double total = 0;
        for (int start = 0; start < order.Length; start += options.BatchSize)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(options.BatchSize, order.Length - start);
            total += phase.Objective(rows.Batch(order.AsSpan(start, count))).Total.item<float>() * count;
        }
        return total / order.Length;
    }

    private static void Snapshot(nn.Module network, ref Tensor[]? best)
    {
        if (best is not null) foreach (var t in best) t.Dispose();
        best = Snapshot(network);
    }

    /// <summary>Copies of the network's parameters, owned by the caller (outside any dispose scope).</summary>
    public static Tensor[] Snapshot(nn.Module network)
    {
        using var noGrad = no_grad();
        return network.parameters().Select(p =>
        {
            using var view = p.detach();
            return view.clone().DetachFromDisposeScope();
        }).ToArray();
    }

    /// <summary>Puts <paramref name="best"/> (from <see cref="Snapshot(nn.Module)"/>) back into the network's parameters.</summary>
    public static void Restore(nn.Module network, Tensor[] best)
    {
        using var noGrad = no_grad();
        foreach (var (p, saved) in network.parameters().Zip(best)) p.copy_(saved);
    }
}
