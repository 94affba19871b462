using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of AAnet, archetypal analysis in a learned latent space (METHODS.md section 9): the encoder maps
/// a row into R^(K-1), which holds a fixed regular simplex with K vertices; the row's barycentric coordinates in it
/// are its archetype weights (they sum to 1). The loss adds gamma · mean_i (sum_k max(-b_ik, 0))^2, pulling rows into
/// the simplex, and Gaussian noise on the latent point during training fills the simplex so the vertices — decoded,
/// the archetypes — sit on the data.</summary>
public sealed class ArchetypalAnalysisOptions : AutoencoderOptions
{
    /// <summary>The default output is the archetype weights; two hidden layers each way. <see cref="AutoencoderOptions.CodeSize"/>
    /// is not used: the latent space has <see cref="ArchetypeCount"/> - 1 dimensions.</summary>
    public ArchetypalAnalysisOptions()
    {
        OutputColumnName = "ArchetypeWeights";
        HiddenLayers = new[] { 64, 32 };
    }

    /// <summary>K, the number of archetypes; the latent space has K - 1 dimensions.</summary>
    public int ArchetypeCount { get; set; } = 4;

    /// <summary>Standard deviation of the Gaussian noise added to the latent point during training (the simplex's
    /// vertices are at distance 1 from its centre). Larger noise fills the simplex more surely but blurs the decoder near
    /// the vertices, i.e. the archetypes.</summary>
    public double LatentNoise { get; set; } = 0.05;

    /// <summary>gamma_a, the weight of the penalty on negative archetype weights. With 1, rows' largest weights reached
    /// 1.07-1.10 on synthetic data; 10 keeps them within 1.02.</summary>
    public double ArchetypalWeight { get; set; } = 10;

    /// <summary>When set, a column of this name holds each row's distance to its nearest archetype,
    /// (1 - max_k b_k) / (1 - 1/K): 0 on an archetype, 1 at the simplex's centre.</summary>
    public string? DistanceColumnName { get; set; }

    internal override void Validate()
    {
        Require(ArchetypeCount >= 2 && ArchetypeCount <= 256, nameof(ArchetypeCount), ArchetypeCount, "from 2 to 256");
        base.Validate();
        Require(LatentNoise >= 0 && double.IsFinite(LatentNoise), nameof(LatentNoise), LatentNoise, "a finite number of 0 or more");
        Require(ArchetypalWeight >= 0 && double.IsFinite(ArchetypalWeight), nameof(ArchetypalWeight), ArchetypalWeight, "a finite number of 0 or more");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; the latent simplex needs an unconstrained latent space, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

    internal override AutoencoderVariant CreateVariant() => new ArchetypalVariant(this);
}

internal sealed class ArchetypalVariant : AutoencoderVariant
{
    internal const string ArchetypesArray = "archetypes", DecoderGraph = "decoder";
    private readonly ArchetypalAnalysisOptions _options;
    private readonly float[] _vertices;      // K × (K-1): the simplex's vertices, row-major
    private readonly float[] _toWeights;     // (K-1) × K: b = z · _toWeights + _offset
    private readonly float[] _offset;        // K

    public ArchetypalVariant(ArchetypalAnalysisOptions options) : base(options)
    {
        _options = options;
        (_vertices, _toWeights, _offset) = Simplex(options.ArchetypeCount);
    }

    private int K => _options.ArchetypeCount;

    public override int CodeSize(int inputSize) => K;

    /// <summary>The dense network with a latent space of K - 1 dimensions (<see cref="AutoencoderOptions.CodeSize"/> is not used).</summary>
    public override AutoencoderNetwork CreateNetwork(int inputSize)
    {
        var options = _options.Clone();
        options.CodeSize = K - 1;
        return new DenseAutoencoderNetwork(inputSize, options);
    }

    public override void CheckInputSize(int inputSize, string column)
    {
        if (K - 1 > inputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"ArchetypeCount is {K}, so the latent space has {K - 1} dimensions, more than the {inputSize} features of input column '{column}'; expected ArchetypeCount - 1 <= {inputSize}.");
    }

