using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>The reconstruction losses, as training objectives and per row (the anomaly score), in torch and ONNX.</summary>
internal static class Losses
{
    // Clamp probabilities so the per-row cross-entropy stays finite; torch's own BCE clamps log at -100 instead.
    private const float Epsilon = 1e-7f;

    /// <summary>Mean over rows and features.</summary>
    public static Tensor Reconstruction(ReconstructionLoss loss, Tensor reconstruction, Tensor x) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => nn.functional.mse_loss(reconstruction, x),
        ReconstructionLoss.BinaryCrossEntropy => nn.functional.binary_cross_entropy(reconstruction, x),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    /// <summary>Mean over features, one value per row.</summary>
    public static Tensor PerRow(ReconstructionLoss loss, Tensor reconstruction, Tensor x) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => (reconstruction - x).square().mean(new long[] { 1 }),
        ReconstructionLoss.BinaryCrossEntropy => BinaryCrossEntropyPerRow(reconstruction.clamp(Epsilon, 1 - Epsilon), x),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    private static Tensor BinaryCrossEntropyPerRow(Tensor p, Tensor x)
        => -(x * p.log() + (1 - x) * (1 - p).log()).mean(new long[] { 1 });

    /// <summary><see cref="PerRow"/> as ONNX nodes; the result has shape [batch].</summary>
    public static string EmitPerRow(OnnxGraph g, ReconstructionLoss loss, string reconstruction, string x)
    {
        string elementwise;
        if (loss == ReconstructionLoss.MeanSquaredError)
        {
            var d = g.Node("Sub", new[] { reconstruction, x });
            elementwise = g.Node("Mul", new[] { d, d });
        }
        else
        {
            var p = g.Node("Clip", new[] { reconstruction, g.Constant(new[] { Epsilon }), g.Constant(new[] { 1 - Epsilon }) });
            var one = g.Constant(new[] { 1f });
            var logP = g.Node("Log", new[] { p });
            var log1mP = g.Node("Log", new[] { g.Node("Sub", new[] { one, p }) });
            var oneMinusX = g.Node("Sub", new[] { one, x });
            var sum = g.Node("Add", new[] { g.Node("Mul", new[] { x, logP }), g.Node("Mul", new[] { oneMinusX, log1mP }) });
            elementwise = g.Node("Neg", new[] { sum });
        }
        return g.Node("ReduceMean", new[] { elementwise }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
    }
}
