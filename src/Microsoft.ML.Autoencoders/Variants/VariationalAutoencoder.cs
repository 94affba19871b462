using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the variational autoencoder (docs/methods.md#variational-autoencoder): minimises the negative ELBO, the
/// reconstruction negative log-likelihood summed over features plus beta · KL(q(z|x) || N(0, I)). The likelihood is
/// Bernoulli for <see cref="ReconstructionLoss.BinaryCrossEntropy"/> (data in [0, 1], sigmoid output) and a unit-variance
/// Gaussian for <see cref="ReconstructionLoss.MeanSquaredError"/>. The code column is the posterior mean. The training and
/// validation losses are the negative ELBO in nats per row, each estimated with one sample of z per row
/// (docs/methods.md#variational-autoencoder).</summary>
public sealed class VariationalAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new VariationalVariant(this);

    /// <summary>A VAE's usual shape: a small latent space behind one hidden layer.</summary>
    public VariationalAutoencoderOptions()
    {
        CodeSize = 2;
        HiddenLayers = new[] { 128 };
    }

    /// <summary>Weight of the KL term (1: the ELBO; above 1: a beta-VAE). The likelihood term is summed over features,
    /// as in the papers, so a beta from the literature carries over unchanged.</summary>
    public double Beta { get; set; } = 1;

    /// <summary>Epochs over which the KL weight rises linearly from near 0 to <see cref="Beta"/>; 0: no warm-up.</summary>
    public int KlWarmupEpochs { get; set; }

    /// <summary>When set, a column of this name holds the posterior log-variance log sigma^2(x).</summary>
    public string? LogVarianceColumnName { get; set; }

    internal override void Validate()
    {
        base.Validate();
        Check.Option(Beta >= 0 && double.IsFinite(Beta), nameof(Beta), Beta, "a finite number of 0 or more");
        Check.Option(KlWarmupEpochs >= 0, nameof(KlWarmupEpochs), KlWarmupEpochs, "0 (no warm-up) or more");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; a VAE's posterior mean is unconstrained, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

}

/// <summary>Encoder body → (mu, log sigma^2) heads; decoder from z.</summary>
internal sealed class VariationalNetwork : AutoencoderNetwork
{
    private readonly DenseStack _body;
    private readonly Linear _mean;
    private readonly Linear _logVariance;
    private readonly DenseStack _decoder;

    public VariationalNetwork(int inputSize, AutoencoderOptions options) : base(nameof(VariationalNetwork))
    {
        var sizes = DenseAutoencoderNetwork.Sizes(inputSize, options.HiddenLayers, options.CodeSize);
        _body = new DenseStack("body", sizes[..^1], options.Activation, options.Activation);
        _mean = nn.Linear(sizes[^2], options.CodeSize);
        _logVariance = nn.Linear(sizes[^2], options.CodeSize);
        sizes.Reverse();
        _decoder = new DenseStack("decoder", sizes, options.Activation, options.OutputActivation);
        RegisterComponents();
    }

    public (T Mean, T LogVariance) Posterior<T>(IOps<T> ops, T x)
    {
        var h = _body.Run(ops, x);
        return (ops.Linear(h, _mean.weight!, _mean.bias), ops.Linear(h, _logVariance.weight!, _logVariance.bias));
    }

    public override T Encode<T>(IOps<T> ops, T x) => Posterior(ops, x).Mean;
    public override T Decode<T>(IOps<T> ops, T z) => _decoder.Run(ops, z);
}

internal sealed class VariationalVariant(VariationalAutoencoderOptions options) : AutoencoderVariant<VariationalNetwork>(options)
{
    public const string KlTerm = "kl";

    public override VariationalNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays) => new(inputSize, options);

    /// <summary>KL's weight: Beta, reached by a linear warm-up over the first KlWarmupEpochs epochs of training.</summary>
    private double KlWeight(Minibatch batch)
        => batch.Progress is (int epoch, _) ? options.Beta * Math.Min(1, options.KlWarmupEpochs == 0 ? 1 : epoch / (double)(options.KlWarmupEpochs + 1)) : options.Beta;

    protected override TrainingLoss Objective(VariationalNetwork network, Minibatch batch)
    {
        var (mean, logVariance) = network.Posterior(TorchOps.Instance, batch.Input);
        // Reparameterisation: z = mu + sigma · eps keeps the sample differentiable in mu and sigma. Validation samples
        // z too, so its loss is a one-sample estimate of the negative ELBO, not the likelihood at the posterior mean
        // (which is lower and not comparable with published figures); it weighs KL with the full Beta, so early
        // stopping sees one steady objective during a warm-up.
        var z = mean.Plus(logVariance.Times(0.5).exp() * randn_like(mean));
        var decoded = network.Decode(z);
        var x = batch.Target;
        // The Gaussian's normalising constant D/2 log(2 pi) changes no gradient but makes the figure a log-likelihood.
        var nll = options.Loss == ReconstructionLoss.BinaryCrossEntropy
            ? Losses.CrossEntropy(decoded, x, nn.Reduction.Sum).Over(x.shape[0])
            : decoded.Minus(x).Squared().sum(1).mean().Times(0.5).Plus(0.5 * x.shape[1] * Math.Log(2 * Math.PI));
        // KL(q(z|x) || N(0, I)) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2).
        var kl = logVariance.Plus(1).Minus(mean.Squared()).Minus(logVariance.exp()).sum(1).Times(-0.5).mean();
        return TrainingLoss.Reconstruction(nll).Add(KlTerm, network.training ? KlWeight(batch) : options.Beta, kl);
    }

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = base.OutputColumns(inputSize, learned).ToList();
        if (options.LogVarianceColumnName is { } name) columns.Add(OutputColumn.Vector(name, options.CodeSize));
        return columns;
    }

    protected override Dictionary<string, T> Outputs<T>(IOps<T> ops, VariationalNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var (mean, logVariance) = network.Posterior(ops, x);
        var outputs = CodeAndReconstruction(ops, mean, () => network.Decode(ops, mean), x);
        if (options.LogVarianceColumnName is { } name) outputs[name] = logVariance;
        return outputs;
    }

    /// <summary>The decoder alone, for generation and decoding after reload.</summary>
    public override int? DecoderInputSize => options.CodeSize;

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new VariationalAutoencoderTransformer(catalog, state);
}

