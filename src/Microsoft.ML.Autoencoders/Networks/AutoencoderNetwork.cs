using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>An encoder f and a decoder g, trainable in torch and exportable to ONNX.</summary>
internal abstract class AutoencoderNetwork : nn.Module<Tensor, Tensor>
{
    protected AutoencoderNetwork(string name) : base(name) { }

    /// <summary>z = f(x).</summary>
    public abstract Tensor Encode(Tensor x);

    /// <summary>x' = g(z).</summary>
    public abstract Tensor Decode(Tensor z);

    public override Tensor forward(Tensor x) => Decode(Encode(x));

    /// <summary>Writes f into the graph; returns the code's value name.</summary>
    public abstract string EmitEncoder(OnnxGraph graph, string x);

    /// <summary>Writes g into the graph; returns the reconstruction's value name.</summary>
    public abstract string EmitDecoder(OnnxGraph graph, string z);
}

/// <summary>Dense encoder input → hidden... → code, decoder mirroring it.</summary>
internal sealed class DenseAutoencoderNetwork : AutoencoderNetwork
{
    private readonly DenseStack _encoder;
    private readonly DenseStack _decoder;

    public DenseAutoencoderNetwork(int inputSize, AutoencoderOptions options) : base(nameof(DenseAutoencoderNetwork))
    {
        var sizes = new List<int> { inputSize };
        sizes.AddRange(options.HiddenLayers);
        sizes.Add(options.CodeSize);
        _encoder = new DenseStack("encoder", sizes, options.Activation, options.CodeActivation);
        sizes.Reverse();
        _decoder = new DenseStack("decoder", sizes, options.Activation, options.OutputActivation);
        RegisterComponents();
    }

    public DenseStack Encoder => _encoder;
    public DenseStack Decoder => _decoder;

    public override Tensor Encode(Tensor x) => _encoder.forward(x);
    public override Tensor Decode(Tensor z) => _decoder.forward(z);
    public override string EmitEncoder(OnnxGraph graph, string x) => _encoder.Emit(graph, x);
    public override string EmitDecoder(OnnxGraph graph, string z) => _decoder.Emit(graph, z);
}
