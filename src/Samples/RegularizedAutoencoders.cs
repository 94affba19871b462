using Microsoft.ML.Data;
using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>Samples of the sparse, denoising and contractive autoencoders and of anomaly scores, on the bundled digits.</summary>
public static class RegularizedAutoencoders
{
    private static T Common<T>(T options) where T : AutoencoderOptions
    {
        options.CodeSize = 32;
        options.HiddenLayers = new[] { 64 };
        options.Epochs = 60;
        options.BatchSize = 64;
        options.LearningRate = 3e-3;
        options.EarlyStoppingPatience = 0;
        options.Threads = 1;
        options.Seed = 1;
        return options;
    }

    /// <summary>Code activations of a plain and a sparse (L1) autoencoder, as two histograms.</summary>
    public static void Sparse(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var train = Data.ToDataView(ml, rows[..1400], 64);
        var test = Data.ToDataView(ml, rows[1400..], 64);
        var plainOptions = Common(new AutoencoderOptions { CodeActivation = Activation.Relu, ReconstructionErrorColumnName = "Error" });
        var sparseOptions = Common(new SparseAutoencoderOptions { SparsityWeight = 1e-4, ReconstructionErrorColumnName = "Error" });
        using var plain = ml.Transforms.Autoencoder(plainOptions).Fit(train);
        using var sparse = ml.Transforms.SparseAutoencoder(sparseOptions).Fit(train);
        var histograms = new List<(string Name, float[] Values)>();
        foreach (var (name, model) in new[] { ("plain", (AutoencoderTransformer)plain), ("sparse L1 1e-4", sparse) })
        {
            var scored = model.Transform(test);
            var code = Data.Column(scored, "Code").SelectMany(r => r).ToArray();
            double error = Data.Scalar(scored, "Error").Average();
            Console.WriteLine($"{name,-15} held-out MSE {error:F5}, mean code activation {code.Average():F3}, exact zeros {code.Count(v => v == 0) / (double)code.Length:P0}");
            histograms.Add((name, code));
        }
        var path = Path.Combine(output, "sparse-code-histogram.png");
        Plots.Histograms(histograms, "Code activations on held-out digits", "activation", path, yLabel: "code values");
    }

    /// <summary>Noisy, denoised and clean digits.</summary>
    public static void Denoising(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var train = Data.ToDataView(ml, rows[..1400], 64);
        using var model = ml.Transforms.DenoisingAutoencoder(Common(new DenoisingAutoencoderOptions
        {
            Corruption = Corruption.Masking, NoiseLevel = 0.3, ReconstructionColumnName = "Denoised",
        })).Fit(train);
        var rand = new Random(5);
        var clean = rows[1400..].Select(r => r.Features).ToArray();
        var noisy = clean.Select(r => r.Select(v => rand.NextDouble() < 0.3 ? 0f : v).ToArray()).ToArray();
        var denoised = Data.Column(model.Transform(Data.ToDataView(ml, noisy.Select(n => new ImageRow { Features = n }), 64)), "Denoised");
        double Mse(float[][] a) => a.Zip(clean).Average(p => p.First.Zip(p.Second).Average(q => (q.First - q.Second) * (q.First - q.Second)));
        Console.WriteLine($"30% of pixels masked: MSE to the clean digits {Mse(noisy):F4} noisy, {Mse(denoised):F4} denoised.");
        var path = Path.Combine(output, "denoising.png");
        Plots.ImageRows(new[] { noisy, denoised, clean }, new[] { "30% masked", "denoised", "clean" }, 8, 12, "Denoising autoencoder on held-out digits", path);
    }

    /// <summary>The top tangent vectors of a contractive autoencoder at a few digits, drawn as images.</summary>
    public static void Contractive(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        using var model = ml.Transforms.ContractiveAutoencoder(Common(new ContractiveAutoencoderOptions
        {
            HiddenLayers = Array.Empty<int>(), CodeSize = 16, ContractionWeight = 1e-3,
        })).Fit(Data.ToDataView(ml, rows[..1400], 64));
        var points = rows[1400..1406].Select(r => r.Features).ToArray();
        var lines = new List<float[][]> { points };
        for (int t = 0; t < 3; t++)
            // A tangent is a direction: each is scaled to a largest magnitude of 1, on the scale the digits use.
            lines.Add(points.Select(p => model.TangentVectors(p, 3)[t]).Select(v => v.Select(x => x / v.Max(Math.Abs)).ToArray()).ToArray());
        var path = Path.Combine(output, "contractive-tangents.png");
        Plots.ImageRows(lines.ToArray(), new[] { "digit", "tangent 1", "tangent 2", "tangent 3" }, 8, points.Length, "Contractive autoencoder: digits and their leading tangents", path, signed: true);
    }