/// <summary>A fitted variational autoencoder: the code column is the posterior mean; it also decodes and generates.</summary>
public sealed class VariationalAutoencoderTransformer : AutoencoderTransformer
{
    internal VariationalAutoencoderTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state) { }

    private protected override int DecoderInputSize => CodeSize;

    /// <summary>Decodes one latent vector of <see cref="AutoencoderTransformer.CodeSize"/> values into a row.</summary>
    public float[] Decode(float[] latent)
    {
        ArgumentNullException.ThrowIfNull(latent);
        if (latent.Length != CodeSize)
            throw new ArgumentException($"The latent vector has {latent.Length} values; the model's latent space has {CodeSize}.", nameof(latent));
        return RunDecoder(latent, 1); // ONNX Runtime only reads the input
    }

    /// <summary>Draws <paramref name="count"/> rows from the model: z ~ N(0, I), decoded.</summary>
    public float[][] Generate(int count, int? seed = null)
    {
        Check.Option(count >= 1, nameof(count), count, "at least 1");
        var rand = seed is int s ? new Random(s) : new Random();
        var z = new float[count * CodeSize];
        for (int i = 0; i < z.Length; i++)
            z[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble()));
        var rows = RunDecoder(z, count);
        return Enumerable.Range(0, count).Select(i => rows.AsSpan(i * InputSize, InputSize).ToArray()).ToArray();
    }
}
