using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The training losses as torch computes them.</summary>
[TestClass]
public sealed class LossTests
{
    [TestMethod]
    public void Cross_entropy_of_a_sigmoid_output_is_computed_on_the_logits_exactly_where_probabilities_saturate()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { -3, -0.5f, 0, 0.5f, 3, 30, -30 }, new long[] { 1, 7 });
        var target = tensor(new float[] { 0, 1, 0.5f, 0.25f, 1, 0, 1 }, new long[] { 1, 7 });
        var probabilities = TorchOps.Instance.Activate(logits, Activation.Sigmoid);
        var fused = Losses.Mean(ReconstructionLoss.BinaryCrossEntropy, probabilities, target).item<float>();
        // The exact mean of softplus(z) - t z; at z = ±30 the probabilities round to 0 and 1.
        double exact = logits.data<float>().Zip(target.data<float>()).Average(p => Math.Log(1 + Math.Exp(p.First)) - p.Second * p.First);
        Assert.AreEqual(exact, fused, 1e-5);
        // On the probabilities alone (no sigmoid of ours made them), libtorch clamps log(0) at -100: far off.
        var unfused = Losses.Mean(ReconstructionLoss.BinaryCrossEntropy, probabilities.clone(), target).item<float>();
        Assert.IsTrue(Math.Abs(unfused - exact) > 1, $"unfused {unfused}, exact {exact}");
        // Away from saturation both forms agree, values and gradients.
        var z1 = logits.narrow(1, 0, 5).clone().requires_grad_(true);
        var z2 = logits.narrow(1, 0, 5).clone().requires_grad_(true);
        var t = target.narrow(1, 0, 5);
        var a = Losses.Mean(ReconstructionLoss.BinaryCrossEntropy, TorchOps.Instance.Activate(z1, Activation.Sigmoid), t);
        var b = nn.functional.binary_cross_entropy(z2.sigmoid(), t);
        Assert.AreEqual(b.item<float>(), a.item<float>(), 1e-6);
        a.backward();
        b.backward();
        CollectionAssert.AreEqual(z2.grad!.data<float>().ToArray().Select(g => Math.Round(g, 6)).ToArray(), z1.grad!.data<float>().ToArray().Select(g => Math.Round(g, 6)).ToArray());
    }
}
