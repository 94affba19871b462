namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>What a user sees while training: epochs of a total, the best so far, time spent and left; validation on
/// rows of their own; a cancellation that keeps the best model so far.</summary>
[TestClass]
public sealed class TrainingFeedbackTests
{
    private static readonly float[][] Train = TestData.Digits.X[..600], Held = TestData.Digits.X[600..800];

    private static AutoencoderOptions Options() => new() { CodeSize = 8, HiddenLayers = new[] { 16 }, Epochs = 5, BatchSize = 64, Seed = 1, Threads = 1, EarlyStoppingPatience = 0 };

    [TestMethod]
    public void Progress_within_epochs_comes_every_N_minibatches_and_ends_each_epoch_at_its_loss()
    {
        var ml = new MLContext(1);
        var (epochs, batches) = (new List<EpochMetrics>(), new List<BatchMetrics>());
        var options = Options();
        options.Progress = new SynchronousProgress<EpochMetrics>(epochs.Add);
        options.BatchProgress = new SynchronousProgress<BatchMetrics>(batches.Add);
        options.BatchProgressInterval = 4;
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train));
        // 540 training rows in minibatches of 64: 9 a epoch, reported after the 4th, 8th and the last.
        Assert.AreEqual(15, batches.Count);
        CollectionAssert.AreEqual(new[] { 4, 8, 9 }, batches.Take(3).Select(b => b.Batch).ToArray());
        Assert.IsTrue(batches.All(b => b.BatchesPerEpoch == 9 && b.TotalEpochs == 5 && b.Phase == "train"));
        Assert.IsTrue(batches.Zip(batches.Skip(1)).All(p => p.Second.Fraction > p.First.Fraction && p.Second.Elapsed >= p.First.Elapsed), "progress only grows");
        Assert.AreEqual(1.0, batches[^1].Fraction, 1e-12);
        for (int e = 0; e < 5; e++)
            Assert.AreEqual(epochs[e].TrainLoss, batches[3 * e + 2].TrainLoss, 1e-9, "an epoch's last report carries its training loss");
        Assert.IsNull(model.State.Options.BatchProgress, "the fitted model keeps no progress sink");
        options.BatchProgressInterval = 0;
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(options));
    }

    [TestMethod]
    public void Each_epoch_reports_its_total_whether_it_is_the_best_and_the_time_spent_and_left()
    {
        var ml = new MLContext(1);
        var seen = new List<EpochMetrics>();
        var options = Options();
        options.Progress = new SynchronousProgress<EpochMetrics>(seen.Add);
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train));
        Assert.AreEqual(5, seen.Count);
        double best = double.PositiveInfinity;
        for (int i = 0; i < seen.Count; i++)
        {
            var e = seen[i];
            Assert.AreEqual(5, e.TotalEpochs);
            Assert.AreEqual(e.ValidationLoss < best, e.IsBest, $"epoch {e.Epoch}");
            best = Math.Min(best, e.ValidationLoss!.Value);
            Assert.IsTrue(i == 0 || e.Elapsed > seen[i - 1].Elapsed, "elapsed time grows");
            Assert.IsTrue(e.EstimatedRemaining >= TimeSpan.Zero && (i < seen.Count - 1 || e.EstimatedRemaining == TimeSpan.Zero), "time left");
            StringAssert.Contains(e.ToString(), $"epoch {e.Epoch} of 5");
        }
        Assert.IsTrue(seen[0].IsBest);
        var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, TestData.ToDataView(ml, Train).Schema, path);
            using var reloaded = AutoencoderTransformer.Load(ml, path);
            for (int i = 0; i < seen.Count; i++)
            {
                var (a, b) = (seen[i], reloaded.TrainingHistory[i]);
                Assert.AreEqual((a.TotalEpochs, a.IsBest, a.Elapsed, a.EstimatedRemaining), (b.TotalEpochs, b.IsBest, b.Elapsed, b.EstimatedRemaining), $"epoch {i + 1} after reload");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Validation_data_of_the_users_own_measures_the_validation_loss()
    {
        var ml = new MLContext(1);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        var options = Options();
        options.ValidationData = TestData.ToDataView(ml, Held);   // ValidationFraction keeps its default and is not used
        options.ReconstructionErrorColumnName = "Error";
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train));
        Assert.IsTrue(model.TrainingHistory.All(e => e.ValidationLoss is not null));
        // The validation loss is the mean squared error over those rows: the mean of their error column.
        double meanError = TestData.Column(model.Transform(TestData.ToDataView(ml, Held)), "Error").Average(r => (double)r[0]);
        Assert.AreEqual(meanError, model.FinalValidationLoss!.Value, 1e-5);
        StringAssert.Contains(string.Join("\n", log), "(600 train, 200 validation)", "every training row trains");
        Assert.IsNull(model.State.Options.ValidationData, "the fitted model keeps no reference to the data");
        Assert.IsNull(model.State.Options.Progress);
    }

    [TestMethod]
    public void Wrong_validation_data_is_named_as_the_validation_data()
    {
        var ml = new MLContext(1);
        var options = Options();
        // The exceptions are of the types the same faults in the training rows give.
        string Error<T>(float[][] held, string column = "Features") where T : Exception
        {
            options.ValidationData = TestData.ToDataView(ml, held, column: column);
            return Assert.ThrowsExactly<T>(() => ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train))).Message;
        }
        StringAssert.StartsWith(Error<ArgumentOutOfRangeException>(Held.Select(r => r[..32]).ToArray()), "ValidationData: Input column 'Features' has vectors of size 32; the training data's have size 64.");
        StringAssert.StartsWith(Error<ArgumentOutOfRangeException>(Held, column: "Pixels"), "ValidationData: Input column 'Features' was not found");
        var bad = Held.Select(r => (float[])r.Clone()).ToArray();
        bad[7][3] = float.NaN;
        StringAssert.StartsWith(Error<InvalidOperationException>(bad), "ValidationData: Input column 'Features', row 7, feature 3 is NaN");
    }

    [TestMethod]
    public void Cancelling_with_KeepBestOnCancellation_returns_the_best_model_so_far()
    {
        var ml = new MLContext(1);
        using var cancel = new CancellationTokenSource();
        var options = Options();
        options.Epochs = 1000;
        options.KeepBestOnCancellation = true;
        options.CancellationToken = cancel.Token;
        options.Progress = new SynchronousProgress<EpochMetrics>(e => { if (e.Epoch == 3) cancel.Cancel(); });
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train));
        Assert.AreEqual(3, model.TrainingHistory.Count, "training stopped in the epoch after the cancellation");
        var best = model.TrainingHistory.MinBy(e => e.ValidationLoss)!;
        Assert.AreEqual(best.Epoch, model.BestEpoch);
        Assert.AreEqual(best.ValidationLoss!.Value, model.FinalValidationLoss!.Value, 1e-6, "the best epoch's weights are kept");
        Assert.AreEqual(Train.Length, TestData.Column(model.Transform(TestData.ToDataView(ml, Train)), "Code").Length);

        // Cancelled before a first epoch ends, there is nothing to keep.
        options.Progress = null;
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, Train)));
    }
}
