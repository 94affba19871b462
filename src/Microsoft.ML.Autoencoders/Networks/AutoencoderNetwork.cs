using Microsoft.ML.Autoencoders.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>An encoder f and a decoder g, each written once in <see cref="IOps{T}"/>: torch trains them, the same
/// code writes the ONNX graph.</summary>
internal abstract class AutoencoderNetwork(string name) : nn.Module<Tensor, Tensor>(name)
{
    /// <summary>z = f(x).</summary>
    public abstract T Encode<T>(IOps<T> ops, T x);

    /// <summary>x' = g(z).</summary>
    public abstract T Decode<T>(IOps<T> ops, T z);

    public Tensor Encode(Tensor x) => Encode(TorchOps.Instance, x);
    public Tensor Decode(Tensor z) => Decode(TorchOps.Instance, z);
    public override Tensor forward(Tensor x) => Decode(Encode(x));
}

/// <summary>Dense encoder input → hidden... → code, decoder mirroring it. With tied weights the decoder uses the
/// transposed encoder weights (own biases), so the encoder cannot shrink by ε while the decoder grows by 1/ε, which
/// would make a penalty on the encoder's Jacobian meaningless.</summary>
internal sealed class DenseAutoencoderNetwork : AutoencoderNetwork
{
    private readonly DenseStack _encoder;
    private readonly DenseStack? _decoder;
    private readonly TorchSharp.Modules.ParameterList _tiedBiases = new();
    private readonly Activation[] _tiedActivations = Array.Empty<Activation>();

    /// <param name="sizes">Layer widths from the input to the code.</param>
    /// <param name="activation">Activation of the hidden layers.</param>
    /// <param name="codeActivation">Activation of the code layer.</param>
    /// <param name="outputActivation">Activation of the reconstruction.</param>
    /// <param name="tied">Whether the decoder uses the transposed encoder weights.</param>
    public DenseAutoencoderNetwork(IReadOnlyList<int> sizes, Activation activation, Activation codeActivation, Activation outputActivation, bool tied = false)
        : base(nameof(DenseAutoencoderNetwork))
    {
        _encoder = new DenseStack("encoder", sizes, activation, codeActivation);
        var mirrored = sizes.Reverse().ToList();
        if (!tied) _decoder = new DenseStack("decoder", mirrored, activation, outputActivation);
        else
        {
            // Decoder layer i undoes encoder layer n-1-i; its bias has that layer's input size.
            _tiedActivations = DenseStack.LayerActivations(mirrored.Count - 1, activation, outputActivation);
            foreach (var width in mirrored.Skip(1)) _tiedBiases.Add(new TorchSharp.Modules.Parameter(zeros(width)));
        }
        RegisterComponents();
    }

    /// <summary>The dense autoencoder of the options' layer widths.</summary>
    public DenseAutoencoderNetwork(int inputSize, AutoencoderOptions options, int? codeSize = null, bool tied = false)
        : this(Sizes(inputSize, options.HiddenLayers, codeSize ?? options.CodeSize), options.Activation, options.CodeActivation, options.OutputActivation, tied) { }

    /// <summary>Widths from the input through the hidden layers to the code.</summary>
    public static List<int> Sizes(int inputSize, IEnumerable<int> hidden, int codeSize) => hidden.Prepend(inputSize).Append(codeSize).ToList();

    public DenseStack Encoder => _encoder;
    public DenseStack? Decoder => _decoder;

    public override T Encode<T>(IOps<T> ops, T x) => _encoder.Run(ops, x);

    public override T Decode<T>(IOps<T> ops, T z)
    {
        if (_decoder is not null) return _decoder.Run(ops, z);
        var weights = _encoder.Layers.Select(l => l.weight!).Reverse().ToArray();
        for (int i = 0; i < weights.Length; i++)
            z = ops.Activate(ops.Linear(z, weights[i], _tiedBiases[i], transposed: false), _tiedActivations[i]);
        return z;
    }
}
