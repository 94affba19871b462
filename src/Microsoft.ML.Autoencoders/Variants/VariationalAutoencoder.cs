using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the variational autoencoder (METHODS.md section 10): minimises the negative ELBO, the
/// reconstruction negative log-likelihood summed over features plus beta · KL(q(z|x) || N(0, I)). The likelihood is
/// Bernoulli for <see cref="ReconstructionLoss.BinaryCrossEntropy"/> (data in [0, 1], sigmoid output) and a unit-variance
/// Gaussian for <see cref="ReconstructionLoss.MeanSquaredError"/>. The code column is the posterior mean.</summary>
public sealed class VariationalAutoencoderOptions : AutoencoderOptions
{
    /// <summary>A VAE's usual shape: a small latent space behind one hidden layer.</summary>
    public VariationalAutoencoderOptions()
    {
        CodeSize = 2;
        HiddenLayers = new[] { 128 };
    }

    /// <summary>Weight of the KL term (1: the ELBO; above 1: a beta-VAE).</summary>
    public double Beta { get; set; } = 1;

    /// <summary>Epochs over which the KL weight rises linearly from near 0 to <see cref="Beta"/>; 0: no warm-up.</summary>
    public int KlWarmupEpochs { get; set; }

    /// <summary>When set, a column of this name holds the posterior log-variance log sigma^2(x).</summary>
    public string? LogVarianceColumnName { get; set; }

    internal override void Validate()
    {
        base.Validate();
        Require(Beta >= 0 && double.IsFinite(Beta), nameof(Beta), Beta, "a finite number of 0 or more");
        Require(KlWarmupEpochs >= 0, nameof(KlWarmupEpochs), KlWarmupEpochs, "0 (no warm-up) or more");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; a VAE's posterior mean is unconstrained, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

    internal override AutoencoderVariant CreateVariant() => new VariationalVariant(this);
}

/// <summary>Encoder body → (mu, log sigma^2) heads; decoder from z.</summary>
internal sealed class VariationalNetwork : AutoencoderNetwork
{
    private readonly DenseStack _body;
    private readonly Linear _mean;
    private readonly Linear _logVariance;
    private readonly DenseStack _decoder;
    private readonly bool _hasBody;

    public VariationalNetwork(int inputSize, AutoencoderOptions options) : base(nameof(VariationalNetwork))
    {
        var sizes = new List<int> { inputSize };
        sizes.AddRange(options.HiddenLayers);
        _hasBody = sizes.Count > 1;
        _body = new DenseStack("body", sizes, options.Activation, options.Activation);
        _mean = nn.Linear(sizes[^1], options.CodeSize);
        _logVariance = nn.Linear(sizes[^1], options.CodeSize);
        sizes.Add(options.CodeSize);
        sizes.Reverse();
        _decoder = new DenseStack("decoder", sizes.Take(sizes.Count - 1).Append(inputSize).ToList(), options.Activation, options.OutputActivation);
        RegisterComponents();
    }

    public (Tensor Mean, Tensor LogVariance) Posterior(Tensor x)
    {
        var h = _hasBody ? _body.forward(x) : x;
        return (_mean.forward(h), _logVariance.forward(h));
    }

    public override Tensor Encode(Tensor x) => Posterior(x).Mean;
    public override Tensor Decode(Tensor z) => _decoder.forward(z);

    public (string Mean, string LogVariance) EmitPosterior(OnnxGraph graph, string x)
    {
        var h = _hasBody ? _body.Emit(graph, x) : x;
        return (Head(graph, _mean, h), Head(graph, _logVariance, h));
    }

    private static string Head(OnnxGraph graph, Linear head, string h)
        => graph.Dense(h, DenseStack.ToArray(head.weight!), DenseStack.ToArray(head.bias!), (int)head.weight!.shape[0], (int)head.weight!.shape[1]);

    public override string EmitEncoder(OnnxGraph graph, string x) => EmitPosterior(graph, x).Mean;
    public override string EmitDecoder(OnnxGraph graph, string z) => _decoder.Emit(graph, z);
}

internal sealed class VariationalVariant(VariationalAutoencoderOptions options) : AutoencoderVariant(options)
{
    internal const string DecoderGraph = "decoder";
    private double _klWeight = options.KlWarmupEpochs == 0 ? options.Beta : options.Beta / (options.KlWarmupEpochs + 1);

