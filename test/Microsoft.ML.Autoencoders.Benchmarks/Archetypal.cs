using System.Diagnostics;
using Microsoft.ML.Data;
using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>AAnet against linear archetypal analysis (PCHA) on data like the AAnet paper's evaluation: convex
/// mixtures of K known archetypes pushed through a fixed non-linear map. The figure is the archetype error after
/// optimal matching, in the data's units, against the true archetypes mapped the same way (goal: AAnet at most half
/// of PCHA's).</summary>
public static class Archetypal
{
    private const int Dims = 20, Hidden = 32;

    public static void Run(int threads) => Run(threads, rows: 4000, epochs: 300, counts: new[] { 3, 4, 5, 6 });

    public static void Run(int threads, int rows, int epochs, int[] counts)
    {
        Console.WriteLine($"## Archetypes: AAnet (64-32, latent noise 0.02, {epochs} epochs) against PCHA; {rows} rows in {Dims} dimensions, threads {threads}");
        Console.WriteLine("| K | AnchorWeight | data variance | AAnet MSE | PCHA MSE | AAnet / PCHA | AAnet s | PCHA s | archetype to nearest row / (D variance) | least largest weight of a vertex | last train loss |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (int k in counts)
        {
            var (x, truth) = Generate(rows, k, seed: k);
            double variance = Enumerable.Range(0, Dims).Average(f => { double m = x.Average(r => r[f]); return x.Average(r => (r[f] - m) * (r[f] - m)); });
            var ml = new MLContext(seed: 1);
            var data = FashionMnist.ToDataView(ml, x.Select(r => new ImageRow { Features = r }), Dims);
            var clock = Stopwatch.StartNew();
            var pcha = Baselines.Pcha(x, k, seed: 1);
            double pchaSeconds = clock.Elapsed.TotalSeconds, linear = Metrics.MatchedArchetypeError(pcha, truth);
            // null: the default, which trains both ways and keeps the fit whose archetypes lie nearer the rows.
            foreach (var anchor in new double?[] { 0.0, 1.0, null })
            {
                clock.Restart();
                using var model = ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions
                {
                    ArchetypeCount = k, HiddenLayers = new[] { 64, 32 }, Epochs = epochs, BatchSize = 64, LearningRate = 3e-3, LatentNoise = 0.02,
                    EarlyStoppingPatience = 0, ValidationFraction = 0, Seed = 1, Threads = threads, AnchorWeight = anchor,
                }).Fit(data);
                double aanet = Metrics.MatchedArchetypeError(model.Archetypes, truth);
                // Criteria without the truth: how far each archetype lies from the nearest row, and how close the rows come to each vertex.
                double distance = model.Archetypes.Average(a => x.Min(r => r.Zip(a).Sum(q => (double)(q.First - q.Second) * (q.First - q.Second)))) / (variance * Dims);
                var weights = model.Transform(data).GetColumn<float[]>("ArchetypeWeights").ToArray();
                double coverage = Enumerable.Range(0, k).Min(a => weights.Max(w => w[a]));
                Console.WriteLine($"| {k} | {anchor?.ToString() ?? "null (both, the better kept)"} | {variance:F4} | {aanet:F5} | {linear:F5} | {aanet / linear:F2} | {clock.Elapsed.TotalSeconds:F0} | {pchaSeconds:F1} | {distance:F4} | {coverage:F3} | {model.TrainingHistory.Last().TrainLoss:F5} |");
            }
        }
    }

    /// <summary>The default (AnchorWeight null) over model seeds 1-3 on each K's data: AAnet's error as a share of PCHA's.</summary>
    public static void Seeds(int threads)
    {
        Console.WriteLine($"## Archetypes at the default (AnchorWeight null), model seeds 1-3; 4000 rows in {Dims} dimensions, 300 epochs, threads {threads}");
        Console.WriteLine("| K | seed 1 | seed 2 | seed 3 | mean |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (int k in new[] { 3, 4, 5, 6 })
        {
            var (x, truth) = Generate(4000, k, seed: k);
            var ml = new MLContext(seed: 1);
            var data = FashionMnist.ToDataView(ml, x.Select(r => new ImageRow { Features = r }), Dims);
            double linear = Metrics.MatchedArchetypeError(Baselines.Pcha(x, k, seed: 1), truth);
            var ratios = new[] { 1, 2, 3 }.Select(seed =>
            {
                using var model = ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions
                {
                    ArchetypeCount = k, HiddenLayers = new[] { 64, 32 }, Epochs = 300, BatchSize = 64, LearningRate = 3e-3, LatentNoise = 0.02,
                    EarlyStoppingPatience = 0, ValidationFraction = 0, Seed = seed, Threads = threads,
                }).Fit(data);
                return Metrics.MatchedArchetypeError(model.Archetypes, truth) / linear;
            }).ToArray();
            Console.WriteLine($"| {k} | {string.Join(" | ", ratios.Select(r => r.ToString("F2")))} | {ratios.Average():F2} |");
        }
    }

    /// <summary>Rows with Dirichlet(1) weights on K archetypes drawn from N(0, I) in R^(K-1), every tenth row within 3%
    /// of a vertex (weight 0.97 on it, the rest spread by Dirichlet(1)), mapped by m(p) = W2 tanh(W1 p + b1) into
    /// <see cref="Dims"/> dimensions (W1 ~ N(0, 1.5^2 / (K-1)), so tanh bends; b1 ~ N(0, 0.5^2); W2 ~ N(0, 1 / 32)),
    /// plus noise N(0, 0.02^2). Returns the rows and the archetypes' images m(a_k), without noise.</summary>
    private static (float[][] X, float[][] Archetypes) Generate(int rows, int k, int seed)
    {
        var rand = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());
        double[][] Draw(int count, int length, double scale) => Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, length).Select(_ => scale * Gaussian()).ToArray()).ToArray();
        var vertices = Draw(k, k - 1, 1);
        var w1 = Draw(Hidden, k - 1, 1.5 / Math.Sqrt(k - 1));
        var b1 = Draw(1, Hidden, 0.5)[0];
        var w2 = Draw(Dims, Hidden, 1 / Math.Sqrt(Hidden));
        float[] Map(double[] weights, double noise)
        {
            var p = Enumerable.Range(0, k - 1).Select(d => Enumerable.Range(0, k).Sum(a => weights[a] * vertices[a][d])).ToArray();
            var h = w1.Select((row, j) => Math.Tanh(row.Zip(p).Sum(q => q.First * q.Second) + b1[j])).ToArray();
            return w2.Select(row => (float)(row.Zip(h).Sum(q => q.First * q.Second) + noise * Gaussian())).ToArray();
        }
        var x = Enumerable.Range(0, rows).Select(i =>
        {
            var e = Enumerable.Range(0, k).Select(_ => -Math.Log(1 - rand.NextDouble())).ToArray();
            var weights = e.Select(v => v / e.Sum()).ToArray();
            if (i % 10 == 0) weights = weights.Select((v, a) => 0.03 * v + (a == i / 10 % k ? 0.97 : 0)).ToArray();
            return Map(weights, 0.02);
        }).ToArray();
        var archetypes = Enumerable.Range(0, k).Select(a => Map(Enumerable.Range(0, k).Select(b => a == b ? 1.0 : 0).ToArray(), 0)).ToArray();
        return (x, archetypes);
    }
}
