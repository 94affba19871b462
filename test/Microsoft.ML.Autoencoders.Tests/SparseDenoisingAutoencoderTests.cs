namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The one-file variant of docs/architecture.md passes the suite every variant passes, and its terms reach the history.</summary>
[TestClass]
public sealed class SparseDenoisingAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new SparseDenoisingOptions
    {
        CodeSize = 8, HiddenLayers = new[] { 16 }, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1, SparsityWeight = 1e-3,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.SparseDenoisingAutoencoder((SparseDenoisingOptions)options);

    [TestMethod]
    public void The_penalty_is_a_term_of_the_history_and_bad_options_are_named()
    {
        var ml = new MLContext(1);
        using var model = ml.Transforms.SparseDenoisingAutoencoder((SparseDenoisingOptions)SmallOptions(1)).Fit(TestData.ToDataView(ml, TestData.Digits.X[..240]));
        Assert.IsTrue(model.TrainingHistory.All(e => e.Terms.ContainsKey(SparseDenoisingVariant.SparsityTerm) && e.Terms["sparsity"] > 0));
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.SparseDenoisingAutoencoder(new SparseDenoisingOptions { MaskingProbability = 1 }));
        StringAssert.Contains(e.Message, "MaskingProbability");
    }
}
