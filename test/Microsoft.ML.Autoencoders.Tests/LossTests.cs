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

    // Ω_d is the authors' mean over pairs of the plain input distance times the clustering layer's similarity (min-max
    // rescaled), divided by the minibatch's mean distance m: the library's λ_d is the authors' × m, about √(2D) on
    // data of unit spread (docs/methods.md#saucie). Both values from the formula, in doubles, on fixed values.
    [TestMethod]
    public void The_intracluster_distance_is_the_authors_divided_by_the_mean_distance()
    {
        using var scope = NewDisposeScope();
        var rand = new Random(4);
        int n = 12, d = 5, c = 6;
        var x = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, d).Select(_ => rand.NextDouble() * 3).ToArray()).ToArray();
        var a = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, c).Select(_ => rand.Next(3) == 0 ? 0 : rand.NextDouble()).ToArray()).ToArray();
        double top = a.Max(r => r.Max()) + SauciePenalties.Epsilon;
        double Kernel(double m) => Scales.Average(s => Math.Exp(-m / (2 * s)));
        var k = a.Select(p => a.Select(q => Kernel(Math.Max(0, p.Zip(q, (u, v) => (u - v) / top * ((u - v) / top)).Sum()))).ToArray()).ToArray();
        double low = k.Min(r => r.Min()), high = k.Max(r => r.Max());
        double Distance(int i, int j) => Math.Sqrt(x[i].Zip(x[j], (u, v) => (u - v) * (u - v)).Sum());
        double authors = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, n).Select(j =>
            Distance(i, j) * (k[i][j] - low) / (high - low + SauciePenalties.Epsilon))).Average();
        double mean = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, n).Select(j => Distance(i, j))).Average();
        double expected = authors / (mean + SauciePenalties.Epsilon);
        var actual = SauciePenalties.WithinClusterDistance(tensor(a.SelectMany(r => r).Select(v => (float)v).ToArray(), new long[] { n, c }),
            tensor(x.SelectMany(r => r).Select(v => (float)v).ToArray(), new long[] { n, d })).item<float>();
        Assert.AreEqual(expected, actual, 1e-4 * expected);
    }

    /// <summary>Six batches in a minibatch of 40: the reference (2), one of a single row, one absent, three others.</summary>
    private static (float[] Values, long[] Ids) Minibatch(int columns)
    {
        var rand = new Random(3);
        var ids = Enumerable.Range(0, 40).Select(i => i == 0 ? 3L : rand.Next(4) switch { 0 => 0L, 1 => 1L, 2 => 2L, _ => 5L }).ToArray();
        var values = Enumerable.Range(0, 40 * columns).Select(i => (float)(rand.NextDouble() * 4 - 1 + ids[i / columns])).ToArray();
        return (values, ids);
    }

    [TestMethod]
    public void The_batch_MMD_is_the_sum_over_present_batches_of_their_MMD_to_the_reference()
    {
        using var scope = NewDisposeScope();
        var (values, ids) = Minibatch(3);
        var embedding = tensor(values, new long[] { 40, 3 });
        var penalty = SauciePenalties.BatchMmd(embedding, tensor(ids), reference: 2, batchCount: 6).item<float>();
        // The same kernel matrix, then the biased MMD of each batch against the reference, batch by batch in doubles.
        var scaled = embedding / embedding.abs().mean();
        var d = SauciePenalties.SquaredDistances(scaled);
        var k = SauciePenalties.Kernel(d / d.max()).data<float>().ToArray();
        double MeanKernel(long a, long b)
        {
            var (ia, ib) = (Enumerable.Range(0, 40).Where(i => ids[i] == a).ToArray(), Enumerable.Range(0, 40).Where(i => ids[i] == b).ToArray());
            return ia.SelectMany(i => ib.Select(j => (double)k[i * 40 + j])).Average();
        }
        double expected = new long[] { 0, 1, 3, 5 }.Sum(b => Math.Abs(MeanKernel(2, 2) + MeanKernel(b, b) - 2 * MeanKernel(2, b)));
        Assert.AreEqual(expected, penalty, 1e-5 * expected, "batch 4 is absent and adds nothing");
        // Without the reference in the minibatch there is nothing to compare with.
        var noReference = ids.Select(b => b == 2 ? 1L : b).ToArray();
        Assert.AreEqual(0f, SauciePenalties.BatchMmd(embedding, tensor(noReference), reference: 2, batchCount: 6).item<float>());
    }

    [TestMethod]
    public void The_batch_reconstruction_is_the_reference_error_plus_weighted_z_score_errors_of_batches_of_two_rows_or_more()
    {
        using var scope = NewDisposeScope();
        var (values, ids) = Minibatch(4);
        var rand = new Random(4);
        var noisy = values.Select(v => (float)(v * (1 + 0.3 * rand.NextDouble()) + rand.NextDouble())).ToArray();
        var loss = SauciePenalties.BatchReconstruction(tensor(noisy, new long[] { 40, 4 }), tensor(values, new long[] { 40, 4 }), tensor(ids), reference: 2, batchCount: 6, zWeight: 0.5).item<float>();
        double[][] Rows(float[] v, long b) => Enumerable.Range(0, 40).Where(i => ids[i] == b).Select(i => Enumerable.Range(0, 4).Select(f => (double)v[i * 4 + f]).ToArray()).ToArray();
        double[][] Z(double[][] rows) => rows.Select(r => r.Select((v, f) =>
        {
            double mean = rows.Average(q => q[f]), variance = rows.Average(q => (q[f] - mean) * (q[f] - mean));
            return (v - mean) / Math.Sqrt(variance + 1e-8);
        }).ToArray()).ToArray();
        double Mse(double[][] a, double[][] b) => a.Zip(b).SelectMany(p => p.First.Zip(p.Second, (u, v) => (u - v) * (u - v))).Average();
        // Batch 3 has one row (no spread: left out), batch 4 none.
        double expected = Mse(Rows(noisy, 2), Rows(values, 2)) + 0.5 * new long[] { 0, 1, 5 }.Sum(b => Mse(Z(Rows(noisy, b)), Z(Rows(values, b))));
        Assert.AreEqual(expected, loss, 1e-5 * expected);
    }

    [TestMethod]
    public void The_batch_terms_have_the_values_and_gradients_of_one_batch_at_a_time()
    {
        using var scope = NewDisposeScope();
        var (values, ids) = Minibatch(4);
        var batches = tensor(ids);
        Tensor Rows(long b) => tensor(Enumerable.Range(0, 40).Where(i => ids[i] == b).Select(i => (long)i).ToArray());
        var present = new long[] { 0, 1, 3, 5 };
        // The formulas as written: each batch's rows selected, MMD to the reference, z-scores within the batch.
        Tensor LoopMmd(Tensor e)
        {
            var scaled = e / e.abs().mean().Plus(SauciePenalties.Epsilon);
            var d = SauciePenalties.SquaredDistances(scaled);
            var k = SauciePenalties.Kernel(d / d.max().Plus(SauciePenalties.Epsilon));
            Tensor Block(long a, long b) => k.index_select(0, Rows(a)).index_select(1, Rows(b)).mean();
            return stack(present.Select(b => (Block(2, 2) + Block(b, b) - Block(2, b).Times(2)).abs()).ToArray()).sum();
        }
        var x = tensor(values, new long[] { 40, 4 });
        Tensor Z(Tensor v)
        {
            var centred = v - v.mean(new long[] { 0 }, keepdim: true);
            return centred / centred.square().mean(new long[] { 0 }, keepdim: true).Plus(1e-8).sqrt();
        }
        Tensor LoopReconstruction(Tensor r) => nn.functional.mse_loss(r.index_select(0, Rows(2)), x.index_select(0, Rows(2)))
            + stack(new long[] { 0, 1, 5 }.Select(b => nn.functional.mse_loss(Z(r.index_select(0, Rows(b))), Z(x.index_select(0, Rows(b))))).ToArray()).sum().Times(0.5);
        var rand = new Random(5);
        var start = values.Select(v => (float)(v + rand.NextDouble() - 0.5)).ToArray();
        (float Value, float[] Gradient) Run(Func<Tensor, Tensor> loss)
        {
            var input = tensor(start, new long[] { 40, 4 }).requires_grad_(true);
            var value = loss(input);
            value.backward();
            return (value.item<float>(), input.grad!.data<float>().ToArray());
        }
        foreach (var (name, vectorised, loop) in new (string, Func<Tensor, Tensor>, Func<Tensor, Tensor>)[]
        {
            ("MMD", e => SauciePenalties.BatchMmd(e, batches, 2, 6), LoopMmd),
            ("reconstruction", r => SauciePenalties.BatchReconstruction(r, x, batches, 2, 6, 0.5), LoopReconstruction),
        })
        {
            var (a, b) = (Run(vectorised), Run(loop));
            Assert.AreEqual(b.Value, a.Value, 1e-5 * Math.Abs(b.Value), name);
            double scale = b.Gradient.Max(Math.Abs);
            Assert.IsTrue(scale > 0, $"{name}: a gradient to compare");
            for (int i = 0; i < a.Gradient.Length; i++) Assert.AreEqual(b.Gradient[i], a.Gradient[i], 1e-4 * scale, $"{name}: gradient {i}");
        }
    }
}
