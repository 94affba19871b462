using System.Text.Json.Serialization;

namespace Microsoft.ML.Autoencoders;

/// <summary>Element-wise nonlinearity of a layer.</summary>
public enum Activation
{
    /// <summary>No nonlinearity (a linear layer).</summary>
    Identity,
    /// <summary>max(x, 0).</summary>
    Relu,
    /// <summary>max(x, 0.01 x).</summary>
    LeakyRelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid, 1 / (1 + e^-x).</summary>
    Sigmoid,
}

/// <summary>How the reconstruction is compared with the input (see docs/conventions.md#loss-scale).</summary>
public enum ReconstructionLoss
{
    /// <summary>Mean squared error over rows and features.</summary>
    MeanSquaredError,
    /// <summary>Mean per-feature binary cross-entropy; inputs must lie in [0, 1] and the output activation must be <see cref="Activation.Sigmoid"/>.</summary>
    BinaryCrossEntropy,
}

/// <summary>Where <c>Fit</c> keeps the training rows it reads (docs/conventions.md#data-in-training).</summary>
public enum DataCache
{
    /// <summary>In memory when the values fit in a quarter of the memory available, else on disk; the choice is logged.</summary>
    Auto,
    /// <summary>In memory, once, as Single: peak memory is the values plus a 4 MB block.</summary>
    Memory,
    /// <summary>In a file of <see cref="AutoencoderOptions.CacheDirectory"/> that has no name once created (gone when
    /// <c>Fit</c> ends, however it ends), rows read back one by one: memory does not grow with the row count.</summary>
    Disk,
}

/// <summary>Options of the dense undercomplete autoencoder; every other variant's options derive from it. The
/// method: docs/methods.md#undercomplete-and-deep-autoencoders; the shared conventions: docs/conventions.md.</summary>
// Partial: the member that creates the variant is declared with the variants (Variants/VariantOfOptions.cs), the layer
// that knows them.
public partial class AutoencoderOptions
{
    /// <summary>The input column: a known-size vector of <see cref="float"/>.</summary>
    public string InputColumnName { get; set; } = "Features";

    /// <summary>The output column holding the code (the latent representation).</summary>
    public string OutputColumnName { get; set; } = "Code";

    /// <summary>The reconstruction column's name where a variant produces one by default (denoising, SAUCIE).</summary>
    public const string DefaultReconstructionColumnName = "Reconstruction";

    /// <summary>When set, a column of this name holds the reconstruction of the input.</summary>
    public string? ReconstructionColumnName { get; set; }

    /// <summary>When set, a column of this name holds the row's mean reconstruction error (per feature, in the unit
    /// of <see cref="Loss"/>): an anomaly score, larger for rows unlike the training data. A scalar <c>Single</c>
    /// (docs/conventions.md#column-types).</summary>
    public string? ReconstructionErrorColumnName { get; set; }

    /// <summary>Width of the code layer (of the dense variants; the convolutional autoencoder and AAnet size their code
    /// from their own options and refuse another value here).</summary>
    public int CodeSize { get; set; } = DefaultCodeSize;

    /// <summary>The default <see cref="CodeSize"/>.</summary>
    internal const int DefaultCodeSize = 32;

    /// <summary>Widths of the encoder's hidden layers, input side first; the decoder mirrors them. Empty: one layer each way.</summary>
    public int[] HiddenLayers { get; set; } = Array.Empty<int>();

    /// <summary>Maximum number of passes over the training rows; null (the default) sizes the budget to the data:
    /// min(400, 8,000,000 / training rows) epochs (scvi-tools' rule), at least 1,000 optimiser steps, with early stopping on
    /// (docs/conventions.md#training-length). A fit whose best epoch is its last warns through <c>mlContext.Log</c>.</summary>
    public int? Epochs { get; set; }

    /// <summary>Rows per minibatch.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Fraction of rows held out to measure the validation loss, in [0, 1); 0 trains on every row.</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>Stop after this many epochs without improvement of the validation loss (the training loss when there
    /// is no validation split) and restore the best epoch's weights; 0 turns early stopping off; null (the default):
    /// a tenth of the phase's epochs, from 5 to 100 (docs/conventions.md#training-length).</summary>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Seed of weight initialisation, shuffling, the validation split and noise; null takes one from the MLContext.</summary>
    public int? Seed { get; set; }

    /// <summary>Threads torch may use while training; null leaves torch's default. On a machine shared with
    /// other work, 1 is the most stable choice.</summary>
    public int? Threads { get; set; }

    /// <summary>CUDA device to train on; null takes <c>MLContext.GpuDeviceId</c>.</summary>
    public int? GpuDeviceId { get; set; }

    /// <summary>Train on the CPU when the CUDA device is not available; null takes <c>MLContext.FallbackToCpu</c>.</summary>
    public bool? FallbackToCpu { get; set; }

    /// <summary>Receives the metrics of every epoch.</summary>
    [JsonIgnore]
    public IProgress<EpochMetrics>? Progress { get; set; }

    /// <summary>Receives progress within epochs, every <see cref="BatchProgressInterval"/> minibatches: for a progress
    /// bar on long epochs.</summary>
    [JsonIgnore]
    public IProgress<BatchMetrics>? BatchProgress { get; set; }

    /// <summary>Minibatches between reports to <see cref="BatchProgress"/>, at least 1.</summary>
    public int BatchProgressInterval { get; set; } = 50;

