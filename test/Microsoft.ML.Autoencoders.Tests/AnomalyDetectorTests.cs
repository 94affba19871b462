using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class AnomalyDetectorTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new AutoencoderAnomalyDetectorOptions
    {
        // The suite checks every declared column, the code included.
        CodeSize = 8, HiddenLayers = new[] { 32 }, Epochs = 3, BatchSize = 64, Seed = seed, Threads = 1, Contamination = 0.1, KeepCode = true,
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.AnomalyDetection.Trainers.Autoencoder((AutoencoderAnomalyDetectorOptions)options);

    /// <summary>Digits 0-4 as the normal rows, 5% of the rows noise images as the anomalies; Label 1 marks them.</summary>
    private static (float[][] Rows, int[] Anomaly) Contaminated(int normal, int seed)
    {
        var rand = new Random(seed);
        var (x, y) = TestData.Digits;
        var rows = x.Where((_, i) => y[i] <= 4).Take(normal).ToList();
        int anomalies = normal / 19;
        for (int i = 0; i < anomalies; i++) rows.Add(Enumerable.Range(0, 64).Select(_ => (float)rand.NextDouble()).ToArray());
        return (rows.ToArray(), rows.Select((_, i) => i < normal ? 0 : 1).ToArray());
    }

    private static IDataView WithFloatLabel(MLContext ml, float[][] rows, int[] labels)
        => ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.Single).Fit(TestData.ToDataView(ml, rows, labels)).Transform(TestData.ToDataView(ml, rows, labels));

    /// <summary>As ML.NET's detectors, the output adds Score and PredictedLabel only, also after saving; the code comes
    /// when asked for, and Encode gives it either way.</summary>
    [TestMethod]
    public void The_detector_adds_only_Score_and_PredictedLabel_unless_the_code_is_asked_for()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X[..200]);
        var added = (IDataView output) => output.Schema.Where(c => !c.IsHidden && !data.Schema.Any(d => d.Name == c.Name)).Select(c => c.Name).OrderBy(n => n).ToArray();
        var estimator = ml.AnomalyDetection.Trainers.Autoencoder(codeSize: 4, epochs: 2, seed: 1);
        CollectionAssert.AreEqual(new[] { "PredictedLabel", "Score" }, estimator.GetOutputSchema(TestData.Shape(data.Schema)).Select(c => c.Name).Where(n => !data.Schema.Any(d => d.Name == n)).OrderBy(n => n).ToArray(), "promised");
        using var model = estimator.Fit(data);
        CollectionAssert.AreEqual(new[] { "PredictedLabel", "Score" }, added(model.Transform(data)));
        using var moved = model.WithAnomalyThreshold(0.01f);
        CollectionAssert.AreEqual(new[] { "PredictedLabel", "Score" }, added(moved.Transform(data)), "a new threshold keeps the choice");
        var codes = new float[4];
        model.Encode(TestData.Digits.X[0], codes);
        Assert.IsTrue(codes.Any(c => c != 0), "Encode gives the code");
        using var folder = new TempFolder("ae-detector-");
        var path = Path.Combine(folder.Path, "detector.zip");
        ml.Model.Save(model, data.Schema, path);
        var loaded = new MLContext(2).Model.Load(path, out _);
        CollectionAssert.AreEqual(new[] { "PredictedLabel", "Score" }, added(loaded.Transform(data)), "after Model.Load");
        (loaded as IDisposable)?.Dispose();

        using var withCode = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderOptions { CodeSize = 4, Epochs = 2, Seed = 1 }, keepCode: true).Fit(data);
        CollectionAssert.AreEqual(new[] { "Code", "PredictedLabel", "Score" }, added(withCode.Transform(data)));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectorOptions(), keepCode: true)).Message, "KeepCode is given twice");

        // Another one-value column besides the score (SAUCIE's clusters): each becomes its scalar, none hidden.
        using var saucie = ml.AnomalyDetection.Trainers.Autoencoder(new SaucieOptions { HiddenLayers = new[] { 16, 8 }, Epochs = 2, Seed = 1, Threads = 1, MinClusterSize = 2 }).Fit(data);
        var scored = saucie.Transform(data);
        CollectionAssert.AreEqual(new[] { "Cluster", "PredictedLabel", "Reconstruction", "Score" }, added(scored));
        Assert.AreEqual(0, scored.Schema.Count(c => c.IsHidden && c.Name is "Score" or "Cluster"), "no hidden copies");
        Assert.IsInstanceOfType<KeyDataViewType>(scored.Schema["Cluster"].Type);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type);
    }

    /// <summary>Why the detector is not an <c>AnomalyPredictionTransformer&lt;TModel&gt;</c> (and the classifier not a
    /// <c>MulticlassPredictionTransformer&lt;TModel&gt;</c>), which <c>ChangeModelThreshold</c> takes: ML.NET makes them
    /// sealed with internal constructors only, and scores their model through its internal predictor interfaces. If a
    /// later ML.NET opens them, this test fails and the detector should become one (README#anomaly-detection).</summary>
    [TestMethod]
    public void MLNets_prediction_transformers_cannot_be_made_outside_MLNet()
    {
        foreach (var type in new[] { typeof(AnomalyPredictionTransformer<>), typeof(MulticlassPredictionTransformer<>) })
        {
            Assert.IsTrue(type.IsSealed, $"{type.Name} is sealed");
            var constructors = type.GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
            Assert.IsTrue(constructors.Length > 0 && constructors.All(c => c.IsAssembly), $"{type.Name}: every constructor is internal");
        }
        var change = typeof(AnomalyDetectionCatalog).GetMethod(nameof(AnomalyDetectionCatalog.ChangeModelThreshold))!;
        Assert.AreEqual(typeof(AnomalyPredictionTransformer<>), change.GetParameters()[0].ParameterType.GetGenericTypeDefinition(), "ChangeModelThreshold takes only that type");
    }

    private sealed class Digit
    {
        [VectorType(64)] public float[] Features = new float[64];
    }

    private sealed class Scored
    {
        public float Score;
        public bool PredictedLabel;
    }

    [TestMethod]
    public void The_detector_scores_as_MLNet_anomaly_detectors_do_and_Evaluate_takes_it_before_and_after_load()
    {
        var ml = new MLContext(1);
        var (rows, anomaly) = Contaminated(380, seed: 1);
        var data = WithFloatLabel(ml, rows, anomaly);
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(codeSize: 8, contamination: 0.05, epochs: 30, seed: 1).Fit(data);
        var scored = model.Transform(data);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema["Score"].Type);
        Assert.AreEqual(BooleanDataViewType.Instance, scored.Schema["PredictedLabel"].Type);
        var metrics = ml.AnomalyDetection.Evaluate(scored);
        Assert.IsTrue(metrics.AreaUnderRocCurve > 0.95, $"AUC {metrics.AreaUnderRocCurve}");

        // The threshold flags the contamination's share of the training rows.
        var flagged = scored.GetColumn<bool>("PredictedLabel").Count(p => p);
        Assert.AreEqual((int)Math.Floor(0.05 * rows.Length), flagged);
        var scores = scored.GetColumn<float>("Score").ToArray();
        Assert.AreEqual(scores.Count(s => s > model.AnomalyThreshold), flagged);
        // A scalar score is what ML.NET's row filters take.
        Assert.AreEqual(rows.Length - flagged, ml.Data.FilterRowsByColumn(scored, "Score", upperBound: Math.BitIncrement((double)model.AnomalyThreshold!.Value)).GetColumn<float>("Score").Count());

        // The score is the reconstruction error, bit for bit through the identity step.
        var flat = rows.SelectMany(r => r).ToArray();
        CollectionAssert.AreEqual(model.Score(flat, rows.Length, 1), scores);

        var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext(2);
            var chain = fresh.Model.Load(path, out _);
            var reloaded = chain.Transform(data);
            CollectionAssert.AreEqual(scores, reloaded.GetColumn<float>("Score").ToArray());
            CollectionAssert.AreEqual(scored.GetColumn<bool>("PredictedLabel").ToArray(), reloaded.GetColumn<bool>("PredictedLabel").ToArray());
            Assert.AreEqual(metrics.AreaUnderRocCurve, fresh.AnomalyDetection.Evaluate(reloaded).AreaUnderRocCurve, 1e-12);
            ((IDisposable)chain).Dispose();
            using var typed = AutoencoderTransformer.Load(fresh, path);
            Assert.AreEqual(model.AnomalyThreshold, typed.AnomalyThreshold);

            // One row at a time, typed as ML.NET's anomaly detectors are read.
            var engine = ml.Model.CreatePredictionEngine<Digit, Scored>(typed);
            var outlier = engine.Predict(new Digit { Features = rows[^1] });
            Assert.AreEqual(scores[^1], outlier.Score);
            Assert.AreEqual(scores[^1] > model.AnomalyThreshold, outlier.PredictedLabel);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void The_threshold_changes_on_a_new_transformer_and_bad_thresholds_are_refused()
    {
        var ml = new MLContext(1);
        var (rows, anomaly) = Contaminated(190, seed: 2);
        var data = TestData.ToDataView(ml, rows, anomaly);
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectorOptions { CodeSize = 4, Epochs = 2, Seed = 1, Threads = 1, Contamination = 0 }).Fit(data);
        var scores = model.Transform(data).GetColumn<float>("Score").ToArray();
        Assert.AreEqual(scores.Max(), model.AnomalyThreshold, "contamination 0 flags no training row");
        Assert.AreEqual(0, model.Transform(data).GetColumn<bool>("PredictedLabel").Count(p => p));

        float median = scores.Order().ElementAt(scores.Length / 2);
        using var stricter = model.WithAnomalyThreshold(median);
        Assert.AreEqual(median, stricter.AnomalyThreshold);
        Assert.AreEqual(scores.Count(s => s > median), stricter.Transform(data).GetColumn<bool>("PredictedLabel").Count(p => p));
        Assert.AreEqual(scores.Max(), model.AnomalyThreshold, "the original keeps its threshold");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.WithAnomalyThreshold(float.NaN));
        using var plain = ml.Transforms.Autoencoder(codeSize: 4, epochs: 1, seed: 1).Fit(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => plain.WithAnomalyThreshold(1));
        StringAssert.Contains(e.Message, "ReconstructionErrorColumnName");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.AnomalyDetection.Trainers.Autoencoder(contamination: 1));
        Assert.ThrowsExactly<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderOptions { ReconstructionErrorColumnName = "Error" }));
        Assert.ThrowsExactly<ArgumentException>(() => ml.AnomalyDetection.Trainers.Autoencoder(new AutoencoderAnomalyDetectorOptions { Contamination = 0.1 }, contamination: 0.2));
        var score = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(new AutoencoderOptions { InputColumnName = "Score", ReconstructionErrorColumnName = "Error" }));
        StringAssert.Contains(score.Message, "InputColumnName");
    }

    [TestMethod]
    public void Any_variant_serves_as_the_detector()
    {
        var ml = new MLContext(1);
        var (rows, anomaly) = Contaminated(190, seed: 3);
        var data = WithFloatLabel(ml, rows, anomaly);
        var options = new DenoisingAutoencoderOptions { CodeSize = 8, Epochs = 20, Seed = 1, Threads = 1, NoiseLevel = 0.2 };
        using var model = ml.AnomalyDetection.Trainers.Autoencoder(options, contamination: 0.05).Fit(data);
        Assert.IsInstanceOfType<DenoisingAutoencoderOptions>(model.Options);
        Assert.IsNull(options.ReconstructionErrorColumnName, "the caller's options are left as they were");
        Assert.IsTrue(ml.AnomalyDetection.Evaluate(model.Transform(data)).AreaUnderRocCurve > 0.9);
    }

    [TestMethod]
    [DataRow(0.05, 95f)]
    [DataRow(0.0, 100f)]
    [DataRow(0.5, 50f)]
    [DataRow(0.999, 1f)]
    public void The_threshold_is_the_quantile_that_flags_the_contaminations_share(double contamination, float expected)
    {
        var scores = Enumerable.Range(1, 100).Select(i => (float)i).Reverse().ToArray();
        Assert.AreEqual(expected, AutoencoderAnomalyDetector.Threshold(scores, contamination));
    }
}
