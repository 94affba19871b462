using Microsoft.ML.Autoencoders.Training;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Fits left without a length train until they stop improving, within a budget sized to the data
/// (docs/conventions.md#training-length); a fit cut short while still improving says so in the log.</summary>
[TestClass]
public sealed class TrainingLengthTests
{
    [TestMethod]
    public void The_budget_follows_scvi_tools_rule_and_patience_a_tenth_of_it()
    {
        Assert.AreEqual(400, TrainingLength.Epochs(null, 900));
        Assert.AreEqual(400, TrainingLength.Epochs(null, 20_000));
        Assert.AreEqual(133, TrainingLength.Epochs(null, 60_000));
        Assert.AreEqual(8, TrainingLength.Epochs(null, 1_000_000));
        Assert.AreEqual(1, TrainingLength.Epochs(null, 20_000_000));
        Assert.AreEqual(400, TrainingLength.Epochs(null, 0), "no rows: the cap, not a division by zero");
        Assert.AreEqual(12, TrainingLength.Epochs(12, 1_000_000), "a number the user sets is kept");
        Assert.AreEqual(40, TrainingLength.Patience(null, 400));
        Assert.AreEqual(13, TrainingLength.Patience(null, 133));
        Assert.AreEqual(5, TrainingLength.Patience(null, 8));
        Assert.AreEqual(0, TrainingLength.Patience(0, 400), "0 turns early stopping off");
        Assert.AreEqual(3, TrainingLength.Patience(3, 400));
    }

    [TestMethod]
    public void A_default_fit_on_a_small_table_trains_until_the_validation_loss_stops_improving()
    {
        var ml = new MLContext(1);
        var log = Log(ml);
        using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 4, HiddenLayers = new[] { 16 }, Seed = 1 })
            .Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]));
        var history = model.TrainingHistory;
        Assert.AreEqual(400, history[0].TotalEpochs, "270 training rows: 400 epochs at most");
        Assert.IsTrue(history.Count > 20, $"trained {history.Count} epochs; the old default stopped at 20");
        Assert.IsTrue(history.Count < 400, $"trained {history.Count} epochs: early stopping should end it before the budget");
        int best = model.State.BestEpoch;
        Assert.AreEqual(history.Count - 40, best, "patience 40 (a tenth of 400) after the best epoch");
        Assert.IsTrue(log.Any(m => m.Contains("Early stopping")), "early stopping is logged");
        Assert.IsFalse(log.Any(m => m.Contains("still improving")), "no warning when the fit converged");
    }

    [TestMethod]
    public void A_fit_whose_best_epoch_is_its_last_warns_naming_the_option()
    {
        var ml = new MLContext(1);
        var log = Log(ml);
        using (ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 4, Epochs = 3, Seed = 1, Threads = 1 }).Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]))) { }
        var warning = log.Single(m => m.Contains("still improving"));
        StringAssert.Contains(warning, "Raise Epochs (or leave it unset");
        StringAssert.Contains(warning, "3 of 3");

        log.Clear();
        using (ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { CodeSize = 4, HiddenLayers = new[] { 16 }, PretrainEpochs = 2, Epochs = 30, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]))) { }
        Assert.IsTrue(log.Any(m => m.Contains("pretrain layer 1") && m.Contains("Raise PretrainEpochs")), string.Join("\n", log.Where(m => m.Contains("still improving"))));
    }

    private static List<string> Log(MLContext ml)
    {
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        return log;
    }
}
