using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;
using Microsoft.ML.Autoencoders.Ops;

namespace Microsoft.ML.Autoencoders;

/// <summary>How the denoising autoencoder corrupts its training input (docs/methods.md#denoising-autoencoder).</summary>
public enum Corruption
{
    /// <summary>x + sigma·N(0, 1), clipped to [ClipMin, ClipMax] where those are set; NoiseLevel is sigma.</summary>
    Gaussian,
    /// <summary>Each feature set to 0 with probability NoiseLevel.</summary>
    Masking,
    /// <summary>Each feature set to the data's minimum or maximum (even odds) with probability NoiseLevel.</summary>
    SaltAndPepper,
}

/// <summary>Options of the denoising autoencoder: it learns to reconstruct clean rows from corrupted copies, drawn
/// afresh (from the seed) every time a row is seen. Its reconstruction column is the denoised estimate.</summary>
public sealed class DenoisingAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new DenoisingVariant(this);

    /// <summary>The denoised rows are what a denoising autoencoder is for: its reconstruction column is on by default.</summary>
    public DenoisingAutoencoderOptions() => ReconstructionColumnName = DefaultReconstructionColumnName;

    /// <summary>The corruption process.</summary>
    public Corruption Corruption { get; set; } = Corruption.Gaussian;

    /// <summary>sigma for <see cref="Corruption.Gaussian"/> (0 or more); the probability for the others (in [0, 1]).</summary>
    public double NoiseLevel { get; set; } = 0.2;

    /// <summary>Lower bound of Gaussian-corrupted values, and the "pepper" value; null: the training data's minimum (pepper) or no bound.</summary>
    public float? ClipMin { get; set; }

    /// <summary>Upper bound of Gaussian-corrupted values, and the "salt" value; null: the training data's maximum (salt) or no bound.</summary>
    public float? ClipMax { get; set; }

    internal override void Validate()
    {
        base.Validate();
        if (Corruption == Corruption.Gaussian)
            Check.Option(NoiseLevel >= 0 && double.IsFinite(NoiseLevel), nameof(NoiseLevel), NoiseLevel, "a standard deviation of 0 or more for Gaussian corruption");
        else
            Check.Option(NoiseLevel >= 0 && NoiseLevel <= 1, nameof(NoiseLevel), NoiseLevel, $"a probability in [0, 1] for {Corruption} corruption");
        Check.Option(ClipMin is null || float.IsFinite(ClipMin.Value), nameof(ClipMin), ClipMin!, "null or a finite value");
        Check.Option(ClipMax is null || float.IsFinite(ClipMax.Value), nameof(ClipMax), ClipMax!, "null or a finite value");
        if (ClipMin is float lo && ClipMax is float hi)
            Check.Option(lo < hi, nameof(ClipMin), lo, $"less than ClipMax ({hi})");
    }

}

internal sealed class DenoisingVariant(DenoisingAutoencoderOptions options) : DenseVariant(options)
{
    /// <summary>The main phase on corrupted rows; salt and pepper are ClipMax and ClipMin, or the training rows' range.</summary>
    protected override TrainingPhase MainPhase(DenseAutoencoderNetwork network, TrainingData train)
    {
        var (min, max) = options.ClipMin is null || options.ClipMax is null ? train.Range() : (0, 0);
        var (pepper, salt) = (options.ClipMin ?? min, options.ClipMax ?? max);
        return base.MainPhase(network, train) with { Corrupt = clean => Corrupt(clean, pepper, salt) };
    }

    private Tensor Corrupt(Tensor clean, float pepper, float salt)
    {
        float p = (float)options.NoiseLevel;
        return options.Corruption switch
        {
            Corruption.Gaussian => options.ClipMin is null && options.ClipMax is null
                ? clean.Plus(randn_like(clean).Times(p))
                : clean.Plus(randn_like(clean).Times(p)).Clamp(options.ClipMin ?? float.NegativeInfinity, options.ClipMax ?? float.PositiveInfinity),
            Corruption.Masking => clean * rand_like(clean).GreaterOrEqual(p),
            Corruption.SaltAndPepper => where(rand_like(clean).Less(p), where(rand_like(clean).Less(0.5), clean.FullLike(salt), clean.FullLike(pepper)), clean),
            _ => throw new ArgumentOutOfRangeException(nameof(options.Corruption), options.Corruption, "Unknown corruption."),
        };
    }
}
