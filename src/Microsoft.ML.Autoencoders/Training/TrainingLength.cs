namespace Microsoft.ML.Autoencoders.Training;

/// <summary>How long a phase trains when the user leaves it open (docs/conventions.md#training-length).</summary>
internal static class TrainingLength
{
    /// <summary>scvi-tools' rule: 400 epochs up to 20,000 rows, then 8,000,000 row visits in all (at least 1 epoch).</summary>
    public const int MaxEpochs = 400;
    public const double RowVisits = 20_000.0 * MaxEpochs;

    /// <summary>The fewest optimiser steps a data-sized budget gives: on a table of a few dozen rows an epoch is one
    /// step, and 400 steps left a classifier on 60 labelled rows short of what a longer fit reaches.</summary>
    public const int MinSteps = 1000;

    /// <summary>The least patience of early stopping, in epochs, when it is sized to the phase.</summary>
    public const int MinPatience = 5;

    /// <summary>The epochs asked for, or the data-sized budget for <paramref name="trainRows"/> training rows in
    /// minibatches of <paramref name="batchSize"/>: scvi-tools' rule, raised to at least <see cref="MinSteps"/> steps.</summary>
    public static int Epochs(int? requested, int trainRows, int batchSize)
    {
        if (requested is int epochs) return epochs;
        int rows = Math.Max(1, trainRows), stepsPerEpoch = StepsPerEpoch(rows, batchSize);
        int scvi = (int)Math.Clamp(Math.Round(RowVisits / rows), 1, MaxEpochs);
        return Math.Max(scvi, (MinSteps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /// <summary>Minibatches in an epoch of <paramref name="trainRows"/> rows (at least 1), without overflow at any batch size.</summary>
    public static int StepsPerEpoch(int trainRows, int batchSize) => (Math.Max(1, trainRows) - 1) / batchSize + 1;

    /// <summary>The patience asked for (0: no early stopping), or a tenth of the phase's epochs, at least
    /// <see cref="MinPatience"/>: small tables train many short epochs whose validation loss is noisy.</summary>
    public static int Patience(int? requested, int epochs) => requested ?? Math.Max(MinPatience, Math.Min(epochs, MaxPatience * 10) / 10);

    /// <summary>The most patience sized to the phase: Epochs = int.MaxValue ("until early stopping") still stops.</summary>
    public const int MaxPatience = 100;
}
