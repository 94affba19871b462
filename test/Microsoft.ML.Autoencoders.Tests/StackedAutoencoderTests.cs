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
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { PretrainCorruption = 1 })).Message, "PretrainCorruption");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { PretrainContractionWeight = -1 })).Message, "PretrainContractionWeight");
    }

    [TestMethod]
    public void Denoising_and_contractive_pretraining_act_on_each_layer()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X.Take(600).ToArray());
        IReadOnlyList<EpochMetrics> History(double corruption, double contraction)
        {
            using var model = ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions
            {
                CodeSize = 8, HiddenLayers = new[] { 32 }, PretrainEpochs = 30, Epochs = 1, BatchSize = 32, LearningRate = 1e-2, Seed = 1, Threads = 1, ValidationFraction = 0.2,
                EarlyStoppingPatience = 0, Activation = Activation.Sigmoid, PretrainCorruption = corruption, PretrainContractionWeight = contraction,
            }).Fit(data);
            return model.TrainingHistory;
        }
        EpochMetrics Last(IReadOnlyList<EpochMetrics> history, int layer) => history.Last(h => h.Phase == $"pretrain layer {layer}");
        var plain = History(0, 0);
        var denoising = History(0.5, 0);
        var contractive = History(0, 0.1);
        var strong = History(0, 10);
        foreach (int layer in new[] { 1, 2 })
        {
            Console.WriteLine($"layer {layer}: reconstruction (train / clean validation) plain {Last(plain, layer).TrainLoss:F4} / {Last(plain, layer).ValidationLoss:F4}, denoising {Last(denoising, layer).TrainLoss:F4} / {Last(denoising, layer).ValidationLoss:F4}; contraction at weight 0.1 {Last(contractive, layer).Terms["contraction"]:F4}, at 10 {Last(strong, layer).Terms["contraction"]:F4}");
            // Half the inputs masked while pretraining: the training rows are reconstructed from less than the clean validation rows.
            Assert.IsTrue(Last(denoising, layer).TrainLoss > Last(denoising, layer).ValidationLoss, $"layer {layer} trains on corrupted input");
            Assert.IsFalse(Last(plain, layer).Terms.ContainsKey("contraction"));
            Assert.IsTrue(Last(strong, layer).Terms["contraction"] < 0.7 * Last(contractive, layer).Terms["contraction"], $"layer {layer}: a larger weight contracts more");
        }
    }
}
