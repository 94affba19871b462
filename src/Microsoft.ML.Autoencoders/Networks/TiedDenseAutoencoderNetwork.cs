using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>A dense autoencoder whose decoder uses the transposed encoder weights (own biases): the encoder cannot
/// shrink by epsilon while the decoder grows by 1/epsilon, which would make a contraction penalty meaningless.</summary>
internal sealed class TiedDenseAutoencoderNetwork : AutoencoderNetwork
{
    private readonly DenseStack _encoder;
    private readonly ParameterList _decoderBiases = new();
    private readonly Activation[] _decoderActivations;

    public TiedDenseAutoencoderNetwork(int inputSize, AutoencoderOptions options) : base(nameof(TiedDenseAutoencoderNetwork))
    {
        var sizes = new List<int> { inputSize };
        sizes.AddRange(options.HiddenLayers);
        sizes.Add(options.CodeSize);
        _encoder = new DenseStack("encoder", sizes, options.Activation, options.CodeActivation);
        // Decoder layer i undoes encoder layer i, innermost first; its bias has encoder layer i's input size.
        int layers = sizes.Count - 1;
        _decoderActivations = new Activation[layers];
        for (int i = layers - 1; i >= 0; i--)
        {
            _decoderBiases.Add(new Parameter(zeros(sizes[i])));
            _decoderActivations[layers - 1 - i] = i == 0 ? options.OutputActivation : options.Activation;
        }
        RegisterComponents();
    }

    public DenseStack Encoder => _encoder;

    public override Tensor Encode(Tensor x) => _encoder.forward(x);

    public override Tensor Decode(Tensor z)
    {
        var weights = _encoder.Layers.Select(l => l.weight!).Reverse().ToArray();
        for (int i = 0; i < weights.Length; i++)
            z = Activations.Apply(_decoderActivations[i], z.matmul(weights[i]) + _decoderBiases[i]);
        return z;
    }

    public override string EmitEncoder(OnnxGraph graph, string x) => _encoder.Emit(graph, x);

    public override string EmitDecoder(OnnxGraph graph, string z)
    {
        var weights = _encoder.Layers.Select(l => l.weight!).Reverse().ToArray();
        for (int i = 0; i < weights.Length; i++)
        {
            z = graph.Dense(z, DenseStack.ToArray(weights[i]), DenseStack.ToArray(_decoderBiases[i]), (int)weights[i].shape[0], (int)weights[i].shape[1], transposed: false);
            z = Activations.Emit(graph, _decoderActivations[i], z);
        }
        return z;
    }
}
