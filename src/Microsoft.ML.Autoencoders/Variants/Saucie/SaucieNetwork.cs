using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>One SAUCIE network: input → hidden... → 2-d embedding E (linear) → mirrored hidden layers, the last
/// being the clustering layer A → linear reconstruction. Leaky ReLU (slope 0.2) throughout, except A, which is ReLU
/// when clustering is on.</summary>
internal sealed class SaucieStage : nn.Module<Tensor, Tensor>
{
    public const double LeakySlope = 0.2;
    private readonly DenseStack _encoder;
    private readonly DenseStack _decoder;
    private readonly Linear _output;

    public SaucieStage(string name, int inputSize, IReadOnlyList<int> hidden, int embeddingSize, bool clustering) : base(name)
    {
        var sizes = DenseAutoencoderNetwork.Sizes(inputSize, hidden, embeddingSize);
        _encoder = new DenseStack("encoder", sizes, Activation.LeakyRelu, Activation.Identity, LeakySlope);
        var up = sizes.Skip(1).Reverse().ToList();
        _decoder = new DenseStack("decoder", up, Activation.LeakyRelu, clustering ? Activation.Relu : Activation.LeakyRelu, LeakySlope);
        _output = nn.Linear(up[^1], inputSize);
        RegisterComponents();
    }

    /// <summary>The embedding E, the clustering layer A and the reconstruction R.</summary>
    public (T Embedding, T Clustering, T Reconstruction) Run<T>(IOps<T> ops, T x)
    {
        var embedding = _encoder.Run(ops, x);
        var (clustering, reconstruction) = Decode(ops, embedding);
        return (embedding, clustering, reconstruction);
    }

    /// <summary>The clustering layer and the reconstruction from an embedding.</summary>
    public (T Clustering, T Reconstruction) Decode<T>(IOps<T> ops, T embedding)
    {
        var clustering = _decoder.Run(ops, embedding);
        return (clustering, ops.Linear(clustering, _output.weight!, _output.bias));
    }

    public override Tensor forward(Tensor x) => Run(TorchOps.Instance, x).Reconstruction;
}

/// <summary>SAUCIE as one network: with both batch correction and clustering, a correcting stage whose
/// reconstruction (the batch-corrected data) feeds the main stage; otherwise the main stage alone. The stages see the
/// input divided by the training rows' root mean square deviation and the corrected values are multiplied back, so
/// the penalties weigh the same on any input scale (docs/methods.md#saucie).</summary>
internal sealed class SaucieNetwork : AutoencoderNetwork
{
    private readonly SaucieStage? _corrector;
    private readonly SaucieStage _main;
    private readonly float _scale;

    public SaucieNetwork(int inputSize, SaucieOptions options, bool twoStages, double inputScale) : base(nameof(SaucieNetwork))
    {
        _corrector = twoStages ? new SaucieStage("corrector", inputSize, options.HiddenLayers, options.CodeSize, clustering: false) : null;
        _main = new SaucieStage("main", inputSize, options.HiddenLayers, options.CodeSize, options.Clustering);
        // A spread outside Single's normal range would make 1 / scale infinite: such data trains in its own units.
        _scale = float.IsNormal((float)inputScale) && float.IsNormal(1 / (float)inputScale) ? (float)inputScale : 1;
        RegisterComponents();
    }

    /// <summary>The correcting stage, trained first and then frozen; null with one stage.</summary>
    public SaucieStage? Corrector => _corrector;
    public SaucieStage Main => _main;

    /// <summary>Raw rows in the stages' units: divided by the training rows' root mean square deviation.</summary>
    public T Scaled<T>(IOps<T> ops, T x) => Times(ops, x, 1 / _scale);

    /// <summary>x · factor; nothing when the factor is 1, so a model saved before SAUCIE scaled its input (scale 1)
    /// is written as the same graph again.</summary>
    private static T Times<T>(IOps<T> ops, T x, float factor) => factor == 1 ? x : ops.Affine(x, factor, 0);

    /// <summary>What the main stage sees, from scaled rows: the corrected data when there is a correcting stage, else the rows.</summary>
    public T StageInput<T>(IOps<T> ops, T scaled) => _corrector is null ? scaled : _corrector.Run(ops, scaled).Reconstruction;

    /// <summary>The main stage's outputs for raw rows; the corrected data (in input units) is the reconstruction of
    /// whichever stage corrects.</summary>
    public (T Embedding, T Clustering, T Corrected) Run<T>(IOps<T> ops, T x)
    {
        var stageInput = StageInput(ops, Scaled(ops, x));
        var (embedding, clustering, reconstruction) = _main.Run(ops, stageInput);
        return (embedding, clustering, Times(ops, _corrector is null ? reconstruction : stageInput, _scale));
    }

    public override T Encode<T>(IOps<T> ops, T x) => _main.Run(ops, StageInput(ops, Scaled(ops, x))).Embedding;
    public override T Decode<T>(IOps<T> ops, T z) => Times(ops, _main.Decode(ops, z).Reconstruction, _scale);
}
