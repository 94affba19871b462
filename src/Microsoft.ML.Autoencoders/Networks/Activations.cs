using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>Each <see cref="Activation"/> in torch and as an ONNX node, side by side so the two cannot drift apart.</summary>
internal static class Activations
{
    public const double LeakySlope = 0.01;

    public static Tensor Apply(Activation activation, Tensor x, double leakySlope = LeakySlope) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => nn.functional.relu(x),
        Activation.LeakyRelu => nn.functional.leaky_relu(x, leakySlope),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    public static string Emit(OnnxGraph graph, Activation activation, string x, double leakySlope = LeakySlope) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => graph.Node("Relu", new[] { x }),
        Activation.LeakyRelu => graph.Node("LeakyRelu", new[] { x }, OnnxGraph.Float("alpha", (float)leakySlope)),
        Activation.Tanh => graph.Node("Tanh", new[] { x }),
        Activation.Sigmoid => graph.Node("Sigmoid", new[] { x }),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
