namespace Microsoft.ML.Autoencoders.Training;

/// <summary>How long a phase trains when the user leaves it open (docs/conventions.md#training-length).</summary>
internal static class TrainingLength
{
    /// <summary>scvi-tools' rule: 400 epochs up to 20,000 rows, then 8,000,000 row visits in all (at least 1 epoch).</summary>
    public const int MaxEpochs = 400;
    public const double RowVisits = 20_000.0 * MaxEpochs;

    /// <summary>The least patience of early stopping, in epochs, when it is sized to the phase.</summary>
    public const int MinPatience = 5;

    /// <summary>The epochs asked for, or the data-sized budget for <paramref name="trainRows"/> training rows.</summary>
    public static int Epochs(int? requested, int trainRows)
        => requested ?? (int)Math.Clamp(Math.Round(RowVisits / Math.Max(1, trainRows)), 1, MaxEpochs);

    /// <summary>The patience asked for (0: no early stopping), or a tenth of the phase's epochs, at least
    /// <see cref="MinPatience"/>: small tables train many short epochs whose validation loss is noisy.</summary>
    public static int Patience(int? requested, int epochs) => requested ?? Math.Max(MinPatience, epochs / 10);
}
