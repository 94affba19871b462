namespace Microsoft.ML.Autoencoders;

// The part of the options that names their variant, declared here because the variants are in this layer, above the
// options' own (docs/architecture.md#layers).
public partial class AutoencoderOptions
{
    /// <summary>The variant these options train: a new one each call, so each Fit has its own. Every variant's options
    /// derive from <see cref="VariantOptions"/>, where the compiler requires this one-line override; options deriving
    /// from this class directly without it are refused here (and <c>ArchitectureTests</c> checks every options class).</summary>
    internal virtual AutoencoderVariant CreateVariant() => GetType() == typeof(AutoencoderOptions) ? new DenseVariant(this)
        : throw new InvalidOperationException($"{GetType().Name} does not override {nameof(CreateVariant)}, so no variant trains it (docs/architecture.md#adding-a-variant).");
}

/// <summary>The base of every variant's options but the plain autoencoder's (which are <see cref="AutoencoderOptions"/>
/// themselves): a class deriving from it does not compile until it says which variant it trains
/// (docs/architecture.md#adding-a-variant).</summary>
public abstract class VariantOptions : AutoencoderOptions
{
    internal abstract override AutoencoderVariant CreateVariant();
}
