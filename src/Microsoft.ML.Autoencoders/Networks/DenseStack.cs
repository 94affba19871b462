using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>Fully connected layers, each followed by its activation: one half of a dense autoencoder.</summary>
internal sealed class DenseStack : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<Linear> _layers = new();
    private readonly Activation[] _activations;
    private readonly double _leakySlope;

    /// <param name="name">Module name.</param>
    /// <param name="sizes">Layer widths, input first: n + 1 sizes make n layers.</param>
    /// <param name="hidden">Activation of every layer but the last.</param>
    /// <param name="last">Activation of the last layer.</param>
    /// <param name="leakySlope">Negative slope of <see cref="Activation.LeakyRelu"/>.</param>
    public DenseStack(string name, IReadOnlyList<int> sizes, Activation hidden, Activation last, double leakySlope = Activations.LeakySlope) : base(name)
    {
        _leakySlope = leakySlope;
        _activations = new Activation[sizes.Count - 1];
        for (int i = 0; i < _activations.Length; i++)
        {
            _layers.Add(nn.Linear(sizes[i], sizes[i + 1]));
            _activations[i] = i == _activations.Length - 1 ? last : hidden;
        }
        RegisterComponents();
    }

    public IEnumerable<Linear> Layers => _layers;

    public override Tensor forward(Tensor x)
    {
        for (int i = 0; i < _layers.Count; i++)
            x = Activations.Apply(_activations[i], _layers[i].forward(x), _leakySlope);
        return x;
    }

    /// <summary>The same computation as <see cref="forward"/>, written into an ONNX graph.</summary>
    public string Emit(OnnxGraph graph, string x)
    {
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            x = graph.Dense(x, ToArray(layer.weight!), ToArray(layer.bias!), (int)layer.weight!.shape[0], (int)layer.weight!.shape[1]);
            x = Activations.Emit(graph, _activations[i], x, _leakySlope);
        }
        return x;
    }

    /// <summary>A tensor's values on the CPU, row-major.</summary>
    public static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().cpu().contiguous();
        return cpu.data<float>().ToArray();
    }
}
