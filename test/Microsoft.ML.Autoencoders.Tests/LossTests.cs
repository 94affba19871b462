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
        // A reshaped sigmoid output (the convolutional decoder flattens its image) keeps its logits.
        var image = TorchOps.Instance.Activate(logits.reshape(1, 1, 1, 7), Activation.Sigmoid);
        var flat = TorchOps.Instance.Reshape(image, 1, 7);
        Assert.AreEqual(exact, Losses.Mean(ReconstructionLoss.BinaryCrossEntropy, flat, target).item<float>(), 1e-5);
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

/// <summary>SAUCIE's penalties against their formulas.</summary>
[TestClass]
public sealed class SauciePenaltyTests
{
    private static readonly double[] Scales = { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 5, 10, 15, 20, 25, 30, 35, 100, 1e3, 1e4, 1e5, 1e6 };

    [TestMethod]
    public void The_kernel_has_the_value_and_the_gradient_of_the_mean_over_the_scales()
    {
        using var scope = NewDisposeScope();
        var rand = new Random(1);
        var values = Enumerable.Range(0, 64).Select(_ => (float)(rand.NextDouble() * (rand.Next(3) == 0 ? 100 : 1))).ToArray();
        var m = tensor(values, new long[] { 8, 8 }).requires_grad_(true);
        var reference = tensor(values, new long[] { 8, 8 }).requires_grad_(true);
        var kernel = SauciePenalties.Kernel(m);
        Tensor sum = zeros(8, 8);
        foreach (var s in Scales) sum = sum + (-reference / (2 * s)).exp();
        var expected = sum / Scales.Length;
        var k = kernel.data<float>().ToArray();
        for (int i = 0; i < 64; i++)
            Assert.AreEqual(Scales.Average(s => Math.Exp(-values[i] / (2 * s))), k[i], 1e-6, $"value {values[i]}");
        // A loss that weights the entries differently, so the gradient is checked entry by entry.
        var weights = tensor(Enumerable.Range(0, 64).Select(i => (float)Math.Sin(i)).ToArray(), new long[] { 8, 8 });
        (kernel * weights).sum().backward();
        (expected * weights).sum().backward();
        var (g, h) = (m.grad!.data<float>().ToArray(), reference.grad!.data<float>().ToArray());
        for (int i = 0; i < 64; i++) Assert.AreEqual(h[i], g[i], 1e-5 * Math.Max(1, Math.Abs(h[i])), $"gradient at {values[i]}");
        Assert.IsFalse(SauciePenalties.Kernel(tensor(values, new long[] { 8, 8 })).requires_grad, "no graph without gradients");
    }
}