    /// <summary>Checked between minibatches; cancelling makes <c>Fit</c> throw <see cref="OperationCanceledException"/>,
    /// or return the best model so far when <see cref="KeepBestOnCancellation"/> is set.</summary>
    [JsonIgnore]
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Where the training rows are kept while <c>Fit</c> runs.</summary>
    public DataCache DataCache { get; set; } = DataCache.Auto;

    /// <summary>The folder of <see cref="DataCache.Disk"/>'s file; null: the temp folder.</summary>
    public string? CacheDirectory { get; set; }

    /// <summary>When <see cref="CancellationToken"/> is cancelled during training, stop and return a model with the best
    /// weights so far of the phase under way instead of throwing; the history shows where it stopped. Cancelled before
    /// any epoch has ended there is nothing to keep, and Fit throws.</summary>
    public bool KeepBestOnCancellation { get; set; }

    /// <summary>Rows to measure the validation loss on (the input column, of the training data's size); when set,
    /// <see cref="ValidationFraction"/> is not used and every training row trains. Null: split off the fraction.</summary>
    [JsonIgnore]
    public IDataView? ValidationData { get; set; }

    /// <summary>Activation of the hidden layers.</summary>
    public Activation Activation { get; set; } = Activation.Relu;

    /// <summary>Activation of the code layer.</summary>
    public Activation CodeActivation { get; set; } = Activation.Identity;

    /// <summary>Activation of the reconstruction layer.</summary>
    public Activation OutputActivation { get; set; } = Activation.Identity;

    /// <summary>The reconstruction loss.</summary>
    public ReconstructionLoss Loss { get; set; } = ReconstructionLoss.MeanSquaredError;

    /// <summary>The widest layer allowed: wider ones would not fit in memory at any input size worth encoding, and a
    /// bound keeps a model file from asking for more than it could hold.</summary>
    internal const int MaxWidth = 1 << 16;

    /// <summary>Throws when an option is out of range; variants add their own checks.</summary>
    internal virtual void Validate()
    {
        RequireName(InputColumnName, nameof(InputColumnName));
        RequireName(OutputColumnName, nameof(OutputColumnName));
        Check.Option(CodeSize is >= 1 and <= MaxWidth, nameof(CodeSize), CodeSize, $"from 1 to {MaxWidth}");
        for (int i = 0; i < (HiddenLayers ?? throw new ArgumentNullException(nameof(HiddenLayers))).Length; i++)
            Check.Option(HiddenLayers[i] is >= 1 and <= MaxWidth, $"{nameof(HiddenLayers)}[{i}]", HiddenLayers[i], $"a width from 1 to {MaxWidth}");
        Check.Option(Epochs is null or >= 1, nameof(Epochs), Epochs!, "null (sized to the data) or at least 1");
        Check.Option(BatchSize >= 1, nameof(BatchSize), BatchSize, "at least 1");
        Check.Option(LearningRate > 0 && double.IsFinite(LearningRate), nameof(LearningRate), LearningRate, "a finite number above 0");
        Check.Option(ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction), ValidationFraction, "in [0, 1)");
        Check.Option(BatchProgressInterval >= 1, nameof(BatchProgressInterval), BatchProgressInterval, "at least 1");
        Check.Option(EarlyStoppingPatience is null or >= 0, nameof(EarlyStoppingPatience), EarlyStoppingPatience!, "null (automatic), 0 (off) or more");
        Check.Option(Threads is null or >= 1, nameof(Threads), Threads!, "null or at least 1");
        Check.Option(GpuDeviceId is null or >= 0, nameof(GpuDeviceId), GpuDeviceId!, "null or a device number of 0 or more");
        if (Loss == ReconstructionLoss.BinaryCrossEntropy && OutputActivation != Activation.Sigmoid)
            throw new ArgumentException(
                $"{nameof(Loss)} = {nameof(ReconstructionLoss.BinaryCrossEntropy)} needs reconstructions in (0, 1), but {nameof(OutputActivation)} is {OutputActivation}; set it to {nameof(Activation.Sigmoid)}.",
                nameof(OutputActivation));
    }

    private static void RequireName(string? name, string option)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new ArgumentException($"Option {option} is empty; expected a column name.", option);
    }

    /// <summary>Whether a phase whose best epoch is its last warns; the sweep, which sets the epochs of its trials
    /// itself, turns it off. Not saved.</summary>
    internal bool WarnWhenStillImproving { get; set; } = true;

    /// <summary>A copy without what belongs to one Fit (progress, cancellation, validation data), as a fitted model keeps it.</summary>
    internal AutoencoderOptions WithoutFitState()
    {
        var copy = Clone();
        (copy.Progress, copy.BatchProgress, copy.CancellationToken, copy.ValidationData) = (null, null, default, null);
        copy.WarnWhenStillImproving = true;   // the sweep's setting for its trials is not the fitted model's
        copy.DropFitState();
        return copy;
    }

    /// <summary>Clears a variant's own objects that serve one Fit (e.g. a pretrained encoder).</summary>
    private protected virtual void DropFitState() { }

    /// <summary>A copy (arrays included), so that later changes by the caller do not reach an estimator or a fitted model.</summary>
    internal AutoencoderOptions Clone()
    {
        var copy = (AutoencoderOptions)MemberwiseClone();
        copy.HiddenLayers = (int[])HiddenLayers.Clone();
        copy.CloneArrays();
        return copy;
    }

    /// <summary>Replaces a variant's own array options by copies.</summary>
    private protected virtual void CloneArrays() { }
}
