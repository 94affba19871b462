using System.Text.Json.Serialization;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of SAUCIE (Amodio et al., Nature Methods 2019; docs/methods.md#saucie): one network giving a 2-d
/// embedding, clusters (from a sparse, near-binary clustering layer), denoised and imputed values, and batch-corrected
/// values (maximum mean discrepancy between each batch and a reference on the embedding). When both batch correction and
/// clustering are asked for, Fit runs the authors' two stages: a correcting network first, then clustering and embedding
/// of its corrected output; the fitted model computes every output from the raw input.</summary>
public sealed class SaucieOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new SaucieVariant(this);

    /// <summary>The published architecture and training setting: 512-256-128 with a 2-d embedding, Adam 1e-3, batch 256.</summary>
    public SaucieOptions()
    {
        HiddenLayers = new[] { 512, 256, 128 };
        CodeSize = 2;
        OutputColumnName = "Embedding";
        ReconstructionColumnName = DefaultReconstructionColumnName;
        Epochs = DefaultEpochs;
    }

    /// <summary>SAUCIE's default epochs a stage (the library's; the authors train 1,000 steps, see <see cref="Steps"/>).</summary>
    internal const int DefaultEpochs = 50;

    /// <summary>The embedding column (an alias of <see cref="AutoencoderOptions.OutputColumnName"/>); 2-d by default (<see cref="AutoencoderOptions.CodeSize"/>).</summary>
    [JsonIgnore]
    public string EmbeddingColumnName { get => OutputColumnName; set => OutputColumnName = value; }

    /// <summary>The cluster column, a key type with one value per cluster; missing (0) for unclustered rows. Null: no clustering.</summary>
    public string? ClusterColumnName { get; set; } = DefaultClusterColumnName;

    /// <summary>The default of <see cref="ClusterColumnName"/>.</summary>
    public const string DefaultClusterColumnName = "Cluster";

    /// <summary>A scalar text, key or integer column naming each row's batch; null: no batch correction.</summary>
    public string? BatchColumnName { get; set; }

    /// <summary>The reference batch, as text; null: the batch with the most rows.</summary>
    public string? ReferenceBatch { get; set; }

    /// <summary>lambda_c, the weight of the information-dimension (entropy) penalty on the clustering layer, against
    /// the reconstruction's mean squared error in units of the data's spread (docs/methods.md#saucie),
    /// so the paper's 0.1 means the same on any input scale.</summary>
    public double ClusterWeight { get; set; } = 0.1;

    /// <summary>lambda_d, the weight of the within-cluster distance penalty, whose distances are divided by their
    /// minibatch mean (docs/methods.md#saucie); needs <see cref="ClusterWeight"/> above 0.</summary>
    public double IntraClusterWeight { get; set; } = 0.2;

    /// <summary>lambda_b, the weight of the MMD batch-correction penalty.</summary>
    public double BatchWeight { get; set; } = 0.1;

    /// <summary>Clustering-layer patterns with fewer training rows are "unclustered". Null: 10, lowered on small data
    /// to one row in a hundred (at least 2), so 80 cells can still form clusters. The library's choice: the authors'
    /// code labels every row with no minimum and its cluster summary keeps patterns of more than 100 rows
    /// (docs/methods.md#saucie).</summary>
    public int? MinClusterSize { get; set; }

    /// <summary>The training length in optimiser steps (minibatches) of each stage, as the authors give it (their 1,000);
    /// it sets each stage's epochs to the fewest that take this many steps on the training rows (counted in minibatches
    /// of BatchSize: anchored minibatches, with many small batches, take more steps an epoch), and early stopping can
    /// still end a stage sooner. Null: the epochs of <see cref="AutoencoderOptions.Epochs"/>. Set one of the two
    /// (docs/methods.md#saucie).</summary>
    public int? Steps { get; set; }

    /// <summary>The epochs of a stage for <paramref name="trainRows"/> training rows: <see cref="Steps"/> in epochs, or
    /// <see cref="AutoencoderOptions.Epochs"/>.</summary>
    internal int? EpochsFor(int trainRows)
    {
        if (Steps is not int steps) return Epochs;
        long stepsPerEpoch = Training.TrainingLength.StepsPerEpoch(trainRows, BatchSize);
        return (int)((steps + stepsPerEpoch - 1) / stepsPerEpoch);
    }

    /// <summary>The <see cref="MinClusterSize"/> in effect for <paramref name="rows"/> training rows.</summary>
    internal int MinClusterSizeFor(int rows) => MinClusterSize ?? Math.Clamp(rows / 100, 2, 10);

    /// <summary>SAUCIE's binary patterns split one cell type into several clusters on some inputs (17-26 clusters for 6
    /// types on log-normalised counts, benchmark saucie-scales). With this set, clusters merge while merging raises the
    /// modularity of the embedding's nearest-neighbour graph of this many neighbours (30, as PhenoGraph's), over a
    /// subsample of fewer than 8,000 rows; null: the binary patterns' clusters as they are, as the authors' code gives
    /// them. Measured in docs/methods.md#saucie.</summary>
    public int? ClusterMergeNeighbours { get; set; } = 30;

    /// <summary>When set, the two clusters whose embedded rows are nearest by MMD merge, again and again, while that
    /// MMD is below this limit (on the normalised embedding, the same scale for any data; 0.05 joins the parts of a
    /// split blob in the tests), after any merging by <see cref="ClusterMergeNeighbours"/>; null: no merging by
    /// distance. See docs/methods.md#saucie.</summary>
    public double? ClusterMergeDistance { get; set; }

    internal bool Clustering => ClusterColumnName is not null && ClusterWeight > 0;
    internal bool BatchCorrection => BatchColumnName is not null && BatchWeight > 0;

    internal override void Validate()
    {
        base.Validate();
        if (HiddenLayers.Length == 0)
            throw new ArgumentException($"Option {nameof(HiddenLayers)} is empty; SAUCIE's clustering layer is the last decoder hidden layer, expected at least one width.", nameof(HiddenLayers));
        Check.Option(ClusterWeight >= 0 && double.IsFinite(ClusterWeight), nameof(ClusterWeight), ClusterWeight, "a finite number of 0 or more");
        Check.Option(IntraClusterWeight >= 0 && double.IsFinite(IntraClusterWeight), nameof(IntraClusterWeight), IntraClusterWeight, "a finite number of 0 or more");
        Check.Option(BatchWeight >= 0 && double.IsFinite(BatchWeight), nameof(BatchWeight), BatchWeight, "a finite number of 0 or more");
        Check.Option(IntraClusterWeight == 0 || ClusterWeight > 0, nameof(IntraClusterWeight), IntraClusterWeight, "0 while ClusterWeight is 0 (the distance penalty acts on the clustering the entropy penalty makes)");
        Check.Option(MinClusterSize is null || MinClusterSize >= 1, nameof(MinClusterSize), MinClusterSize!, "null or at least 1");
        Check.Option(Steps is null || Steps >= 1, nameof(Steps), Steps!, "null or at least 1");
        if (Steps is not null && Epochs is not null && Epochs != DefaultEpochs)
            throw new ArgumentException($"Options {nameof(Steps)} ({Steps}) and {nameof(Epochs)} ({Epochs}) both set the training length; set one.", nameof(Steps));
        // The regularisers build several BatchSize x BatchSize kernels per step.
        Check.Option(BatchSize <= 4096, nameof(BatchSize), BatchSize, "at most 4096 for SAUCIE (its penalties are quadratic in the minibatch)");
        Check.Option(ClusterMergeNeighbours is null || ClusterMergeNeighbours >= 1, nameof(ClusterMergeNeighbours), ClusterMergeNeighbours!, "null or at least 1");
        Check.Option(ClusterMergeDistance is null || ClusterMergeDistance >= 0 && double.IsFinite(ClusterMergeDistance.Value), nameof(ClusterMergeDistance), ClusterMergeDistance!, "null or a finite number of 0 or more");
        if (Loss != ReconstructionLoss.MeanSquaredError || OutputActivation != Activation.Identity)
            throw new ArgumentException($"SAUCIE reconstructs in input units with squared error; expected Loss = MeanSquaredError and OutputActivation = Identity.", nameof(Loss));
    }
}