    /// <summary>The anomaly detector: trained on digits 0-8, how well are the 9s told apart? A score histogram with the
    /// threshold, the ROC curve and the most anomalous held-out digits.</summary>
    public static void Anomaly(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var normal = rows.Where(r => r.Label != 9).ToArray();
        var train = Data.ToDataView(ml, normal[..1200], 64);
        var held = normal[1200..].Concat(rows.Where(r => r.Label == 9)).ToArray();
        var options = Common(new AutoencoderAnomalyDetectorOptions { Contamination = 0.05 });
        options.CodeSize = 8;
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(options).Fit(train);
        // The evaluator's label: Single, 1 for an anomaly (a nine).
        var heldRows = Data.ToDataView(ml, held.Select(r => new ImageRow { Features = r.Features, Label = r.Label == 9 ? 1u : 0u }), 64);
        var scored = model.Transform(ml.Transforms.Conversion.ConvertType("Label", outputKind: Microsoft.ML.Data.DataKind.Single).Fit(heldRows).Transform(heldRows));
        var metrics = ml.AnomalyDetection.Evaluate(scored);
        var scores = Data.Scalar(scored, "Score");
        var nine = held.Select(r => r.Label == 9).ToArray();
        Console.WriteLine($"Trained on 1200 digits 0-8 (threshold {model.AnomalyThreshold:F4}: 5% of them above it); scoring {nine.Count(n => !n)} held-out 0-8 and {nine.Count(n => n)} nines.");
        Console.WriteLine($"AnomalyDetection.Evaluate: ROC AUC {metrics.AreaUnderRocCurve:F3}, detection rate at 10 false positives {metrics.DetectionRateAtFalsePositiveCount:F3}.");
        var flagged = scored.GetColumn<bool>("PredictedLabel").ToArray();
        Console.WriteLine($"Above the threshold: {flagged.Where((f, i) => f && nine[i]).Count()} of the nines, {flagged.Where((f, i) => f && !nine[i]).Count()} of the 0-8s.");
        Plots.Histograms(new[] { ("held-out 0-8", scores.Where((_, i) => !nine[i]).ToArray()), ("9 (never seen)", scores.Where((_, i) => nine[i]).ToArray()) },
            "Anomaly scores of held-out digits", "score (reconstruction error)", Path.Combine(output, "anomaly-scores.png"), marker: model.AnomalyThreshold, markerName: "threshold");
        Plots.Roc(scores.Select(v => (double)v).ToArray(), nine, $"autoencoder, AUC {metrics.AreaUnderRocCurve:F3}", Path.Combine(output, "anomaly-roc.png"));
        var ranked = Enumerable.Range(0, held.Length).OrderByDescending(i => scores[i]).ToArray();
        Plots.ImageRows(new[] { ranked.Take(12).Select(i => held[i].Features).ToArray(), ranked.TakeLast(12).Select(i => held[i].Features).ToArray() },
            new[] { "most anomalous", "least anomalous" }, 8, 12, $"Held-out digits by anomaly score ({ranked.Take(12).Count(i => nine[i])} of the top 12 are 9s)", Path.Combine(output, "anomaly-digits.png"));

        // Where an autoencoder should win: normal rows on a curved surface, which no low-rank linear subspace holds, so
        // PCA's residual cannot tell rows just off the surface from rows on it. Both detectors at their defaults.
        var (surface, _) = CurvedSurface(1000, 0, seed: 1);
        var (probe, off) = CurvedSurface(950, 50, seed: 2);
        var surfaceData = Data.ToDataView(ml, surface.Select(r => new ImageRow { Features = r }), 10);
        var probeData = Data.ToDataView(ml, probe.Select((r, i) => new ImageRow { Features = r, Label = off[i] ? 1u : 0u }), 10);
        var probeLabelled = ml.Transforms.Conversion.ConvertType("Label", outputKind: Microsoft.ML.Data.DataKind.Single).Fit(probeData).Transform(probeData);
        using var curved = ml.AnomalyDetection.Trainers.Autoencoder().Fit(surfaceData);
        double autoencoderAuc = ml.AnomalyDetection.Evaluate(curved.Transform(probeLabelled)).AreaUnderRocCurve;
        double pcaAuc = Enumerable.Range(1, 4).Max(rank => ml.AnomalyDetection.Evaluate(ml.AnomalyDetection.Trainers.RandomizedPca(rank: rank, seed: 1).Fit(surfaceData).Transform(probeLabelled)).AreaUnderRocCurve);
        Console.WriteLine($"Curved 2-d surface in 10 dimensions, 5% of the test rows pushed off it: ROC AUC autoencoder at its defaults {autoencoderAuc:F3}, RandomizedPca at its best rank (1-4) {pcaAuc:F3}.");
        Console.WriteLine($"What it shows: on data that lies on a curved surface the autoencoder's reconstruction error {(autoencoderAuc > pcaAuc ? "finds" : "does not find")} the off-surface rows better than PCA's residual.");
    }

    /// <summary>Rows on a curved 2-d surface in 10 dimensions ((u, v, u², v², uv, sin 3u) through a fixed random
    /// matrix, plus noise of 0.02), then <paramref name="anomalies"/> rows pushed 0.5 off it in a random direction.</summary>
    private static (float[][] Rows, bool[] Off) CurvedSurface(int normal, int anomalies, int seed)
    {
        var map = new Random(12345);
        double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());
        var w = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 6).Select(_ => Normal(map) / Math.Sqrt(6)).ToArray()).ToArray();
        var rand = new Random(seed);
        var rows = Enumerable.Range(0, normal + anomalies).Select(i =>
        {
            double u = 2 * rand.NextDouble() - 1, v = 2 * rand.NextDouble() - 1;
            var features = new[] { u, v, u * u, v * v, u * v, Math.Sin(3 * u) };
            var point = w.Select(row => row.Zip(features, (a, b) => a * b).Sum() + 0.02 * Normal(rand)).ToArray();
            if (i < normal) return point.Select(p => (float)p).ToArray();
            var direction = Enumerable.Range(0, 10).Select(_ => Normal(rand)).ToArray();
            double norm = Math.Sqrt(direction.Sum(d => d * d));
            return point.Zip(direction, (p, d) => (float)(p + 0.5 * d / norm)).ToArray();
        }).ToArray();
        return (rows, Enumerable.Range(0, normal + anomalies).Select(i => i >= normal).ToArray());
    }
}
