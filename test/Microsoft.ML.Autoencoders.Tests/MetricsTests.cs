using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public void Roc_auc_matches_counting_pairs()
    {
        var scores = new[] { 0.1, 0.4, 0.35, 0.8, 0.4 };
        var labels = new[] { false, false, true, true, true };
        // Pairs (positive, negative): 0.35>0.1, 0.35<0.4, 0.8>both, 0.4>0.1, 0.4=0.4 (half): (1+0+2+1+0.5)/6.
        Assert.AreEqual(4.5 / 6, Metrics.AreaUnderRocCurve(scores, labels), 1e-12);
        Assert.AreEqual(1, Metrics.AreaUnderRocCurve(new[] { 0.0, 1 }, new[] { false, true }));
        Assert.ThrowsExactly<ArgumentException>(() => Metrics.AreaUnderRocCurve(new[] { 0.0 }, new[] { true }));
    }

    [TestMethod]
    public void Precision_at_k_and_mean_average_precision_by_hand()
    {
        var db = new[] { 1, 2, 1, 1 };
        var rankings = new IReadOnlyList<int>[] { new[] { 0, 1, 2, 3 }, new[] { 1, 0, 2, 3 } };
        var queries = new[] { 1, 2 };
        Assert.AreEqual(1, Metrics.PrecisionAtK(rankings, db, queries, 1), 1e-12);
        Assert.AreEqual((2 / 3.0 + 1 / 3.0) / 2, Metrics.PrecisionAtK(rankings, db, queries, 3), 1e-12);
        Assert.AreEqual((3 / 5.0 + 1 / 5.0) / 2, Metrics.PrecisionAtK(rankings, db, queries, 5), 1e-12);
        // Query 0: hits at 1, 3, 4 -> (1 + 2/3 + 3/4) / 3; query 1: hit at 1 -> 1.
        Assert.AreEqual(((1 + 2 / 3.0 + 3 / 4.0) / 3 + 1) / 2, Metrics.MeanAveragePrecision(rankings, db, queries), 1e-12);
    }

    [TestMethod]
    public void Downstream_accuracy_scores_raw_and_featurized_columns()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var labeled = TestData.ToDataView(ml, x[..300], y[..300]);
        var test = TestData.ToDataView(ml, x[1500..], y[1500..]);
        double raw = Downstream.MulticlassAccuracy(ml, null, "Features", "Label", labeled, test);
        using var autoencoder = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 16, Epochs = 30, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, x[..1500]));
        double coded = Downstream.MulticlassAccuracy(ml, autoencoder, "Code", "Label", labeled, test);
        Console.WriteLine($"accuracy with 300 labels: raw {raw:F3}, 16-d code {coded:F3}");
        Assert.IsTrue(raw > 0.8 && coded > 0.7, $"raw {raw}, code {coded}");
    }

    [TestMethod]
    public void Clustering_and_mixing_measures_by_hand()
    {
        var truth = new[] { 0, 0, 0, 1, 1, 1 };
        Assert.AreEqual(1, Metrics.AdjustedRandIndex(truth, new[] { 5, 5, 5, 7, 7, 7 }), 1e-12, "relabelled partition");
        Assert.AreEqual(1, Metrics.NormalizedMutualInformation(truth, new[] { 5, 5, 5, 7, 7, 7 }), 1e-12);
        // Contingency [[2,1],[1,2]]: index 2, row and column pair sums 6 and 6, expected 6*6/15 = 2.4, max 6: (2-2.4)/(6-2.4).
        Assert.AreEqual((2 - 2.4) / (6 - 2.4), Metrics.AdjustedRandIndex(truth, new[] { 0, 0, 1, 1, 1, 0 }), 1e-12);
        var points = new[] { new[] { 0f }, new[] { 1f }, new[] { 10f }, new[] { 11f } };
        var groups = new[] { 0, 0, 1, 1 };
        // Row 0: a = 1, b = (10 + 11) / 2 = 10.5 -> s = 9.5 / 10.5.
        Assert.AreEqual((9.5 / 10.5 + 8.5 / 9.5 + 8.5 / 9.5 + 9.5 / 10.5) / 4, Metrics.Silhouette(points, groups), 1e-12);
        Assert.AreEqual(1, Metrics.NeighbourLabelAgreement(points, groups, k: 1), 1e-12);
        Assert.AreEqual(1, Metrics.InverseSimpsonBatchMixing(points, groups, k: 1), 1e-12, "neighbours all from one batch");
        // k = 2, batches 0 1 0 1: neighbourhoods {1,10}: mixed (2), {0,10}: batch 0 (1), {11,1}: batch 1 (1), {10,1}: mixed (2).
        Assert.AreEqual(1.5, Metrics.InverseSimpsonBatchMixing(points, new[] { 0, 1, 0, 1 }, k: 2), 1e-12);
        Assert.IsTrue(Metrics.BatchSilhouette(points, new[] { 0, 1, 0, 1 }, groups) > Metrics.BatchSilhouette(points, groups));
    }
}
