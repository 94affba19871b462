using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders;

/// <summary>What <see cref="AutoencoderSweep"/> searches and how it judges a featurizer.</summary>
public sealed class AutoencoderSweepOptions
{
    /// <summary>A copy whose search-space arrays are copies too, so later changes by the caller do not reach a sweep.</summary>
    internal AutoencoderSweepOptions Clone()
    {
        var copy = (AutoencoderSweepOptions)MemberwiseClone();
        (copy.Variants, copy.CodeSizes, copy.LearningRates) = ((string[])Variants?.Clone()!, (int[])CodeSizes?.Clone()!, (double[])LearningRates?.Clone()!);
        (copy.SparsityWeights, copy.NoiseLevels, copy.ContractionWeights) = ((double[])SparsityWeights?.Clone()!, (double[])NoiseLevels?.Clone()!, (double[])ContractionWeights?.Clone()!);
        copy.HiddenLayers = HiddenLayers?.Select(h => (int[])h.Clone()).ToArray()!;
        return copy;
    }

    /// <summary>The input column of every featurizer: a known-size vector of Single.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The label of the downstream task; null: unsupervised, the objective is held-out reconstruction error (lower is better).</summary>
    public string? LabelColumnName { get; set; }

    /// <summary>The downstream task (with a label).</summary>
    public DownstreamTask Task { get; set; } = DownstreamTask.MulticlassClassification;

    /// <summary>The downstream learner; null: the linear default of <see cref="Downstream.Evaluate"/>. It reads the columns
    /// <see cref="Downstream.FeatureColumn"/> and <see cref="Downstream.LabelColumn"/>.</summary>
    public Func<MLContext, IEstimator<ITransformer>>? DownstreamTrainer { get; set; }

    /// <summary>Configurations sampled from the search space.</summary>
    public int Trials { get; set; } = 12;

    /// <summary>Cross-validation folds; every trial uses the same folds.</summary>
    public int Folds { get; set; } = 3;

    /// <summary>Seed of the sampling, the folds and every trial's training.</summary>
    public int Seed { get; set; }

    /// <summary>Stops starting new evaluations after this long and returns what was measured; null: no limit.</summary>
    public TimeSpan? TimeBudget { get; set; }

    /// <summary>Successive halving: each round keeps the best 1/<see cref="HalvingRate"/> of the configurations and trains
    /// them with <see cref="HalvingRate"/> times the epochs, up to <see cref="MaxEpochs"/>.</summary>
    public int HalvingRate { get; set; } = 3;

    /// <summary>Epochs of the last round; the first rounds train with fewer.</summary>
    public int MaxEpochs { get; set; } = 27;

    /// <summary>The variants to try, by catalog method name (see <see cref="AutoencoderSweep.KnownVariants"/>).</summary>
    public string[] Variants { get; set; } = { "Autoencoder", "SparseAutoencoder", "DenoisingAutoencoder", "ContractiveAutoencoder" };

    /// <summary>Code sizes to try.</summary>
    public int[] CodeSizes { get; set; } = { 8, 16, 32 };

    /// <summary>Hidden-layer shapes to try.</summary>
    public int[][] HiddenLayers { get; set; } = { Array.Empty<int>(), new[] { 64 } };

    // The spaces are spread around each option's own default, read from the options, so a default is written once.

    /// <summary>Learning rates to try: the default and three times it.</summary>
    public double[] LearningRates { get; set; } = { Default.LearningRate, 3 * Default.LearningRate };

    /// <summary>Sparse autoencoder: L1 weights to try: a tenth of the default and the default.</summary>
    public double[] SparsityWeights { get; set; } = { new SparseAutoencoderOptions().SparsityWeight / 10, new SparseAutoencoderOptions().SparsityWeight };

    /// <summary>Denoising autoencoder: masking probabilities to try: half and one and a half times the default noise level.</summary>
    public double[] NoiseLevels { get; set; } = { new DenoisingAutoencoderOptions().NoiseLevel / 2, 1.5 * new DenoisingAutoencoderOptions().NoiseLevel };

    /// <summary>Contractive autoencoder: contraction weights to try: a tenth of the default and the default.</summary>
    public double[] ContractionWeights { get; set; } = { new ContractiveAutoencoderOptions().ContractionWeight / 10, new ContractiveAutoencoderOptions().ContractionWeight };

    /// <summary>Rows per minibatch of every trial: smaller than a single Fit's default, because a trial trains a fixed,
    /// short budget of epochs (<see cref="MaxEpochs"/> at most) and needs the steps.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Threads for torch in every trial; null: torch's default, as a single Fit.</summary>
    public int? Threads { get; set; } = Default.Threads;

    private static readonly AutoencoderOptions Default = new();

    /// <summary>Receives every evaluation as it finishes.</summary>
    public IProgress<SweepTrial>? Progress { get; set; }

    /// <summary>Checked between and inside trials; cancelling throws <see cref="OperationCanceledException"/>.</summary>
    public CancellationToken CancellationToken { get; set; }
}

/// <summary>One evaluation of one configuration.</summary>
public sealed class SweepTrial
{
    internal SweepTrial(int configuration, int round, string variant, AutoencoderOptions options, double metric, double spread, TimeSpan duration)
        => (Configuration, Round, Variant, Options, Metric, MetricStdDev, Duration) = (configuration, round, variant, options, metric, spread, duration);

    /// <summary>Which sampled configuration (0-based); a configuration is evaluated once per round it survives.</summary>
    public int Configuration { get; }

    /// <summary>The successive-halving round (0-based); later rounds train longer.</summary>
    public int Round { get; }

    /// <summary>The catalog method name of the variant.</summary>
    public string Variant { get; }

    /// <summary>The featurizer's options (epochs included).</summary>
    public AutoencoderOptions Options { get; }

    /// <summary>Mean over the folds of the objective.</summary>
    public double Metric { get; }

    /// <summary>Standard deviation of the objective over the folds.</summary>
    public double MetricStdDev { get; }

    /// <summary>Wall-clock time of the evaluation (all folds).</summary>
    public TimeSpan Duration { get; }

    /// <summary>The variant's own knob, e.g. "sparsity 0.0001"; empty for the plain autoencoder.</summary>
    public string KeyOptions => AutoencoderSweep.Describe(Options);
}
