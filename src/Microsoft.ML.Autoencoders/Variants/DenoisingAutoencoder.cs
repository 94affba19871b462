using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>How the denoising autoencoder corrupts its training input (METHODS.md section 3).</summary>
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
public sealed class DenoisingAutoencoderOptions : AutoencoderOptions
{
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
            Require(NoiseLevel >= 0 && double.IsFinite(NoiseLevel), nameof(NoiseLevel), NoiseLevel, "a standard deviation of 0 or more for Gaussian corruption");
        else
            Require(NoiseLevel >= 0 && NoiseLevel <= 1, nameof(NoiseLevel), NoiseLevel, $"a probability in [0, 1] for {Corruption} corruption");
        Require(ClipMin is null || float.IsFinite(ClipMin.Value), nameof(ClipMin), ClipMin!, "null or a finite value");
        Require(ClipMax is null || float.IsFinite(ClipMax.Value), nameof(ClipMax), ClipMax!, "null or a finite value");
        if (ClipMin is float lo && ClipMax is float hi)
            Require(lo < hi, nameof(ClipMin), lo, $"less than ClipMax ({hi})");
    }

    internal override AutoencoderVariant CreateVariant() => new DenoisingVariant(this);
}

internal sealed class DenoisingVariant(DenoisingAutoencoderOptions options) : AutoencoderVariant(options)
{
    private float _min, _max;

    public override void Prepare(Tensor train, Tensor? auxiliary)
    {
        _min = options.ClipMin ?? train.min().item<float>();
        _max = options.ClipMax ?? train.max().item<float>();
    }

    public override Tensor Corrupt(Tensor x)
    {
        float p = (float)options.NoiseLevel;
        switch (options.Corruption)
        {
            case Corruption.Gaussian:
                var noisy = x + p * randn_like(x);
                return options.ClipMin is null && options.ClipMax is null ? noisy : noisy.clamp(options.ClipMin ?? float.NegativeInfinity, options.ClipMax ?? float.PositiveInfinity);
            case Corruption.Masking:
                return x * (rand_like(x) >= p);
            default:
                var hit = rand_like(x) < p;
                var salt = rand_like(x) < 0.5;
                return where(hit, where(salt, full_like(x, _max), full_like(x, _min)), x);
        }
    }
}
