using Microsoft.ML.Autoencoders.Ops;
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
    public DenseStack(string name, IReadOnlyList<int> sizes, Activation hidden, Activation last, double leakySlope = TorchOps.LeakySlope) : base(name)
    {
        _leakySlope = leakySlope;
        _activations = LayerActivations(sizes.Count - 1, hidden, last);
        for (int i = 0; i < _activations.Length; i++) _layers.Add(nn.Linear(sizes[i], sizes[i + 1]));
        RegisterComponents();
    }

    /// <summary><paramref name="hidden"/> for every layer but the last, which gets <paramref name="last"/>.</summary>
    public static Activation[] LayerActivations(int layers, Activation hidden, Activation last)
        => Enumerable.Range(0, layers).Select(i => i == layers - 1 ? last : hidden).ToArray();

    public IList<Linear> Layers => _layers;

    public T Run<T>(IOps<T> ops, T x)
    {
        for (int i = 0; i < _layers.Count; i++)
            x = ops.Activate(ops.Linear(x, _layers[i].weight!, _layers[i].bias), _activations[i], _leakySlope);
        return x;
    }

    public override Tensor forward(Tensor x) => Run(TorchOps.Instance, x);
}