    /// <summary>A regular simplex with K unit-length vertices centred at the origin of R^(K-1), and the affine map from a
    /// point to its barycentric coordinates: solve [V^T; 1^T] b = [z; 1].</summary>
    internal static (float[] Vertices, float[] ToWeights, float[] Offset) Simplex(int k)
    {
        // Centred standard basis vectors of R^K, expressed in an orthonormal basis of the plane sum = 0.
        var centred = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => (i == j ? 1.0 : 0.0) - 1.0 / k).ToArray()).ToArray();
        var basis = Analysis.LinearAlgebra.Orthonormalize(centred)[..(k - 1)];
        double scale = Math.Sqrt((k - 1.0) / k); // |e_i - 1/K| : rescale to unit circumradius
        var vertices = new double[k, k - 1];
        for (int i = 0; i < k; i++)
            for (int d = 0; d < k - 1; d++)
                vertices[i, d] = Analysis.LinearAlgebra.Dot(centred[i], basis[d]) / scale;
        var m = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int d = 0; d < k - 1; d++) m[d, i] = vertices[i, d];
            m[k - 1, i] = 1;
        }
        var inverse = Analysis.LinearAlgebra.Inverse(m);
        var toWeights = new float[(k - 1) * k];
        for (int d = 0; d < k - 1; d++)
            for (int i = 0; i < k; i++) toWeights[d * k + i] = (float)inverse[i, d];
        var offset = Enumerable.Range(0, k).Select(i => (float)inverse[i, k - 1]).ToArray();
        return (vertices.Cast<double>().Select(v => (float)v).ToArray(), toWeights, offset);
    }

    private Tensor Weights(Tensor z) => z.matmul(tensor(_toWeights, new long[] { K - 1, K }, device: z.device)) + tensor(_offset, device: z.device);

    private string EmitWeights(OnnxGraph graph, string z)
        => graph.Node("Gemm", new[] { z, graph.Constant(_toWeights, K - 1, K), graph.Constant(_offset, K) });

    public override Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, IDictionary<string, Tensor> terms)
    {
        var z = network.Encode(input);
        var noisy = network.training && _options.LatentNoise > 0 ? z + _options.LatentNoise * randn_like(z) : z;
        var reconstruction = Losses.Reconstruction(Options.Loss, network.Decode(noisy), x);
        var outside = nn.functional.relu(-Weights(z)).sum(1).square().mean();
        terms["reconstruction"] = reconstruction;
        terms["archetypal"] = outside;
        return reconstruction + _options.ArchetypalWeight * outside;
    }

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize)
    {
        var columns = base.OutputColumns(inputSize).ToList();
        if (_options.DistanceColumnName is { } d) columns.Add(new(d, 0));
        return columns;
    }

    public override Dictionary<string, Tensor> TorchOutputs(AutoencoderNetwork network, Tensor x)
    {
        var z = network.Encode(x);
        var weights = Weights(z);
        var outputs = new Dictionary<string, Tensor> { [Options.OutputColumnName] = weights };
        if (WantsReconstruction) AddReconstruction(outputs, network.Decode(z), x);
        if (_options.DistanceColumnName is { } d) outputs[d] = (1 - weights.amax(new long[] { 1 })) / (1 - 1.0 / K);
        return outputs;
    }

    public override Dictionary<string, string> EmitOutputs(OnnxGraph graph, AutoencoderNetwork network, string x)
    {
        var z = network.EmitEncoder(graph, x);
        var weights = EmitWeights(graph, z);
        var outputs = new Dictionary<string, string> { [Options.OutputColumnName] = weights };
        if (WantsReconstruction) AddReconstruction(outputs, graph, network.EmitDecoder(graph, z), x);
        if (_options.DistanceColumnName is { } d)
        {
            var max = graph.Node("ReduceMax", new[] { weights }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
            var gap = graph.Node("Sub", new[] { graph.Constant(new[] { 1f }), max });
            outputs[d] = graph.Node("Div", new[] { gap, graph.Constant(new[] { (float)(1 - 1.0 / K) }) });
        }
        return outputs;
    }

    public override Dictionary<string, byte[]> AuxiliaryGraphs(AutoencoderNetwork network, int inputSize)
        => new() { [DecoderGraph] = DecoderExport.Build(network, K - 1, inputSize) };

    /// <summary>The archetypes in data space: the decoded simplex vertices, K × D row-major.</summary>
    public override Dictionary<string, float[]> LearnedArrays(AutoencoderNetwork network, IReadOnlyList<Tensor> parts)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var device = network.parameters().First().device;
        var decoded = network.Decode(tensor(_vertices, new long[] { K, K - 1 }, device: device));
        return new() { [ArchetypesArray] = DenseStack.ToArray(decoded) };
    }

    internal float[] Vertices => _vertices;

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new ArchetypalAnalysisTransformer(catalog, state, this);
}

/// <summary>A fitted AAnet: rows' archetype weights, the archetypes in data space, and generation from the simplex.</summary>
public sealed class ArchetypalAnalysisTransformer : AutoencoderTransformer
{
    private readonly Lazy<OnnxScorer> _decoder;
    private readonly float[] _vertices;

    internal ArchetypalAnalysisTransformer(TransformsCatalog catalog, ModelState state, ArchetypalVariant variant) : base(catalog, state)
    {
        _decoder = new Lazy<OnnxScorer>(() => DecoderExport.Scorer(state, ArchetypalVariant.DecoderGraph, ArchetypeCount - 1));
        _vertices = variant.Vertices;
        var flat = state.Arrays[ArchetypalVariant.ArchetypesArray];
        Archetypes = Enumerable.Range(0, ArchetypeCount).Select(k => flat.AsSpan(k * InputSize, InputSize).ToArray()).ToArray();
    }

    /// <summary>K, the number of archetypes.</summary>
    public int ArchetypeCount => CodeSize;

    /// <summary>The archetypes in input units: the decoded vertices of the latent simplex, K rows of the input's size.</summary>
    public float[][] Archetypes { get; }

    /// <summary>Draws <paramref name="count"/> rows: weights b ~ Dirichlet(1, ..., 1) mixing the simplex vertices, decoded.</summary>
    public float[][] Generate(int count, int? seed = null)
    {
        AutoencoderOptions.Require(count >= 1, nameof(count), count, "at least 1");
        var rand = seed is int s ? new Random(s) : new Random();
        int k = ArchetypeCount, d = k - 1;
        var z = new float[count * d];
        for (int i = 0; i < count; i++)
        {
            // Dirichlet(1) = normalised Exp(1) draws.
            var w = Enumerable.Range(0, k).Select(_ => -Math.Log(1 - rand.NextDouble())).ToArray();
            double total = w.Sum();
            for (int j = 0; j < k; j++)
                for (int c = 0; c < d; c++) z[i * d + c] += (float)(w[j] / total * _vertices[j * d + c]);
        }
        var rows = _decoder.Value.RunSingle(z, count, 0);
        return Enumerable.Range(0, count).Select(i => rows.AsSpan(i * InputSize, InputSize).ToArray()).ToArray();
    }
}
