using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class SweepTests
{
    private static AutoencoderSweepOptions Small(int seed = 1) => new()
    {
        LabelColumnName = "Label", Trials = 4, Folds = 2, Seed = seed, MaxEpochs = 4, HalvingRate = 2,
        Variants = new[] { "Autoencoder", "SparseAutoencoder" }, CodeSizes = new[] { 8, 16 }, HiddenLayers = new[] { Array.Empty<int>() },
        LearningRates = new[] { 3e-3 },
    };

    private static IDataView Digits(MLContext ml, int rows = 600) => TestData.ToDataView(ml, TestData.Digits.X[..rows], TestData.Digits.Y[..rows]);

    [TestCategory("Slow")]
    [TestMethod]
    public void Sweep_evaluates_every_trial_on_the_same_folds_and_refits_the_best()
    {
        var ml = new MLContext(1);
        var logged = new List<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("AutoencoderSweep") && e.Message.Contains("Trial ")) lock (logged) logged.Add(e.Message); };
        var progress = new List<SweepTrial>();
        var options = Small();
        options.Progress = new SynchronousProgress<SweepTrial>(progress.Add);
        var result = new AutoencoderSweep(ml, options).Run(Digits(ml));
        Console.WriteLine(result);
        // Successive halving at rate 2: 4 configurations for 1 epoch, the best 2 for 2 epochs, the best for 4.
        Assert.AreEqual(7, result.Trials.Count);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 0, 1, 1, 2 }, result.Trials.Select(t => t.Round).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 1, 1, 1, 2, 2, 4 }, result.Trials.Select(t => t.Options.Epochs).ToArray());
        Assert.AreEqual(result.Trials.Max(t => t.Metric), result.Best.Metric);
        Assert.AreEqual(result.Trials.Count, progress.Count);
        Assert.AreEqual(result.Trials.Count, logged.Count, "one log line per evaluation");
        Assert.IsTrue(result.Trials.All(t => t.Metric > 0.2 && t.Metric <= 1 && t.MetricStdDev >= 0), "accuracies well above chance (0.1)");
        var later = result.Trials.Where(t => t.Round == 1).Select(t => t.Configuration).ToList();
        var firstRound = result.Trials.Where(t => t.Round == 0).OrderByDescending(t => t.Metric).ThenBy(t => t.Configuration).Take(2).Select(t => t.Configuration).ToList();
        CollectionAssert.AreEquivalent(firstRound, later, "the best half goes on");
        // Same folds for every trial: the same configuration evaluated twice scores the same.
        var again = new AutoencoderSweep(ml, Small()).Run(Digits(ml));
        CollectionAssert.AreEqual(result.Trials.Select(t => t.Metric).ToArray(), again.Trials.Select(t => t.Metric).ToArray(), "same seed, same trials and metrics");
        var other = new AutoencoderSweep(ml, Small(seed: 2)).Run(Digits(ml));
        CollectionAssert.AreNotEqual(result.Trials.Select(t => t.Metric).ToArray(), other.Trials.Select(t => t.Metric).ToArray());

        using var best = result.BestModel;
        Assert.AreEqual(result.Best.Options.CodeSize, best.CodeSize);
        var codes = TestData.Column(best.Transform(TestData.ToDataView(ml, TestData.Digits.X[1000..1010])), "Code");
        Assert.AreEqual(10, codes.Length);
        var path = Path.GetTempFileName();
        result.SaveCsv(path);
        var lines = File.ReadAllLines(path);
        File.Delete(path);
        Assert.AreEqual(8, lines.Length);
        StringAssert.StartsWith(lines[0], "configuration,round,variant");
    }

    [TestMethod]
    public void The_downstream_learner_is_replaceable()
    {
        var ml = new MLContext(1);
        var options = Small();
        options.Trials = 1;
        options.MaxEpochs = 2;
        var standard = new AutoencoderSweep(ml, options).Run(Digits(ml));
        int calls = 0;
        options.DownstreamTrainer = context =>
        {
            Interlocked.Increment(ref calls);
            return context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(Downstream.LabelColumn, Downstream.FeatureColumn);
        };
        var custom = new AutoencoderSweep(ml, options).Run(Digits(ml));
        Assert.AreEqual(options.Folds, calls, "one learner per fold");
        Assert.AreNotEqual(standard.Best.Metric, custom.Best.Metric);
        Assert.IsTrue(custom.Best.Metric > 0.2);
    }

    [TestMethod]
    public void Without_a_label_the_objective_is_held_out_reconstruction_error()
    {
        var ml = new MLContext(1);
        var options = Small();
        options.LabelColumnName = null;
        options.Trials = 2;
        var result = new AutoencoderSweep(ml, options).Run(TestData.ToDataView(ml, TestData.Digits.X[..400]));
        Assert.IsFalse(result.HigherIsBetter);
        Assert.AreEqual("reconstruction error", result.MetricName);
        Assert.AreEqual(result.Trials.Min(t => t.Metric), result.Best.Metric);
        Assert.IsTrue(result.Trials.All(t => t.Metric > 0 && double.IsFinite(t.Metric)));
        // Training a configuration longer lowers its held-out error.
        foreach (var group in result.Trials.GroupBy(t => t.Configuration).Where(g => g.Count() > 1))
            Assert.IsTrue(group.OrderBy(t => t.Round).Zip(group.OrderBy(t => t.Round).Skip(1)).All(p => p.Second.Metric < p.First.Metric));
    }

    [TestMethod]
    public void Cancellation_and_the_time_budget_stop_cleanly()
    {
        var ml = new MLContext(1);
        using var cts = new CancellationTokenSource();
        var options = Small();
        options.CancellationToken = cts.Token;
        options.Progress = new SynchronousProgress<SweepTrial>(_ => cts.Cancel());
        Assert.ThrowsExactly<OperationCanceledException>(() => new AutoencoderSweep(ml, options).Run(Digits(ml)));

        var budget = Small();
        budget.Trials = 8;
        budget.TimeBudget = TimeSpan.FromMilliseconds(1);
        var result = new AutoencoderSweep(ml, budget).Run(Digits(ml));
        Assert.IsTrue(result.BudgetExhausted);
        Assert.AreEqual(1, result.Trials.Count, "the first evaluation always runs, then the spent budget stops the sweep");
        Assert.IsNotNull(result.BestModel);
    }

    [TestMethod]
    public void Bad_sweep_input_is_named()
    {
        var ml = new MLContext(1);
        AutoencoderSweepOptions With(Action<AutoencoderSweepOptions> change) { var o = Small(); change(o); return o; }
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => o.Trials = 0))).Message, "Trials");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => o.Folds = 1))).Message, "Folds");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => o.Variants = Array.Empty<string>()))).Message, "empty");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => o.CodeSizes = Array.Empty<int>()))).Message, "CodeSizes");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => { o.Variants = new[] { "SparseAutoencoder" }; o.SparsityWeights = Array.Empty<double>(); }))).Message, "SparsityWeights");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => new AutoencoderSweep(ml, With(o => o.Variants = new[] { "Transformer" }))).Message, "'Transformer' is unknown");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderSweep(ml, With(o => o.LabelColumnName = "Digit")).Run(Digits(ml)));
        StringAssert.Contains(e.Message, "'Digit' was not found");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderSweep(ml, With(o => o.Task = DownstreamTask.BinaryClassification)).Run(Digits(ml)));
        StringAssert.Contains(e.Message, "expects a Boolean label");
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new AutoencoderSweep(ml, With(o => o.Task = DownstreamTask.Regression)).Run(Digits(ml)));
        StringAssert.Contains(e.Message, "expects a Single label");
    }
}
