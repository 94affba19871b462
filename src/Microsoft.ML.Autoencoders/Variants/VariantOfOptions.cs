namespace Microsoft.ML.Autoencoders;

// The part of the options that names their variant, declared here because the variants are in this layer, above the
// options' own (docs/architecture.md#layers).
public partial class AutoencoderOptions
{
    /// <summary>The variant these options train: a new one each call, so each Fit has its own. Every options class
    /// overrides this with one line; C# cannot require it of a class deriving from a concrete one, so
    /// <c>ArchitectureTests</c> checks every options class, and options of a class that forgot are refused here.</summary>
    internal virtual AutoencoderVariant CreateVariant() => GetType() == typeof(AutoencoderOptions) ? new DenseVariant(this)
        : throw new InvalidOperationException($"{GetType().Name} does not override {nameof(CreateVariant)}, so no variant trains it (docs/architecture.md#adding-a-variant).");
}
