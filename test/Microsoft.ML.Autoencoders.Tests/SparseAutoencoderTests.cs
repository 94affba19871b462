namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class SparseAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new SparseAutoencoderOptions
    {
        CodeSize = 8, HiddenLayers = new[] { 32 }, Epochs = 3, BatchSize = 64, Seed = seed, Threads = 1,
        SparsityWeight = 1e-3, ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.SparseAutoencoder((SparseAutoencoderOptions)options);

    private static (double Error, double MeanActivation) Measure(MLContext ml, IEstimator<AutoencoderTransformer> estimator)
    {
        var (x, _) = TestData.Digits;
        using var model = estimator.Fit(TestData.ToDataView(ml, x[..1400]));
        var scored = model.Transform(TestData.ToDataView(ml, x[1400..]));
        return (TestData.Column(scored, "Error").Average(r => r[0]), TestData.Column(scored, "Code").Average(r => r.Average()));
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void L1_penalty_halves_the_code_activation_at_similar_reconstruction()
    {
        // Measured on the digits (64-64-32 ReLU code, 60 epochs): plain error 0.0115, mean activation 0.61;
        // L1 1e-4: error 0.0103, mean activation 0.27.
        var ml = new MLContext(1);
        var plain = Measure(ml, ml.Transforms.Autoencoder(new AutoencoderOptions
        {
            CodeSize = 32, HiddenLayers = new[] { 64 }, CodeActivation = Activation.Relu, Epochs = 60, BatchSize = 64, LearningRate = 3e-3,
            Seed = 1, Threads = 1, EarlyStoppingPatience = 0, ReconstructionErrorColumnName = "Error",
        }));
        var sparse = Measure(ml, ml.Transforms.SparseAutoencoder(new SparseAutoencoderOptions
        {
            CodeSize = 32, HiddenLayers = new[] { 64 }, Epochs = 60, BatchSize = 64, LearningRate = 3e-3, SparsityWeight = 1e-4,
            Seed = 1, Threads = 1, EarlyStoppingPatience = 0, ReconstructionErrorColumnName = "Error",
        }));
        Console.WriteLine($"plain: error {plain.Error:F5}, mean activation {plain.MeanActivation:F3}; sparse: error {sparse.Error:F5}, mean activation {sparse.MeanActivation:F3}");
        Assert.IsTrue(sparse.Error < plain.Error * 1.15, "similar reconstruction");
        Assert.IsTrue(sparse.MeanActivation < plain.MeanActivation * 0.6, "sparser code");
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void KL_penalty_pulls_mean_sigmoid_activations_towards_the_target()
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        var options = new SparseAutoencoderOptions
        {
            Penalty = SparsityPenalty.KullbackLeibler, CodeActivation = Activation.Sigmoid, SparsityTarget = 0.05, SparsityWeight = 0.1,
            CodeSize = 16, HiddenLayers = new[] { 64 }, Epochs = 40, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1,
        };
        using var model = ml.Transforms.SparseAutoencoder(options).Fit(TestData.ToDataView(ml, x[..1400]));
        var code = TestData.Column(model.Transform(TestData.ToDataView(ml, x[1400..])), "Code");
        double mean = code.Average(r => r.Average());
        Console.WriteLine($"mean sigmoid activation {mean:F3} (target 0.05)");
        Assert.IsTrue(mean < 0.15, $"mean activation {mean}");
        Assert.IsTrue(model.TrainingHistory.All(h => h.Terms["sparsity"] >= 0), "KL is never negative");
    }

    [TestMethod]
    public void Bad_sparsity_options_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.SparseAutoencoder(new SparseAutoencoderOptions { SparsityWeight = -1 })).Message, "SparsityWeight");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.SparseAutoencoder(new SparseAutoencoderOptions { SparsityTarget = 0 })).Message, "SparsityTarget");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.SparseAutoencoder(new SparseAutoencoderOptions { SparsityTarget = 1 })).Message, "SparsityTarget");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.SparseAutoencoder(new SparseAutoencoderOptions { Penalty = SparsityPenalty.KullbackLeibler })).Message, "CodeActivation");
    }
}
