using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class ArchetypalAnalysisTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new ArchetypalAnalysisOptions
    {
        ArchetypeCount = 3, HiddenLayers = new[] { 16 }, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error", DistanceColumnName = "Distance",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.ArchetypalAnalysis((ArchetypalAnalysisOptions)options);

    private static IEnumerable<int[]> Permutations(int[] items)
        => items.Length <= 1 ? new[] { items } : items.SelectMany(i => Permutations(items.Where(j => j != i).ToArray()).Select(rest => rest.Prepend(i).ToArray()));

    [TestMethod]
    public void Matching_archetypes_finds_the_best_of_all_pairings()
    {
        var rand = new Random(4);
        for (int trial = 0; trial < 20; trial++)
        {
            var truth = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 3).Select(_ => (float)TestData.Gaussian(rand)).ToArray()).ToArray();
            var learned = Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 3).Select(_ => (float)TestData.Gaussian(rand)).ToArray()).ToArray();
            double Error(int[] p) => p.Select((l, t) => learned[l].Zip(truth[t]).Average(q => (double)(q.First - q.Second) * (q.First - q.Second))).Average();
            double best = Permutations(Enumerable.Range(0, 6).ToArray()).Min(Error);
            Assert.AreEqual(best, Error(Metrics.MatchArchetypes(learned, truth)), 1e-12);
            Assert.AreEqual(best, Metrics.MatchedArchetypeError(learned, truth), 1e-12);
        }
        var triangle = new[] { new[] { 0f, 0f }, new[] { 4f, 1f }, new[] { 1f, 3f } };
        var shuffled = new[] { triangle[2], triangle[0], triangle[1] };
        CollectionAssert.AreEqual(new[] { 1, 2, 0 }, Metrics.MatchArchetypes(shuffled, triangle));
        Assert.AreEqual(0, Metrics.MatchedArchetypeError(shuffled, triangle));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Metrics.MatchArchetypes(shuffled[..2], triangle)).Message, "2 learned and 3 true");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Metrics.MatchArchetypes(new[] { triangle[0], triangle[1], new[] { 1f } }, triangle)).Message, "has 1 values");
    }

    /// <summary>With AnchorWeight null AAnet trains both ways from the same start and keeps the fit whose archetypes lie
    /// nearer the rows; a weight trains once.</summary>
    [TestMethod]
    public void With_AnchorWeight_null_both_fits_are_trained_and_the_better_kept()
    {
        var ml = new MLContext(1);
        var logged = new List<string>();
        ml.Log += (_, e) => { if (e.Message.Contains("AAnet kept")) lock (logged) logged.Add(e.Message); };
        var (x, _, _) = TestData.Archetypal(n: 300, k: 3, dims: 8, seed: 3);
        var data = TestData.ToDataView(ml, x);
        var options = (ArchetypalAnalysisOptions)SmallOptions(1);
        (options.Epochs, options.AnchorWeight, options.ValidationFraction) = (3, null, 0.2);
        using var chosen = ml.Transforms.ArchetypalAnalysis(options).Fit(data);
        CollectionAssert.AreEqual(new[] { "anchored", "not anchored" }, chosen.TrainingHistory.Select(e => e.Phase).Distinct().ToArray());
        Assert.AreEqual(6, chosen.TrainingHistory.Count, "3 epochs each, none after");
        Assert.AreEqual(1, logged.Count, "the choice is logged");
        double Logged(string pattern, int fit) => double.Parse(System.Text.RegularExpressions.Regex.Match(logged[0], pattern).Groups[fit].Value, System.Globalization.CultureInfo.InvariantCulture);
        const string distances = @"nearest row (\S+) anchored, (\S+) not", losses = @"loss (\S+) anchored, (\S+) not";
        bool anchoredWon = Logged(distances, 1) < Logged(distances, 2);
        StringAssert.Contains(logged[0], $"AAnet kept the {(anchoredWon ? "anchored" : "not anchored")} fit");
        // The network holds the kept fit: its archetypes are as far from the rows as logged (the sample is every
        // training row here, a subset of all rows, so no nearer), its validation loss is that fit's, and so is its best epoch.
        double distance = chosen.Archetypes.Average(a => x.Min(r => r.Zip(a).Sum(q => (double)(q.First - q.Second) * (q.First - q.Second))));
        Assert.IsTrue(distance <= Logged(distances, anchoredWon ? 1 : 2) * (1 + 1e-6), $"{distance} against {logged[0]}");
        double kept = Logged(losses, anchoredWon ? 1 : 2);
        Assert.AreEqual(kept, chosen.FinalValidationLoss!.Value, 1e-9 * Math.Max(1, kept));
        Assert.IsTrue(chosen.BestEpoch >= 1 && chosen.BestEpoch <= 3, $"best epoch {chosen.BestEpoch}");

        // Each fit is the one its weight trains alone: same weights, minibatches and noise.
        options.AnchorWeight = anchoredWon ? 1 : 0;
        using var alone = ml.Transforms.ArchetypalAnalysis(options).Fit(data);
        CollectionAssert.AreEqual(new[] { "train" }, alone.TrainingHistory.Select(e => e.Phase).Distinct().ToArray(), "a weight the user gives trains once");
        for (int k = 0; k < 3; k++) CollectionAssert.AreEqual(alone.Archetypes[k], chosen.Archetypes[k], $"archetype {k}");
        Assert.AreEqual(alone.FinalValidationLoss!.Value, chosen.FinalValidationLoss!.Value);
    }

    [TestCategory("Slow")]
    [TestMethod]
    [DataRow(3, 0.0)]
    [DataRow(5, 1.0)]
    public void Learned_archetypes_match_the_true_ones_better_than_a_linear_baseline(int k, double anchorWeight)
    {
        // Measured: 3 archetypes, archetype MSE 0.031 of the variance against 2.57 for linear archetypal analysis
        // (PCHA), weight correlations 1.00 (with anchoring: 0.48). 5 archetypes with anchoring: 0.43 against PCHA's 1.46,
        // correlations 0.99-1.00.
        var ml = new MLContext(1);
        var (x, trueWeights, truth) = TestData.Archetypal(n: 1200, k: k, dims: 20, seed: k);
        var options = new ArchetypalAnalysisOptions
        {
            // Latent noise 0.05 blurs the decoder near the vertices of this unit-circumradius simplex (archetype error
            // 0.09-0.16 of the variance); 0.02 gives 0.02-0.03.
            ArchetypeCount = k, HiddenLayers = new[] { 64, 32 }, Epochs = 400, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1,
            LatentNoise = 0.02, EarlyStoppingPatience = 0, ValidationFraction = 0, DistanceColumnName = "Distance", AnchorWeight = anchorWeight,
        };
        var data = TestData.ToDataView(ml, x);
        using var model = ml.Transforms.ArchetypalAnalysis(options).Fit(data);
        double variance = Enumerable.Range(0, 20).Average(f => { double m = x.Average(r => r[f]); return x.Average(r => (r[f] - m) * (r[f] - m)); });
        var match = Metrics.MatchArchetypes(model.Archetypes, truth);
        double learned = Metrics.MatchedArchetypeError(model.Archetypes, truth) / variance;
        double linear = Metrics.MatchedArchetypeError(Baselines.Pcha(x, k, seed: 1), truth) / variance;

        var weights = TestData.Column(model.Transform(data), "ArchetypeWeights");
        var correlations = Enumerable.Range(0, k).Select(t => Correlation(weights.Select(w => (double)w[match[t]]).ToArray(), trueWeights.Select(w => w[t]).ToArray())).ToArray();
        var sums = weights.Select(w => w.Sum()).ToArray();
        double negativeMass = weights.Average(w => w.Where(v => v < 0).Sum(v => -v));
        Console.WriteLine($"K={k}: archetype MSE / variance: AAnet {learned:F4}, PCHA {linear:F4}; weight correlations {string.Join(", ", correlations.Select(c => c.ToString("F2")))}; mean negative weight mass {negativeMass:F4}");
        if (k == 3) Assert.IsTrue(learned < 0.1, "archetypes found");
        Assert.IsTrue(learned < 0.5 * linear, "at most half the linear baseline's error");
        Assert.IsTrue(correlations.All(c => c > 0.8), "weights follow the true weights");
        Assert.IsTrue(sums.All(s => Math.Abs(s - 1) < 1e-4), "weights sum to 1");
        Assert.IsTrue(negativeMass < 0.02, "weights are non-negative within tolerance");
        var distances = TestData.Column(model.Transform(data), "Distance").Select(d => d[0]).ToArray();
        Assert.IsTrue(distances.Zip(weights).All(p => Math.Abs(p.First - (1 - p.Second.Max()) / (1 - 1.0 / k)) < 1e-4));
    }

    private static double Correlation(double[] a, double[] b)
    {
        double ma = a.Average(), mb = b.Average();
        double cov = a.Zip(b).Sum(p => (p.First - ma) * (p.Second - mb));
        return cov / Math.Sqrt(a.Sum(v => (v - ma) * (v - ma)) * b.Sum(v => (v - mb) * (v - mb)));
    }

    [TestMethod]
    public void Archetypes_and_generation_survive_typed_reload()
    {
        var ml = new MLContext(1);
        var (x, _, _) = TestData.Archetypal(n: 500, k: 3, dims: 20, seed: 2);
        var data = TestData.ToDataView(ml, x);
        using var model = (ArchetypalAnalysisTransformer)Create(ml, SmallOptions(1)).Fit(data);
        Assert.AreEqual(3, model.Archetypes.Length);
        Assert.IsTrue(model.Archetypes.All(a => a.Length == 20));
        var generated = model.Generate(10, seed: 4);
        Assert.IsTrue(generated.All(r => r.Length == 20 && r.All(float.IsFinite)));
        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        using var reloaded = (ArchetypalAnalysisTransformer)AutoencoderTransformer.Load(new MLContext(), path);
        File.Delete(path);
        AssertClose(model.Archetypes, reloaded.Archetypes, 0, "archetypes");
        AssertClose(generated, reloaded.Generate(10, seed: 4), 0, "generation");
    }

    [TestMethod]
    public void Bad_archetypal_options_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { ArchetypeCount = 1 })).Message, "ArchetypeCount");
        // The code is the K archetype weights: a CodeSize would be ignored, so it is refused.
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { CodeSize = 8 })).Message, "leave CodeSize unset");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { ArchetypalWeight = -1 })).Message, "ArchetypalWeight");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { LatentNoise = -0.1 })).Message, "LatentNoise");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { AnchorWeight = double.NaN })).Message, "AnchorWeight");
        var tiny = TestData.ToDataView(ml, Enumerable.Range(0, 50).Select(i => new[] { (float)i, i % 3 }).ToArray());
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { ArchetypeCount = 4, Epochs = 1 }).Fit(tiny));
        StringAssert.Contains(e.Message, "ArchetypeCount is 4");
        using var model = (ArchetypalAnalysisTransformer)Create(ml, SmallOptions(1)).Fit(TestData.ToDataView(ml, Rows));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Generate(0));
    }
}