    public override AutoencoderNetwork CreateNetwork(int inputSize) => new VariationalNetwork(inputSize, options);

    public override void BeginEpoch(int epoch)
        => _klWeight = options.Beta * Math.Min(1, options.KlWarmupEpochs == 0 ? 1 : epoch / (double)(options.KlWarmupEpochs + 1));

    public override Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, IDictionary<string, Tensor> terms)
    {
        var vae = (VariationalNetwork)network;
        var (mean, logVariance) = vae.Posterior(input);
        // Reparameterisation: z = mu + sigma · eps keeps the sample differentiable in mu and sigma. Validation decodes
        // the mean and weighs KL with the full Beta, so early stopping sees one steady objective during a warm-up.
        var z = network.training ? mean + (0.5 * logVariance).exp() * randn_like(mean) : mean;
        var decoded = vae.Decode(z);
        var nll = options.Loss == ReconstructionLoss.BinaryCrossEntropy
            ? nn.functional.binary_cross_entropy(decoded, x, reduction: nn.Reduction.Sum) / x.shape[0]
            : 0.5 * (decoded - x).square().sum(1).mean();
        var kl = (-0.5 * (1 + logVariance - mean.square() - logVariance.exp()).sum(1)).mean();
        terms["reconstruction"] = nll;
        terms["kl"] = kl;
        return nll + (network.training ? _klWeight : options.Beta) * kl;
    }

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize)
    {
        var columns = base.OutputColumns(inputSize).ToList();
        if (options.LogVarianceColumnName is { } name) columns.Add(new(name, options.CodeSize));
        return columns;
    }

    public override Dictionary<string, Tensor> TorchOutputs(AutoencoderNetwork network, Tensor x)
    {
        var outputs = base.TorchOutputs(network, x);
        if (options.LogVarianceColumnName is { } name) outputs[name] = ((VariationalNetwork)network).Posterior(x).LogVariance;
        return outputs;
    }

    public override Dictionary<string, string> EmitOutputs(OnnxGraph graph, AutoencoderNetwork network, string x)
    {
        var outputs = base.EmitOutputs(graph, network, x);
        if (options.LogVarianceColumnName is { } name) outputs[name] = ((VariationalNetwork)network).EmitPosterior(graph, x).LogVariance;
        return outputs;
    }

    /// <summary>The decoder alone, for generation and decoding after reload.</summary>
    public override Dictionary<string, byte[]> AuxiliaryGraphs(AutoencoderNetwork network, int inputSize)
        => new() { [DecoderGraph] = DecoderExport.Build(network, options.CodeSize, inputSize) };

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new VariationalAutoencoderTransformer(catalog, state);
}

/// <summary>A fitted variational autoencoder: the code column is the posterior mean; it also decodes and generates.</summary>
public sealed class VariationalAutoencoderTransformer : AutoencoderTransformer
{
    private readonly Lazy<OnnxScorer> _decoder;

    internal VariationalAutoencoderTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state)
        => _decoder = new Lazy<OnnxScorer>(() => DecoderExport.Scorer(state, VariationalVariant.DecoderGraph, state.Outputs[0].Size));

    /// <summary>Decodes one latent vector of <see cref="AutoencoderTransformer.CodeSize"/> values into a row.</summary>
    public float[] Decode(float[] latent)
    {
        ArgumentNullException.ThrowIfNull(latent);
        if (latent.Length != CodeSize)
            throw new ArgumentException($"The latent vector has {latent.Length} values; the model's latent space has {CodeSize}.", nameof(latent));
        return _decoder.Value.RunSingle(latent, 1, 0); // ONNX Runtime only reads the input
    }

    /// <summary>Draws <paramref name="count"/> rows from the model: z ~ N(0, I), decoded.</summary>
    public float[][] Generate(int count, int? seed = null)
    {
        AutoencoderOptions.Require(count >= 1, nameof(count), count, "at least 1");
        var rand = seed is int s ? new Random(s) : new Random();
        var z = new float[count * CodeSize];
        for (int i = 0; i < z.Length; i++)
            z[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble()));
        var rows = _decoder.Value.RunSingle(z, count, 0);
        return Enumerable.Range(0, count).Select(i => rows.AsSpan(i * InputSize, InputSize).ToArray()).ToArray();
    }
}
