namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Each penalty weight's default measurably changes what the network learns, against the same network with
/// the weight at 0 (docs/methods.md: weights are relative to a per-feature mean loss).</summary>
[TestClass]
public sealed class PenaltyDefaultsTests
{
    private static readonly float[][] Rows = TestData.Digits.X.Take(800).ToArray();

    private static T Small<T>(T options) where T : AutoencoderOptions
    {
        options.HiddenLayers = new[] { 32 };
        options.CodeSize = 16;
        options.Epochs = 40;
        options.Seed = 1;
        options.Threads = 1;
        options.ValidationFraction = 0;
        options.EarlyStoppingPatience = 0;
        return options;
    }

    private static float[][] Codes(AutoencoderTransformer model) => TestData.Column(model.Transform(TestData.ToDataView(new MLContext(1), Rows)), "Code");

    [TestCategory("Slow")]
    [TestMethod]
    public void Sparsity_penalties_sparsify_at_their_defaults()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        // The Keras blog's measure of the classic setting: the mean code value (7.3 without, 3.3 with, on MNIST).
        // The codes of a sparse autoencoder with these options at this weight (null: the option's default).
        float[][] SparseCodes(SparseAutoencoderOptions options, double? weight)
        {
            if (weight is double w) options.SparsityWeight = w;
            using var model = ml.Transforms.SparseAutoencoder(options).Fit(data);
            return Codes(model);
        }
        double MeanCode(double? weight) => SparseCodes(Small(new SparseAutoencoderOptions()), weight).SelectMany(c => c).Average(v => (double)v);
        double l1Default = MeanCode(null), l1Off = MeanCode(0);
        double KlGap(double? weight)
        {
            var options = Small(new SparseAutoencoderOptions { Penalty = SparsityPenalty.KullbackLeibler, CodeActivation = Activation.Sigmoid });
            var codes = SparseCodes(options, weight);
            return Enumerable.Range(0, 16).Average(j => Math.Abs(codes.Average(c => c[j]) - options.SparsityTarget));
        }
        double klDefault = KlGap(null), klOff = KlGap(0);
        Console.WriteLine($"L1 (default 1e-3): mean code value {l1Default:F3} against {l1Off:F3} without; KL (default 0.01): mean |activation - rho| {klDefault:F3} against {klOff:F3} without");
        Assert.AreEqual(1e-3, new SparseAutoencoderOptions().SparsityWeight);
        Assert.AreEqual(0.01, new SparseAutoencoderOptions { Penalty = SparsityPenalty.KullbackLeibler }.SparsityWeight);
        Assert.IsTrue(l1Default < 0.8 * l1Off, "the L1 default shrinks the code");
        Assert.IsTrue(klDefault < 0.5 * klOff, "the KL default pulls the mean activations towards the target");
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void The_contraction_default_contracts()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        double JacobianNorm(double? weight)
        {
            var options = Small(new ContractiveAutoencoderOptions { HiddenLayers = Array.Empty<int>() });
            if (weight is double w) options.ContractionWeight = w;
            using var model = ml.Transforms.ContractiveAutoencoder(options).Fit(data);
            return Rows.Take(50).Average(r => model.JacobianSingularValues(r).Sum(s => s * s));
        }
        double atDefault = JacobianNorm(null), off = JacobianNorm(0);
        Console.WriteLine($"mean ||J||_F^2 over 50 digits: {atDefault:F3} at the default 0.1, {off:F3} without the penalty");
        Assert.IsTrue(atDefault < 0.7 * off);
    }
}
