using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The model zoo (docs/zoo.md): every variant at its classic configuration on bundled data, at 1 thread and at
/// torch's default thread count, as users run it. Each fit must keep every epoch's losses finite and reach a quality
/// floor; a change that breaks a variant's training fails here.</summary>
[TestClass]
public sealed class ModelZooTests
{
    /// <summary>A zoo model: what it measures, the floor it must reach, and its fit at a thread count.</summary>
    private sealed record Entry(string Name, string Measure, bool HigherIsBetter, double Floor, Func<MLContext, int?, (double Value, IReadOnlyList<EpochMetrics> History)> Run);

    private static readonly (float[][] X, int[] Y) Digits = TestData.Digits;
    private static float[][] DigitsTrain => Digits.X[..1500];
    private static float[][] DigitsTest => Digits.X[1500..];

    private static T Classic<T>(T o, int? threads, int epochs, bool error = true) where T : AutoencoderOptions
    {
        (o.Epochs, o.Seed, o.Threads, o.ReconstructionErrorColumnName) = (epochs, 1, threads, error ? "Error" : null);
        return o;
    }

    private static T Bce<T>(T o) where T : AutoencoderOptions
    {
        (o.Loss, o.OutputActivation) = (ReconstructionLoss.BinaryCrossEntropy, Activation.Sigmoid);
        return o;
    }

    /// <summary>The mean per-row error on held-out rows, and the fit's history.</summary>
    private static (double, IReadOnlyList<EpochMetrics>) TestError(MLContext ml, IEstimator<AutoencoderTransformer> estimator, float[][] train, float[][] test)
    {
        using var model = estimator.Fit(TestData.ToDataView(ml, train));
        return (TestData.Column(model.Transform(TestData.ToDataView(ml, test)), "Error").Average(e => (double)e[0]), model.TrainingHistory);
    }

    private static readonly Entry[] Zoo =
    {
        new("dense 784-128-64-32, Fashion-MNIST", "test BCE", false, 0.34, (ml, t) => TestError(ml,
            ml.Transforms.Autoencoder(Classic(Bce(new AutoencoderOptions { HiddenLayers = new[] { 128, 64 }, CodeSize = 32, CodeActivation = Activation.Relu }), t, 30)),
            TestData.FashionTrain.X, TestData.FashionTest.X)),
        new("convolutional 16-8-8, Fashion-MNIST", "test BCE", false, 0.36, (ml, t) => TestError(ml,
            ml.Transforms.ConvolutionalAutoencoder(Classic(Bce(new ConvolutionalAutoencoderOptions { Filters = new[] { 16, 8, 8 }, BatchSize = 128 }), t, 6)),
            TestData.FashionTrain.X, TestData.FashionTest.X)),
        new("sparse L1, digits", "test MSE", false, 0.028, (ml, t) => TestError(ml,
            ml.Transforms.SparseAutoencoder(Classic(new SparseAutoencoderOptions { CodeSize = 32, HiddenLayers = new[] { 64 } }, t, 60)), DigitsTrain, DigitsTest)),
        new("denoising (Gaussian 0.2), digits", "test MSE of corrupted rows' denoised output to the clean rows", false, 0.030, Denoising),
        new("contractive, digits", "test MSE", false, 0.020, (ml, t) => TestError(ml,
            ml.Transforms.ContractiveAutoencoder(Classic(new ContractiveAutoencoderOptions { CodeSize = 16, BatchSize = 64, LearningRate = 3e-3, ContractionWeight = 1e-3, EarlyStoppingPatience = 0 }, t, 60)), DigitsTrain, DigitsTest)),
        new("stacked 64-32-16, digits", "test MSE", false, 0.032, (ml, t) => TestError(ml,
            ml.Transforms.StackedAutoencoder(Classic(new StackedAutoencoderOptions { HiddenLayers = new[] { 64, 32 }, CodeSize = 16, PretrainEpochs = 20 }, t, 60)), DigitsTrain, DigitsTest)),
        new("variational, digits", "test reconstruction MSE of the posterior mean", false, 0.048, Variational),
        new("binary code 16 bits, digits", "precision@10 of Hamming retrieval", true, 0.70, BinaryCode),
        new("SAUCIE, 4 cell types", "ARI of clusters to cell types", true, 0.85, Saucie),
        new("AAnet, 3 archetypes", "matched archetype MSE / variance", false, 0.08, Archetypes),
        new("anomaly detector, curved 2-d manifold", "ROC AUC", true, 0.99, Anomalies),
        new("classifier, digits, 30 labels a digit", "test accuracy", true, 0.80, Classifier),
    };

    public static IEnumerable<object?[]> Cases => Zoo.SelectMany(e => new object?[][] { new object?[] { e.Name, 1 }, new object?[] { e.Name, null } });

    [TestCategory("Slow")]
    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void Trains_to_its_floor(string name, int? threads)
    {
        var entry = Zoo.Single(e => e.Name == name);
        var (value, history) = entry.Run(new MLContext(1), threads);
        string at = threads is null ? "the default thread count" : $"{threads} thread";
        Console.WriteLine($"{name} at {at}: {entry.Measure} {value:F4} (floor {entry.Floor}), {history.Count} epochs");
        var bad = history.FirstOrDefault(e => !double.IsFinite(e.TrainLoss) || e.ValidationLoss is double v && !double.IsFinite(v));
        Assert.IsNull(bad, $"{name} at {at}: non-finite loss in {bad?.Phase} epoch {bad?.Epoch}");
        Assert.IsTrue(entry.HigherIsBetter ? value >= entry.Floor : value <= entry.Floor, $"{name} at {at}: {entry.Measure} {value:F4}, floor {entry.Floor}");
    }

