using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

// The worked example of docs/architecture.md#adding-a-variant: a new dense variant is this one file. It is a test
// fixture, and passes the shared estimator suite like every variant of the library.

/// <summary>Options of a sparse denoising autoencoder: masking noise on the input, an L1 penalty on the code.</summary>
public sealed class SparseDenoisingOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new SparseDenoisingVariant(this);

    public SparseDenoisingOptions() => CodeActivation = Activation.Relu;

    /// <summary>Probability that a feature is set to 0 in a training input.</summary>
    public double MaskingProbability { get; set; } = 0.2;

    /// <summary>lambda, the weight of the L1 penalty on the code.</summary>
    public double SparsityWeight { get; set; } = 1e-4;

    internal override void Validate()
    {
        base.Validate();
        Check.Option(MaskingProbability is >= 0 and < 1, nameof(MaskingProbability), MaskingProbability, "a probability in [0, 1)");
        Check.Option(SparsityWeight >= 0 && double.IsFinite(SparsityWeight), nameof(SparsityWeight), SparsityWeight, "a finite number of 0 or more");
    }
}

/// <summary>The network and outputs are the dense autoencoder's; only the input and the loss change.</summary>
internal sealed class SparseDenoisingVariant(SparseDenoisingOptions options) : DenseVariant(options)
{
    public const string SparsityTerm = "sparsity";

    // The main phase trains on masked rows; numbers meet tensors through TensorArithmetic (docs/conventions.md#numbers-and-tensors).
    protected override TrainingPhase MainPhase(DenseAutoencoderNetwork network, TrainingData train)
        => base.MainPhase(network, train) with { Corrupt = clean => clean * rand_like(clean).GreaterOrEqual(options.MaskingProbability) };

    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch)
    {
        var code = network.Encode(batch.Input);
        var reconstruction = Losses.Mean(options.Loss, network.Decode(code), batch.Target);
        return TrainingLoss.Reconstruction(reconstruction).Add(SparsityTerm, options.SparsityWeight, code.abs().sum(1).mean());
    }
}

/// <summary>Its catalog method.</summary>
public static class SparseDenoisingCatalog
{
    public static AutoencoderEstimator<AutoencoderTransformer> SparseDenoisingAutoencoder(this TransformsCatalog catalog, SparseDenoisingOptions options)
        => new(catalog, options);
}
