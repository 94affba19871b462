using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

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
        var sizes = new List<int> { inputSize };
        sizes.AddRange(hidden);
        sizes.Add(embeddingSize);
        _encoder = new DenseStack("encoder", sizes, Activation.LeakyRelu, Activation.Identity, LeakySlope);
        var up = sizes.Skip(1).Reverse().ToList();
        _decoder = new DenseStack("decoder", up, Activation.LeakyRelu, clustering ? Activation.Relu : Activation.LeakyRelu, LeakySlope);
        _output = nn.Linear(up[^1], inputSize);
        RegisterComponents();
    }

    /// <summary>The embedding E, the clustering layer A and the reconstruction R.</summary>
    public (Tensor Embedding, Tensor Clustering, Tensor Reconstruction) Run(Tensor x)
    {
        var embedding = _encoder.forward(x);
        var clustering = _decoder.forward(embedding);
        return (embedding, clustering, _output.forward(clustering));
    }

    public override Tensor forward(Tensor x) => Run(x).Reconstruction;

    public (string Embedding, string Clustering, string Reconstruction) Emit(OnnxGraph graph, string x)
    {
        var embedding = _encoder.Emit(graph, x);
        var clustering = _decoder.Emit(graph, embedding);
        var w = _output.weight!;
        return (embedding, clustering, graph.Dense(clustering, DenseStack.ToArray(w), DenseStack.ToArray(_output.bias!), (int)w.shape[0], (int)w.shape[1]));
    }

    public Tensor Decode(Tensor embedding) => _output.forward(_decoder.forward(embedding));

    public string EmitDecoder(OnnxGraph graph, string embedding)
    {
        var w = _output.weight!;
        return graph.Dense(_decoder.Emit(graph, embedding), DenseStack.ToArray(w), DenseStack.ToArray(_output.bias!), (int)w.shape[0], (int)w.shape[1]);
    }
}

/// <summary>SAUCIE as one network: with both batch correction and clustering, a correcting stage whose
/// reconstruction (the batch-corrected data) feeds the main stage; otherwise the main stage alone.</summary>
internal sealed class SaucieNetwork : AutoencoderNetwork
{
    public SaucieNetwork(int inputSize, SaucieOptions options, bool twoStages, bool clustering) : base(nameof(SaucieNetwork))
    {
        _corrector = twoStages ? new SaucieStage("corrector", inputSize, options.HiddenLayers, options.CodeSize, clustering: false) : null;
        _main = new SaucieStage("main", inputSize, options.HiddenLayers, options.CodeSize, clustering);
        RegisterComponents();
    }

    private readonly SaucieStage? _corrector;
    private readonly SaucieStage _main;

    public SaucieStage? Corrector => _corrector;
    public SaucieStage Main => _main;

    /// <summary>What the main stage sees: the corrected data when there is a correcting stage (trained before, frozen).</summary>
    public Tensor StageInput(Tensor x)
    {
        if (Corrector is null) return x;
        using var noGrad = no_grad();
        return Corrector.Run(x).Reconstruction;
    }

    public string EmitStageInput(OnnxGraph graph, string x) => Corrector is null ? x : Corrector.Emit(graph, x).Reconstruction;

    public override Tensor Encode(Tensor x) => Main.Run(StageInput(x)).Embedding;
    public override Tensor Decode(Tensor z) => Main.Decode(z);
    public override string EmitEncoder(OnnxGraph graph, string x) => Main.Emit(graph, EmitStageInput(graph, x)).Embedding;
    public override string EmitDecoder(OnnxGraph graph, string z) => Main.EmitDecoder(graph, z);
}