    private static (double, IReadOnlyList<EpochMetrics>) Denoising(MLContext ml, int? threads)
    {
        using var model = ml.Transforms.DenoisingAutoencoder(Classic(new DenoisingAutoencoderOptions { CodeSize = 32, HiddenLayers = new[] { 64 } }, threads, 60))
            .Fit(TestData.ToDataView(ml, DigitsTrain));
        var rand = new Random(3);
        var noisy = DigitsTest.Select(r => r.Select(v => v + (float)(0.2 * TestData.Gaussian(rand))).ToArray()).ToArray();
        var denoised = TestData.Column(model.Transform(TestData.ToDataView(ml, noisy)), "Reconstruction");
        return (TestData.Mse(denoised, DigitsTest), model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) Variational(MLContext ml, int? threads)
    {
        using var model = ml.Transforms.VariationalAutoencoder(Classic(Bce(new VariationalAutoencoderOptions { CodeSize = 8, HiddenLayers = new[] { 64 }, ReconstructionColumnName = "Reconstruction" }), threads, 80))
            .Fit(TestData.ToDataView(ml, DigitsTrain));
        return (TestData.Mse(TestData.Column(model.Transform(TestData.ToDataView(ml, DigitsTest)), "Reconstruction"), DigitsTest), model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) BinaryCode(MLContext ml, int? threads)
    {
        const int bits = 16, k = 10;
        using var model = (BinaryCodeTransformer)ml.Transforms.BinaryCodeAutoencoder(Classic(Bce(new BinaryCodeAutoencoderOptions { CodeSize = bits, HiddenLayers = new[] { 128 }, BatchSize = 64, LearningRate = 3e-3, EarlyStoppingPatience = 0 }), threads, 80))
            .Fit(TestData.ToDataView(ml, DigitsTrain));
        var index = model.BuildIndex(TestData.ToDataView(ml, DigitsTrain));
        var queries = model.Codes(TestData.ToDataView(ml, DigitsTest));
        double precision = Metrics.PrecisionAtK(queries.Select(q => index.NearestToCode(q, k)).ToList(), Digits.Y[..1500], Digits.Y[1500..], k);
        return (precision, model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) Saucie(MLContext ml, int? threads)
    {
        var (x, types, _) = TestData.CellTypes(n: 800, types: 4, dims: 20, batches: 1, seed: 1);
        var data = TestData.ToDataView(ml, x);
        using var model = ml.Transforms.Saucie(Classic(new SaucieOptions { HiddenLayers = new[] { 128, 64, 32 }, BatchSize = 128, MinClusterSize = 10, ValidationFraction = 0, EarlyStoppingPatience = 0 }, threads, 100))
            .Fit(data);
        var ids = TestData.Column(model.Transform(data), "Cluster").Select(c => (int)c[0]).ToArray();
        return (Metrics.AdjustedRandIndex(ids, types), model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) Archetypes(MLContext ml, int? threads)
    {
        var (x, _, truth) = TestData.Archetypal(n: 600, k: 3, dims: 20, seed: 3);
        using var model = ml.Transforms.ArchetypalAnalysis(Classic(new ArchetypalAnalysisOptions
        {
            ArchetypeCount = 3, HiddenLayers = new[] { 64, 32 }, BatchSize = 64, LearningRate = 3e-3, LatentNoise = 0.02, ValidationFraction = 0, EarlyStoppingPatience = 0,
        }, threads, 150)).Fit(TestData.ToDataView(ml, x));
        double variance = Enumerable.Range(0, 20).Average(f => { double m = x.Average(r => r[f]); return x.Average(r => (r[f] - m) * (r[f] - m)); });
        return (Metrics.MatchedArchetypeError(model.Archetypes, truth) / variance, model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) Anomalies(MLContext ml, int? threads)
    {
        var (train, _) = TestData.CurvedManifold(1000, 0, seed: 1);
        var (test, anomaly) = TestData.CurvedManifold(950, 50, seed: 2);
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectorOptions { CodeSize = 2, HiddenLayers = new[] { 32 }, Seed = 1, Threads = threads, Epochs = 300 })
            .Fit(TestData.ToDataView(ml, train));
        var scores = model.Transform(TestData.ToDataView(ml, test)).GetColumn<float>("Score").Select(s => (double)s).ToArray();
        return (Metrics.AreaUnderRocCurve(scores, anomaly), model.TrainingHistory);
    }

    private static (double, IReadOnlyList<EpochMetrics>) Classifier(MLContext ml, int? threads)
    {
        using var model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Classic(new AutoencoderClassifierOptions { HiddenLayers = new[] { 32 }, CodeSize = 16, BatchSize = 32 }, threads, 100, error: false))
            .Fit(TestData.LabelledDigits(ml, TestData.FewLabels(30, 1500)));
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(TestData.LabelledDigits(ml, Enumerable.Range(1500, Digits.X.Length - 1500)))).MicroAccuracy;
        return (accuracy, model.TrainingHistory);
    }
}
