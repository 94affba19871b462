using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Every variant fitted over and over while a thread collects garbage in a loop (run it with a tiny gen0,
/// DOTNET_GCgen0size=0x10000): a Scalar that nothing holds is then freed while libtorch reads it, which fails the fit
/// with a libtorch error (docs/conventions.md#numbers-and-tensors). Prints one line per failure and a summary; exits
/// non-zero on any failure. Used by the test <c>Fits_survive_constant_garbage_collection</c>.</summary>
public static class GcStress
{
    private sealed class Row
    {
        [VectorType(64)] public float[] Features = Array.Empty<float>();
        public string Batch = "";
        public string Kind = "";
    }

    /// <summary>The fits, each a few small epochs on 256 rows of 64 values in [0, 1]: two batches, four kinds.</summary>
    private static IEnumerable<(string Name, Func<MLContext, IDataView, IDisposable> Fit)> Fits()
    {
        AutoencoderOptions Small(AutoencoderOptions o) { o.Epochs = 3; o.BatchSize = 64; o.Seed = 1; o.CodeSize = 4; o.HiddenLayers = new[] { 16 }; return o; }
        yield return ("dense", (ml, d) => ml.Transforms.Autoencoder(Small(new AutoencoderOptions { Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, CodeActivation = Activation.LeakyRelu })).Fit(d));
        yield return ("sparse L1", (ml, d) => ml.Transforms.SparseAutoencoder((SparseAutoencoderOptions)Small(new SparseAutoencoderOptions())).Fit(d));
        yield return ("sparse KL", (ml, d) => ml.Transforms.SparseAutoencoder((SparseAutoencoderOptions)Small(new SparseAutoencoderOptions { Penalty = SparsityPenalty.KullbackLeibler, CodeActivation = Activation.Sigmoid })).Fit(d));
        foreach (var corruption in Enum.GetValues<Corruption>())
            yield return ($"denoising {corruption}", (ml, d) => ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Small(new DenoisingAutoencoderOptions { Corruption = corruption, ClipMin = 0, ClipMax = 1 })).Fit(d));
        yield return ("contractive", (ml, d) => ml.Transforms.ContractiveAutoencoder((ContractiveAutoencoderOptions)Small(new ContractiveAutoencoderOptions())).Fit(d));
        yield return ("contractive tanh, untied", (ml, d) => ml.Transforms.ContractiveAutoencoder((ContractiveAutoencoderOptions)Small(new ContractiveAutoencoderOptions { CodeActivation = Activation.Tanh, TiedWeights = false })).Fit(d));
        yield return ("stacked", (ml, d) => ml.Transforms.StackedAutoencoder((StackedAutoencoderOptions)Small(new StackedAutoencoderOptions { PretrainEpochs = 2, PretrainCorruption = 0.2 })).Fit(d));
        yield return ("variational", (ml, d) => ml.Transforms.VariationalAutoencoder((VariationalAutoencoderOptions)Small(new VariationalAutoencoderOptions())).Fit(d));
        yield return ("binary code", (ml, d) => ml.Transforms.BinaryCodeAutoencoder((BinaryCodeAutoencoderOptions)Small(new BinaryCodeAutoencoderOptions())).Fit(d));
        yield return ("convolutional", (ml, d) => ml.Transforms.ConvolutionalAutoencoder(new ConvolutionalAutoencoderOptions { ImageHeight = 8, ImageWidth = 8, Filters = new[] { 4, 4 }, Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(d));
        yield return ("AAnet", (ml, d) => ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { ArchetypeCount = 3, AnchorWeight = 1, Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(d));
        yield return ("SAUCIE, batches", (ml, d) => ml.Transforms.Saucie(new SaucieOptions { BatchColumnName = "Batch", Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(d));
        yield return ("classifier", (ml, d) => ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierOptions { Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(d));
        yield return ("anomaly detector", (ml, d) => ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectorOptions { Epochs = 3, BatchSize = 64, Seed = 1 }).Fit(d));
    }

    /// <summary>Repeats every fit until <paramref name="seconds"/> have passed (each fit at least once); 0 on no failure.</summary>
    public static int Run(int seconds, bool verbose = false)
    {
        var ml = new MLContext(1);
        var rand = new Random(1);
        var rows = Enumerable.Range(0, 256).Select(i => new Row
        {
            Features = Enumerable.Range(0, 64).Select(j => (float)Math.Clamp(0.5 + 0.3 * Math.Sin(i % 4 + j / 8.0) + 0.1 * rand.NextDouble(), 0, 1)).ToArray(),
            Batch = i % 2 == 0 ? "a" : "b",
            Kind = $"k{i % 4}",
        }).ToList();
        var raw = ml.Data.LoadFromEnumerable(rows);
        var data = ml.Transforms.Conversion.MapValueToKey("Label", nameof(Row.Kind)).Fit(raw).Transform(raw);
        using var stop = new CancellationTokenSource();
        // Young-generation collections back to back: each runs the finalizers of the Scalars nothing holds any more
        // (full collections in a loop stall the fits themselves for minutes).
        var collector = new Thread(() => { while (!stop.IsCancellationRequested) { GC.Collect(0); Thread.Sleep(1); } }) { IsBackground = true };
        collector.Start();
        var fits = Fits().ToList();
        var until = DateTime.UtcNow.AddSeconds(seconds);
        int done = 0, failed = 0;
        do
        {
            foreach (var (name, fit) in fits)
            {
                try
                {
                    var started = DateTime.UtcNow;
                    fit(ml, data).Dispose();
                    if (verbose) Console.WriteLine($"{name}: {(DateTime.UtcNow - started).TotalSeconds:F1} s");
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine($"failed: {name}: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
                }
                done++;
            }
        } while (DateTime.UtcNow < until);
        stop.Cancel();
        collector.Join();
        Console.WriteLine($"{done} fits of {fits.Count} kinds, {failed} failed, under constant garbage collection (gen0 budget {Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "default"})");
        return failed == 0 ? 0 : 1;
    }
}
