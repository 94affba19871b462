using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the autoencoder anomaly detector on <c>mlContext.AnomalyDetection.Trainers</c>: a dense
/// autoencoder whose reconstruction error is the <c>Score</c>, and the share of training rows expected to be anomalies
/// (docs/methods.md#anomaly-detection).</summary>
public sealed class AutoencoderAnomalyDetectorOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new AnomalyDetectorVariant(this);

    /// <summary>The error column is ML.NET's anomaly score column, <c>Score</c>.</summary>
    public AutoencoderAnomalyDetectorOptions() => ReconstructionErrorColumnName = AutoencoderAnomalyDetector.ScoreColumnName;

    /// <summary>The expected share of anomalies among the training rows, in [0, 1): the threshold is the (1 -
    /// Contamination) quantile of the training rows' scores, so that share of them is labelled true.</summary>
    public double Contamination { get; set; } = DefaultContamination;

    /// <summary>Whether the output keeps the code column besides <c>Score</c> and <c>PredictedLabel</c>; by default it
    /// does not, as ML.NET's anomaly detectors (the fitted model's <c>Encode</c> gives the code either way).</summary>
    public bool KeepCode { get; set; }

    /// <summary>The default <see cref="Contamination"/>, also of the catalog methods.</summary>
    internal const double DefaultContamination = 0.05;

    internal override void Validate()
    {
        base.Validate();
        AutoencoderAnomalyDetector.CheckContamination(Contamination);
        if (ReconstructionErrorColumnName != AutoencoderAnomalyDetector.ScoreColumnName)
            throw new ArgumentException($"Option {nameof(ReconstructionErrorColumnName)} is '{ReconstructionErrorColumnName}'; an anomaly detector's score column is '{AutoencoderAnomalyDetector.ScoreColumnName}'.", nameof(ReconstructionErrorColumnName));
    }
}

/// <summary>The network of <see cref="AutoencoderAnomalyDetectorOptions"/>: the dense autoencoder.</summary>
internal sealed class AnomalyDetectorVariant(AutoencoderAnomalyDetectorOptions options) : DenseVariant(options);

/// <summary>An anomaly detector from any autoencoder variant: the row's reconstruction error is the <c>Score</c>
/// (larger is more anomalous) and <c>PredictedLabel</c> is true above a threshold set from the training rows' scores,
/// as ML.NET's anomaly detectors give them, so <c>mlContext.AnomalyDetection.Evaluate</c> takes its output. Made by
/// <c>mlContext.AnomalyDetection.Trainers.Autoencoder(...)</c> (docs/methods.md#anomaly-detection).</summary>
public sealed class AutoencoderAnomalyDetector : IEstimator<AutoencoderTransformer>
{
    /// <summary>The score column, as ML.NET's anomaly detectors name it.</summary>
    public const string ScoreColumnName = FirstPartyChain.ScoreColumn;

    /// <summary>The Boolean label column, as ML.NET's anomaly detectors name it.</summary>
    public const string PredictedLabelColumnName = FirstPartyChain.PredictedLabelColumn;

    private readonly AutoencoderEstimator<AutoencoderTransformer> _autoencoder;
    private readonly double _contamination;
    private readonly bool _keepCode;
    private readonly string _codeColumn;

    internal AutoencoderAnomalyDetector(TransformsCatalog catalog, AutoencoderOptions options, double contamination, bool keepCode)
    {
        _keepCode = keepCode;
        ArgumentNullException.ThrowIfNull(options);
        CheckContamination(contamination);
        if (options.ReconstructionErrorColumnName is not (null or ScoreColumnName))
            throw new ArgumentException($"Option {nameof(options.ReconstructionErrorColumnName)} is '{options.ReconstructionErrorColumnName}'; an anomaly detector's score column is '{ScoreColumnName}' (or leave it null).", nameof(options));
        var network = options.Clone();
        network.ReconstructionErrorColumnName = ScoreColumnName;
        _autoencoder = new(catalog, network);
        _codeColumn = network.OutputColumnName;
        _contamination = contamination;
    }

    internal static void CheckContamination(double contamination)
        => Check.Option(contamination >= 0 && contamination < 1, nameof(AutoencoderAnomalyDetectorOptions.Contamination), contamination, "in [0, 1)");

    /// <summary>Trains the autoencoder, scores the training rows and sets the threshold at their (1 - contamination)
    /// quantile.</summary>
    public AutoencoderTransformer Fit(IDataView input)
    {
        using var model = _autoencoder.Fit(input);
        var scores = model.Transform(input).GetColumn<float>(ScoreColumnName).ToArray();
        return model.WithAnomalyThreshold(Threshold(scores, _contamination), dropsCode: !_keepCode);
    }

    /// <summary>The score above which <paramref name="contamination"/> of <paramref name="scores"/> lie (ties below it
    /// stay below), so that share of the rows is labelled true.</summary>
    internal static float Threshold(float[] scores, double contamination)
    {
        Array.Sort(scores);
        // Rounded first, so that 0.05 × 100 flags 5 rows, not 4 by a float's last bit.
        int flagged = (int)Math.Floor(Math.Round(contamination * scores.Length, 6));
        return scores[scores.Length - 1 - flagged];
    }

    /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>, and the code when kept. Without it, an input
    /// column of the code's name goes too: the code hid it, and ML.NET drops columns by name.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        var shape = ColumnTypes.WithPredictedLabel(_autoencoder.GetOutputSchema(inputSchema));
        return _keepCode ? shape : new SchemaShape(shape.Where(c => c.Name != _codeColumn));
    }
}
