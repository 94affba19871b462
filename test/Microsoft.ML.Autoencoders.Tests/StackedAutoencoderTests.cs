namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class StackedAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new StackedAutoencoderOptions
    {
        CodeSize = 8, HiddenLayers = new[] { 32, 16 }, PretrainEpochs = 2, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.StackedAutoencoder((StackedAutoencoderOptions)options);

    [TestCategory("Slow")]
    [TestMethod]
    public void Pretraining_runs_each_layer_then_fine_tuning_lowers_the_loss()
    {
        var ml = new MLContext(1);
        var options = new StackedAutoencoderOptions
        {
            CodeSize = 16, HiddenLayers = new[] { 64, 32 }, PretrainEpochs = 15, Epochs = 40, BatchSize = 64, LearningRate = 3e-3,
            Seed = 1, Threads = 1, EarlyStoppingPatience = 0,
        };
        using var model = ml.Transforms.StackedAutoencoder(options).Fit(TestData.ToDataView(ml, TestData.Digits.X));
        var phases = model.TrainingHistory.Select(h => h.Phase).Distinct().ToList();
        CollectionAssert.AreEqual(new[] { "pretrain layer 1", "pretrain layer 2", "pretrain layer 3", "stacked", "train" }, phases);
        Assert.AreEqual(3 * 15 + 1 + 40, model.TrainingHistory.Count);
        var stacked = model.TrainingHistory.Single(h => h.Phase == "stacked").ValidationLoss!.Value;
        var tuned = model.FinalValidationLoss!.Value;
        var firstLayer = model.TrainingHistory.Where(h => h.Phase == "pretrain layer 1").ToList();
        Console.WriteLine($"layer 1 pretraining {firstLayer[0].ValidationLoss:F4} -> {firstLayer[^1].ValidationLoss:F4}; stacked {stacked:F4}; fine-tuned {tuned:F4}");
        Assert.IsTrue(firstLayer[^1].ValidationLoss < firstLayer[0].ValidationLoss, "pretraining learns");
        Assert.IsTrue(tuned < 0.8 * stacked, "fine-tuning lowers the loss");

        options.PretrainEpochs = 0;
        options.Epochs = 1;
        using var plain = ml.Transforms.StackedAutoencoder(options).Fit(TestData.ToDataView(ml, TestData.Digits.X));
        CollectionAssert.AreEqual(new[] { "train" }, plain.TrainingHistory.Select(h => h.Phase).Distinct().ToList());
    }

    [TestMethod]
    public void Negative_pretraining_epochs_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { PretrainEpochs = -1 })).Message, "PretrainEpochs");
    }
}
