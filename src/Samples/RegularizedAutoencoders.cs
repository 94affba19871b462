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
        Plots.Histograms(histograms, path);
        Console.WriteLine($"Wrote {path}: histograms of the code activations (plain left, sparse right; log-scaled counts).");
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
        Plots.ImageRows(new[] { noisy, denoised, clean }, 8, 12, path);
        Console.WriteLine($"Wrote {path}: masked (top), denoised (middle) and clean (bottom) digits.");
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
            // Tangents have no sign: scale each to [0, 1] around 0.5 for display.
            lines.Add(points.Select(p => model.TangentVectors(p, 3)[t]).Select(v => v.Select(x => 0.5f + 2 * x).ToArray()).ToArray());
        var path = Path.Combine(output, "contractive-tangents.png");
        Plots.ImageRows(lines.ToArray(), 8, points.Length, path);
        Console.WriteLine($"Wrote {path}: six digits (top) and their three leading tangent vectors (rows below; grey = 0).");
    }

    /// <summary>Reconstruction error as an anomaly score: trained on digits 0-8, how well are the 9s told apart?</summary>
    public static void Anomaly(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var normal = rows.Where(r => r.Label != 9).ToArray();
        var train = Data.ToDataView(ml, normal[..1200], 64);
        var held = normal[1200..].Concat(rows.Where(r => r.Label == 9)).ToArray();
        using var model = ml.Transforms.Autoencoder(Common(new AutoencoderOptions { CodeSize = 8, ReconstructionErrorColumnName = "AnomalyScore" })).Fit(train);
        var scores = Data.Scalar(model.Transform(Data.ToDataView(ml, held, 64)), "AnomalyScore").Select(v => (double)v).ToArray();
        double auc = Metrics.AreaUnderRocCurve(scores, held.Select(r => r.Label == 9).ToArray());
        Console.WriteLine($"Trained on 1200 digits 0-8; scoring {held.Length - rows.Count(r => r.Label == 9)} held-out 0-8 and {rows.Count(r => r.Label == 9)} nines.");
        Console.WriteLine($"Mean anomaly score: 0-8 {scores.Where((_, i) => held[i].Label != 9).Average():F4}, 9 {scores.Where((_, i) => held[i].Label == 9).Average():F4}; ROC AUC {auc:F3}.");
    }
}
