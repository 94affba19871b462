using MathNet.Numerics.Distributions;
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

    [TestMethod]
    public void Lisi_weights_reach_the_target_perplexity_without_underflow()
    {
        static double Perplexity(double[] w) => Math.Exp(-w.Where(v => v > 0).Sum(v => v * Math.Log(v)));
        var rand = new Random(1);
        var distances = Enumerable.Range(0, 90).Select(_ => 5 * rand.NextDouble()).ToArray();
        foreach (var target in new[] { 2.0, 5, 30 })
        {
            var w = Metrics.PerplexityWeights(distances, target);
            Assert.AreEqual(1, w.Sum(), 1e-12);
            Assert.AreEqual(target, Perplexity(w), 1e-4 * target, $"target {target}");
        }
        // Far neighbours: exp(-β d) underflows to 0 for every neighbour at d = 1000 (LISI then returns -1); measured
        // from the nearest, the weights are those of the distances 0, 1, 2, ...
        var far = Enumerable.Range(0, 30).Select(i => 1000.0 + i).ToArray();
        CollectionAssert.AreEqual(Metrics.PerplexityWeights(far.Select(d => d - 1000).ToArray(), 10), Metrics.PerplexityWeights(far, 10));
        Assert.AreEqual(10, Perplexity(Metrics.PerplexityWeights(far, 10)), 1e-3);
        // Equidistant neighbours cannot reach a lower perplexity: the weights stay uniform.
        CollectionAssert.AreEqual(Enumerable.Repeat(0.25, 4).ToArray(), Metrics.PerplexityWeights(new[] { 3.0, 3, 3, 3 }, 2));
    }

    [TestMethod]
    public void Ilisi_of_a_square_by_hand()
    {
        // Each corner of a unit square has 2 neighbours at distance 1 and 1 at √2. At the perplexity of the weights
        // (0.4, 0.4, 0.2), exp(-β) : exp(-√2 β) = 2 : 1 makes those the weights (k = min(3 × 2.87, 3) = 3).
        var square = new[] { new[] { 0f, 0 }, new[] { 1f, 0 }, new[] { 1f, 1 }, new[] { 0f, 1 } };
        double perplexity = 1 / (Math.Pow(0.4, 0.8) * Math.Pow(0.2, 0.2));
        // Alternating batches: both sides are of the other batch, shares 0.8 and 0.2.
        Assert.AreEqual(1 / (0.8 * 0.8 + 0.2 * 0.2), Metrics.Ilisi(square, new[] { 0, 1, 0, 1 }, perplexity, scale: false), 1e-4);
        Assert.AreEqual(1 / 0.68 - 1, Metrics.Ilisi(square, new[] { 0, 1, 0, 1 }, perplexity), 1e-4, "scaled: (LISI - 1) / (2 - 1)");
        // Batches by halves: one side of each batch, the diagonal of the other: shares 0.4 and 0.6.
        Assert.AreEqual(1 / (0.4 * 0.4 + 0.6 * 0.6), Metrics.Ilisi(square, new[] { 0, 0, 1, 1 }, perplexity, scale: false), 1e-4);
        // Uniform weights cannot tell the two apart: 1 / (1/9 + 4/9) both times.
        Assert.AreEqual(1.8, Metrics.InverseSimpsonBatchMixing(square, new[] { 0, 1, 0, 1 }, k: 3), 1e-12);
        Assert.AreEqual(1.8, Metrics.InverseSimpsonBatchMixing(square, new[] { 0, 0, 1, 1 }, k: 3), 1e-12);
    }

    [TestMethod]
    public void Separated_batches_score_0_and_interleaved_batches_near_1()
    {
        var rand = new Random(2);
        // Two clumps 100 apart, one batch each: every neighbourhood (15 for iLISI at perplexity 5, 10 for kBET) is one batch.
        var clumps = Enumerable.Range(0, 40).Select(i => new[] { (float)(100 * (i / 20) + rand.NextDouble()), (float)rand.NextDouble() }).ToArray();
        var halves = Enumerable.Range(0, 40).Select(i => i / 20).ToArray();
        Assert.AreEqual(0, Metrics.Ilisi(clumps, halves, perplexity: 5), 1e-12);
        Assert.AreEqual(1, Metrics.Ilisi(clumps, halves, perplexity: 5, scale: false), 1e-12);
        // kBET's default k here is 10 (40 / (4 x 2) = 5, raised to 10): counts (10, 0) against (5, 5), χ² = 10, p = 0.0016.
        Assert.AreEqual(0, Metrics.Kbet(clumps, halves));

        // 200 rows on a line, batches alternating. The median row has LISI's 3 × 30 - 1 = 89 neighbours, at 1, 1, 2, 2,
        // ..., 44, 44, 45; perplexity 30 puts the other batch's share at 0.545126 there (solved apart, in Python, by
        // bisection to 1e-15), so LISI = 1 / (0.545126² + 0.454874²) = 1.983841: close to 2, short of it because the
        // nearest two are both of the other batch. With 90 neighbours (3 × perplexity) it would be 1.983824.
        var line = Enumerable.Range(0, 200).Select(i => new[] { (float)i }).ToArray();
        var alternating = Enumerable.Range(0, 200).Select(i => i % 2).ToArray();
        Assert.AreEqual(1.983841, Metrics.Ilisi(line, alternating, scale: false), 5e-6);
        Assert.AreEqual(0.983841, Metrics.Ilisi(line, alternating), 5e-6);
        // kBET's default k is 25: the row and 12 neighbours a side, counts 13 and 12 against 12.5 each.
        Assert.AreEqual(1, Metrics.Kbet(line, alternating));
        var threeWays = Enumerable.Range(0, 200).Select(i => i % 3).ToArray();
        double scaled = Metrics.Ilisi(line, threeWays);
        Console.WriteLine($"3 alternating batches: iLISI {Metrics.Ilisi(line, threeWays, scale: false):F4}, scaled {scaled:F4}");
        Assert.IsTrue(scaled > 0.95 && scaled <= 1, $"scaled iLISI {scaled}");
        Assert.AreEqual(1, Metrics.Kbet(line, threeWays));
    }

    [TestMethod]
    public void Kbet_p_values_by_hand()
    {
        // Three clumps of 6 rows, each batch 1/3 of all rows; with k = 6 a neighbourhood is its clump, expected (2, 2, 2).
        // Counts (4, 2, 0) and (0, 2, 4): χ² = 4/2 + 0 + 4/2 = 4 with 2 degrees of freedom, p = exp(-4/2); (2, 2, 2): p = 1.
        var batches = new[] { 0, 0, 0, 0, 1, 1, /**/ 1, 1, 2, 2, 2, 2, /**/ 0, 0, 1, 1, 2, 2 };
        var points = batches.Select((_, i) => new[] { (float)(100 * (i / 6) + 0.1 * (i % 6)) }).ToArray();
        double p = Math.Exp(-2);
        Assert.AreEqual(p, 1 - ChiSquared.CDF(2, 4), 1e-12, "the chi-square survival function with 2 degrees of freedom is exp(-x/2)");
        Assert.AreEqual(1, Metrics.Kbet(points, batches, k: 6, alpha: p * (1 - 1e-6)), 1e-12, "all accepted just below p");
        Assert.AreEqual(1 / 3.0, Metrics.Kbet(points, batches, k: 6, alpha: p * (1 + 1e-6)), 1e-12, "only the mixed clump just above p");
        Assert.AreEqual(1, Metrics.Kbet(points, batches, k: 6), 1e-12, "at the default α = 0.05");
    }

    [TestMethod]
    public void Mixing_measures_name_bad_arguments()
    {
        var points = Enumerable.Range(0, 10).Select(i => new[] { (float)i }).ToArray();
        var batches = Enumerable.Range(0, 10).Select(i => i % 2).ToArray();
        void Named<T>(string name, Action call) where T : ArgumentException => Assert.AreEqual(name, Assert.ThrowsExactly<T>(call).ParamName);
        Named<ArgumentException>("batches", () => Metrics.Ilisi(points, batches[..9]));
        Named<ArgumentException>("batches", () => Metrics.Kbet(points, new int[10]));
        Named<ArgumentException>("batches", () => Metrics.Ilisi(points, new int[10]));
        Named<ArgumentException>("points", () => Metrics.Ilisi(points.Append(new[] { 1f, 2 }).ToArray(), batches.Append(0).ToArray()));
        Named<ArgumentException>("points", () => Metrics.Kbet(points.Take(9).Append(new[] { float.NaN }).ToArray(), batches));
        Named<ArgumentException>("points", () => Metrics.Ilisi(points.Take(9).Append(null!).ToArray(), batches));
        Named<ArgumentOutOfRangeException>("perplexity", () => Metrics.Ilisi(points, batches, perplexity: 0.5));
        Named<ArgumentOutOfRangeException>("k", () => Metrics.Kbet(points, batches, k: 1));
        Named<ArgumentOutOfRangeException>("k", () => Metrics.Kbet(points, batches, k: 11));
        Named<ArgumentOutOfRangeException>("alpha", () => Metrics.Kbet(points, batches, alpha: 1));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Metrics.Kbet(points, batches, k: 11)).Message, "from 2 to the number of rows (10)");
    }
}
