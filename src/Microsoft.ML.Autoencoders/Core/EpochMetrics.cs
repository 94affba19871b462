namespace Microsoft.ML.Autoencoders;

/// <summary>The losses of one training epoch, reported to <c>mlContext.Log</c>, to
/// <see cref="AutoencoderOptions.Progress"/> and kept in <see cref="AutoencoderTransformer.TrainingHistory"/>.</summary>
public sealed class EpochMetrics
{
    /// <summary>Creates the metrics of one epoch.</summary>
    public EpochMetrics(int epoch, double trainLoss, double? validationLoss, IReadOnlyDictionary<string, double>? terms = null, string phase = "train", double seconds = 0,
        int totalEpochs = 0, bool isBest = false, TimeSpan elapsed = default, TimeSpan? estimatedRemaining = null)
    {
        (TotalEpochs, IsBest, Elapsed, EstimatedRemaining) = (totalEpochs, isBest, elapsed, estimatedRemaining);
        Seconds = seconds;
        Epoch = epoch;
        TrainLoss = trainLoss;
        ValidationLoss = validationLoss;
        Terms = terms ?? new Dictionary<string, double>();
        Phase = phase;
    }

    /// <summary>1-based epoch number within its phase.</summary>
    public int Epoch { get; }

    /// <summary>The most epochs the phase runs (early stopping may end it sooner); 0 where not known.</summary>
    public int TotalEpochs { get; }

    /// <summary>Whether this epoch's weights are the best of the phase so far (by validation loss, else training loss):
    /// the ones the model keeps when early stopping or cancellation with
    /// <see cref="AutoencoderOptions.KeepBestOnCancellation"/> ends training.</summary>
    public bool IsBest { get; }

    /// <summary>Time since <c>Fit</c> started.</summary>
    public TimeSpan Elapsed { get; }

    /// <summary>Time left for the rest of the phase at its mean epoch time so far, were it to run all
    /// <see cref="TotalEpochs"/>; null where not known.</summary>
    public TimeSpan? EstimatedRemaining { get; }

    /// <summary>Mean training loss over the epoch's minibatches (all terms of the objective).</summary>
    public double TrainLoss { get; }

    /// <summary>Loss on the held-out rows after the epoch; null when <see cref="AutoencoderOptions.ValidationFraction"/> is 0.</summary>
    public double? ValidationLoss { get; }

    /// <summary>The separate terms of the training objective (e.g. "reconstruction", "sparsity"), epoch means.</summary>
    public IReadOnlyDictionary<string, double> Terms { get; }

    /// <summary>The training phase, "train" for ordinary training; variants with several phases name theirs.</summary>
    public string Phase { get; }

    /// <summary>Wall-clock seconds the epoch took (training and validation).</summary>
    public double Seconds { get; }

    /// <inheritdoc/>
    public override string ToString()
    {
        var text = $"{Phase} epoch {Epoch}{(TotalEpochs > 0 ? $" of {TotalEpochs}" : "")}: train loss {TrainLoss:G5}";
        if (ValidationLoss is double v) text += $", validation loss {v:G5}";
        if (Terms.Count > 1) foreach (var (name, value) in Terms) text += $", {name} {value:G5}";
        text += $" ({Seconds:F2} s{(IsBest ? ", best so far" : "")}{(EstimatedRemaining is { } left ? $", about {left.TotalSeconds:F0} s left" : "")})";
        return text;
    }
}

/// <summary>Training progress within an epoch, reported every <see cref="AutoencoderOptions.BatchProgressInterval"/>
/// minibatches to <see cref="AutoencoderOptions.BatchProgress"/> (and at an epoch's last minibatch); not logged nor kept.</summary>
/// <param name="Phase">The training phase, as in <see cref="EpochMetrics.Phase"/>.</param>
/// <param name="Epoch">1-based epoch within the phase.</param>
/// <param name="TotalEpochs">The most epochs the phase runs.</param>
/// <param name="Batch">1-based minibatch within the epoch.</param>
/// <param name="BatchesPerEpoch">Minibatches an epoch has.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's minibatches so far.</param>
/// <param name="Elapsed">Time since <c>Fit</c> started.</param>
public sealed record BatchMetrics(string Phase, int Epoch, int TotalEpochs, int Batch, int BatchesPerEpoch, double TrainLoss, TimeSpan Elapsed)
{
    /// <summary>The share of the phase done, from 0 to 1.</summary>
    public double Fraction => TotalEpochs <= 0 || BatchesPerEpoch <= 0 ? 0 : ((Epoch - 1) + (double)Batch / BatchesPerEpoch) / TotalEpochs;
}
