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
        Assert.AreEqual(400, TrainingLength.Epochs(null, 900, 256), "4 steps an epoch: 1,600 steps");
        Assert.AreEqual(400, TrainingLength.Epochs(null, 20_000, 256));
        Assert.AreEqual(133, TrainingLength.Epochs(null, 60_000, 256));
        Assert.AreEqual(8, TrainingLength.Epochs(null, 1_000_000, 256));
        Assert.AreEqual(1, TrainingLength.Epochs(null, 20_000_000, 256));
        Assert.AreEqual(1000, TrainingLength.Epochs(null, 54, 256), "one step an epoch: at least 1,000 steps");
        Assert.AreEqual(500, TrainingLength.Epochs(null, 54, 32), "two steps an epoch");
        Assert.AreEqual(1000, TrainingLength.Epochs(null, 0, 256), "no rows: no division by zero");
        Assert.AreEqual(12, TrainingLength.Epochs(12, 1_000_000, 256), "a number the user sets is kept");
        Assert.AreEqual(40, TrainingLength.Patience(null, 400));
        Assert.AreEqual(100, TrainingLength.Patience(null, 1000));
        Assert.AreEqual(13, TrainingLength.Patience(null, 133));
        Assert.AreEqual(5, TrainingLength.Patience(null, 8));
        Assert.AreEqual(0, TrainingLength.Patience(0, 400), "0 turns early stopping off");
        Assert.AreEqual(3, TrainingLength.Patience(3, 400));
        Assert.AreEqual(100, TrainingLength.Patience(null, int.MaxValue), "Epochs = int.MaxValue still stops");
    }

    [TestMethod]
    public void A_default_fit_on_a_small_table_trains_until_the_validation_loss_stops_improving()
    {
        var ml = new MLContext(1);
        var log = Log(ml);
        // A wide network on 200 rows of noise learns the training rows by heart: the validation loss turns up, and early
        // stopping ends the fit.
        var rand = new Random(5);
        var noise = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 64).Select(_ => (float)rand.NextDouble()).ToArray()).ToArray();
        using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 32, HiddenLayers = new[] { 256 }, Seed = 1 })
            .Fit(TestData.ToDataView(ml, noise));
        var history = model.TrainingHistory;
        Assert.AreEqual(1000, history[0].TotalEpochs, "180 training rows, 1 step an epoch: 1,000 steps at least");
        Assert.IsTrue(history.Count > 20, $"trained {history.Count} epochs; the old default stopped at 20");
        Assert.IsTrue(history.Count < 1000, $"trained {history.Count} epochs: early stopping should end it before the budget");
        Assert.AreEqual(history.Count - 100, model.State.BestEpoch, "patience 100 (a tenth of 1,000) after the best epoch");
        Assert.IsTrue(log.Any(m => m.Message.Contains("Early stopping")), "early stopping is logged");
        Assert.IsFalse(log.Any(m => m.Message.Contains("still improving")), "no warning when the fit converged");
    }

    [TestMethod]
    public void A_fit_whose_best_epoch_is_its_last_warns_naming_the_option()
    {
        var ml = new MLContext(1);
        var log = Log(ml);
        using (ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 4, Epochs = 3, Seed = 1, Threads = 1 }).Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]))) { }
        var warning = log.Single(m => m.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning && m.Message.Contains("still improving")).Message;
        StringAssert.Contains(warning, "(3 of 3)");
        StringAssert.Contains(warning, "Raise Epochs (or set it to null: 500 epochs for these rows).");

        log.Clear();
        using (ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { CodeSize = 4, HiddenLayers = new[] { 16 }, PretrainEpochs = 2, Epochs = 30, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]))) { }
        Assert.IsTrue(log.Any(m => m.Message.Contains("pretrain layer 1") && m.Message.Contains("Raise PretrainEpochs")), string.Join("\n", log.Select(m => m.Message).Where(m => m.Contains("still improving"))));
    }

    // The allocator advice (docs/conventions.md#memory-on-linux): on glibc Linux, for steps slow enough for the
    // trimming to cost, unless the launcher set a trim threshold; once per process.
    [TestMethod]
    public void Slow_steps_on_glibc_Linux_advise_the_allocator_setting_once()
    {
        Assert.IsTrue(TorchRuntime.ShouldHintAllocator(0.2, glibcLinux: true, tunables: null));
        Assert.IsTrue(TorchRuntime.ShouldHintAllocator(0.2, glibcLinux: true, tunables: "glibc.malloc.arena_max=1"));
        Assert.IsFalse(TorchRuntime.ShouldHintAllocator(0.2, glibcLinux: true, tunables: "glibc.malloc.trim_threshold=4294967296"));
        Assert.IsFalse(TorchRuntime.ShouldHintAllocator(0.2, glibcLinux: false, tunables: null));
        Assert.IsFalse(TorchRuntime.ShouldHintAllocator(0.005, glibcLinux: true, tunables: null));

        var ml = new MLContext(1);
        var log = Log(ml);
        TorchRuntime.ForgetAllocatorHint();
        using (var channel = ((Microsoft.ML.Runtime.IHostEnvironment)ml).Start("Training"))
        {
            TorchRuntime.HintAllocator(channel, 0.2);
            TorchRuntime.HintAllocator(channel, 0.3);
        }
        var hints = log.Where(m => m.Message.Contains("GLIBC_TUNABLES")).ToList();
        bool expected = TorchRuntime.ShouldHintAllocator(0.2, OperatingSystem.IsLinux(), Environment.GetEnvironmentVariable("GLIBC_TUNABLES"));
        Assert.AreEqual(expected ? 1 : 0, hints.Count, string.Join("\n", hints.Select(h => h.Message)));
        if (expected) StringAssert.Contains(hints[0].Message, TorchRuntime.AllocatorSetting);
    }

    private static List<Microsoft.ML.LoggingEventArgs> Log(MLContext ml)
    {
        var log = new List<Microsoft.ML.LoggingEventArgs>();
        ml.Log += (_, e) => { lock (log) log.Add(e); };
        return log;
    }
}
