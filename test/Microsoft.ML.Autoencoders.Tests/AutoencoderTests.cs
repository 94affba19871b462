using Microsoft.ML;
using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class AutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new()
    {
        CodeSize = 8,
        HiddenLayers = new[] { 32 },
        Epochs = 3,
        BatchSize = 64,
        Seed = seed,
        Threads = 1,
        ReconstructionColumnName = "Reconstruction",
        ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.Autoencoder(options);

    [TestMethod]
    public void The_exported_graph_names_the_dense_layers_as_the_network_does()
    {
        var ml = new MLContext(1);
        using var model = Create(ml, SmallOptions(1)).Fit(View(ml, Rows));
        var names = Onnx.Proto.ModelProto.Parser.ParseFrom(model.State.Onnx).Graph.Initializer.Select(i => i.Name).ToList();
        var expected = new[] { "encoder.layers.0.weight", "encoder.layers.0.bias", "encoder.layers.1.weight", "encoder.layers.1.bias",
            "decoder.layers.0.weight", "decoder.layers.0.bias", "decoder.layers.1.weight", "decoder.layers.1.bias" };
        CollectionAssert.IsSubsetOf(expected, names, string.Join(", ", names));
        // Tied weights are one parameter used twice: written once.
        var tied = new ContractiveAutoencoderOptions { CodeSize = 8, HiddenLayers = new[] { 32 }, Epochs = 1, Seed = 1, Threads = 1, TiedWeights = true, ReconstructionColumnName = "Reconstruction" };
        using var contractive = ml.Transforms.ContractiveAutoencoder(tied).Fit(View(ml, Rows));
        var tiedNames = Onnx.Proto.ModelProto.Parser.ParseFrom(contractive.State.Onnx).Graph.Initializer.Select(i => i.Name).ToList();
        Assert.AreEqual(1, tiedNames.Count(n => n == "encoder.layers.0.weight"), string.Join(", ", tiedNames));
        Assert.IsFalse(tiedNames.Any(n => n.StartsWith("decoder.")), string.Join(", ", tiedNames));
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void Linear_autoencoder_learns_the_principal_subspace()
    {
        var ml = new MLContext(1);
        const int k = 3;
        var (x, _) = TestData.LowRank(n: 600, d: 10, k: k, seed: 11);
        var options = new AutoencoderOptions
        {
            CodeSize = k, Activation = Activation.Identity, Epochs = 150, BatchSize = 64, LearningRate = 1e-2,
            ValidationFraction = 0, EarlyStoppingPatience = 0, Seed = 1, Threads = 1, ReconstructionColumnName = "Reconstruction",
        };
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, x));
        var reconstruction = TestData.Column(model.Transform(TestData.ToDataView(ml, x)), "Reconstruction");
        // The reconstructions lie in the affine span of the decoder's columns: their principal directions are that span.
        var learned = LinearAlgebra.PrincipalDirections(reconstruction, k);
        var pca = LinearAlgebra.PrincipalDirections(x, k);
        var angles = LinearAlgebra.PrincipalAnglesDegrees(learned, pca);
        Console.WriteLine($"principal angles to PCA: {string.Join(", ", angles.Select(a => a.ToString("F2")))} degrees");
        Assert.IsTrue(angles.Max() < 3, $"largest principal angle {angles.Max():F2} degrees");
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void On_digits_training_beats_the_untrained_network_and_is_comparable_to_pca()
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        var train = TestData.ToDataView(ml, x[..1400]);
        var test = TestData.ToDataView(ml, x[1400..]);
        AutoencoderOptions Options(int epochs, double lr) => new()
        {
            CodeSize = 16, HiddenLayers = new[] { 64 }, Epochs = epochs, LearningRate = lr, BatchSize = 64,
            Seed = 3, Threads = 1, ReconstructionErrorColumnName = "Error", EarlyStoppingPatience = 10,
        };
        double Error(AutoencoderTransformer m) => TestData.Column(m.Transform(test), "Error").Average(r => r[0]);
        using var untrained = ml.Transforms.Autoencoder(Options(1, 1e-9)).Fit(train);
        using var trained = ml.Transforms.Autoencoder(Options(120, 3e-3)).Fit(train);
        double pca = Baselines.PcaReconstructionError(ml, train, test, "Features", 16, seed: 1);
        double before = Error(untrained), after = Error(trained);
        Console.WriteLine($"held-out MSE: untrained {before:F4}, trained {after:F4}, PCA-16 {pca:F4}");
        Assert.IsTrue(after < before / 4, $"trained {after} vs untrained {before}");
        Assert.IsTrue(after < pca * 1.3, $"trained {after} vs PCA {pca}");
    }

    [TestMethod]
    public void Early_stopping_restores_the_best_epoch_and_progress_and_log_arrive_once_per_epoch()
    {
        var ml = new MLContext(1);
        var logged = new List<string>();
        ml.Log += (_, e) => { if (e.Source.StartsWith("Autoencoder") && e.Message.Contains(" epoch ")) lock (logged) logged.Add(e.Message); };
        var reports = new List<EpochMetrics>();
        var progress = new SynchronousProgress<EpochMetrics>(reports.Add);
        var (x, _) = TestData.Digits;
        var options = new AutoencoderOptions
        {
            // A wide network, few rows and a large step: the validation loss stops improving early.
            CodeSize = 32, HiddenLayers = new[] { 256 }, Epochs = 300, BatchSize = 16, LearningRate = 3e-2,
            ValidationFraction = 0.5, EarlyStoppingPatience = 3, Seed = 5, Threads = 1, Progress = progress,
        };
        using var model = ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, x[..120]));
        var history = model.TrainingHistory;
        Assert.IsTrue(history.Count < options.Epochs, $"stopped early: {history.Count} epochs");
        int best = history.Select((m, i) => (m.ValidationLoss!.Value, i)).Min().i + 1;
        Assert.AreEqual(best, model.BestEpoch);
        Assert.AreEqual(best + options.EarlyStoppingPatience, history.Count);
        Assert.AreEqual(history.Count, reports.Count);
        Assert.AreEqual(history.Count, logged.Count(m => m.Contains("train epoch") && m.Contains(": train loss")));
        CollectionAssert.AreEqual(history.Select(h => h.ToString()).ToList(), reports.Select(r => r.ToString()).ToList());
        Assert.IsTrue(model.FinalValidationLoss.HasValue);
        Assert.AreEqual(history[best - 1].ValidationLoss!.Value, model.FinalValidationLoss!.Value, 1e-6, "the best weights are restored");
    }

    [TestMethod]
    public void Cancellation_stops_training_with_OperationCanceledException()
    {
        var ml = new MLContext(1);
        using var cts = new CancellationTokenSource();
        int epochs = 0;
        var options = new AutoencoderOptions
        {
            CodeSize = 8, Epochs = 50, BatchSize = 32, Seed = 1, Threads = 1, CancellationToken = cts.Token,
            Progress = new SynchronousProgress<EpochMetrics>(_ => { if (++epochs == 2) cts.Cancel(); }),
        };
        long liveBefore = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, TestData.Digits.X[..300])));
        Assert.AreEqual(2, epochs);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.AreEqual(liveBefore, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount, "no tensor outlives a cancelled Fit");
    }

    [TestMethod]
    public void Bad_options_name_the_option_found_and_expected()
    {
        var ml = new MLContext(1);
        void Bad(Action<AutoencoderOptions> change, string option)
        {
            var options = SmallOptions(1);
            change(options);
            var e = Assert.Throws<ArgumentException>(() => ml.Transforms.Autoencoder(options));
            StringAssert.Contains(e.Message, option);
        }
        Bad(o => o.CodeSize = 0, "CodeSize");
        Bad(o => o.HiddenLayers = new[] { 16, 0 }, "HiddenLayers[1]");
        Bad(o => o.BatchSize = 0, "BatchSize");
        Bad(o => o.LearningRate = 0, "LearningRate");
        Bad(o => o.LearningRate = -1, "LearningRate");
        Bad(o => o.Epochs = 0, "Epochs");
        Bad(o => o.ValidationFraction = 1, "ValidationFraction");
        Bad(o => o.ValidationFraction = -0.1, "ValidationFraction");
        Bad(o => o.EarlyStoppingPatience = -1, "EarlyStoppingPatience");
        Bad(o => o.Threads = 0, "Threads");
        Bad(o => o.Loss = ReconstructionLoss.BinaryCrossEntropy, "OutputActivation");
        Bad(o => o.ReconstructionColumnName = "Code", "'Code'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(codeSize: 0));
    }

    [TestMethod]
    public void Binary_cross_entropy_rejects_values_outside_the_unit_interval()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..100].Select(r => (float[])r.Clone()).ToArray();
        rows[42][5] = 1.5f;
        var options = SmallOptions(1);
        options.Loss = ReconstructionLoss.BinaryCrossEntropy;
        options.OutputActivation = Activation.Sigmoid;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Autoencoder(options).Fit(TestData.ToDataView(ml, rows)));
        StringAssert.Contains(e.Message, "row 42");
        StringAssert.Contains(e.Message, "[0, 1]");
    }

    [TestMethod]
    public void A_missing_CUDA_device_is_an_error_unless_falling_back_to_the_cpu()
    {
        if (TorchSharp.torch.cuda.is_available()) Assert.Inconclusive("This machine has CUDA.");
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X[..100]);
        var options = SmallOptions(1);
        options.GpuDeviceId = 0;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Autoencoder(options).Fit(data));
        StringAssert.Contains(e.Message, "GpuDeviceId is 0");

        var warnings = new List<string>();
        ml.Log += (_, m) => { if (m.Kind == ChannelMessageKind.Warning) lock (warnings) warnings.Add(m.Message); };
        options.FallbackToCpu = true;
        using var model = ml.Transforms.Autoencoder(options).Fit(data);
        Assert.IsTrue(warnings.Any(w => w.Contains("training on the CPU")));

        // The MLContext's settings apply when the options leave them unset.
        var gpuContext = new MLContext(1) { GpuDeviceId = 0, FallbackToCpu = false };
        var plain = SmallOptions(1);
        Assert.ThrowsExactly<InvalidOperationException>(() => gpuContext.Transforms.Autoencoder(plain).Fit(data));
    }

    [TestMethod]
    public void An_output_column_may_replace_the_input_column()
    {
        var ml = new MLContext(1);
        var options = SmallOptions(1);
        options.OutputColumnName = "Features";
        options.ReconstructionColumnName = null;
        var data = TestData.ToDataView(ml, Rows);
        using var model = ml.Transforms.Autoencoder(options).Fit(data);
        var ours = TestData.Column(model.Transform(data), "Features");
        Assert.AreEqual(options.CodeSize, ours[0].Length);
        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        var chain = new MLContext().Model.Load(path, out _);
        using var chainFiles = (IDisposable)chain;   // ML.NET deletes its temp graph file on Dispose
        File.Delete(path);
        AssertClose(ours, TestData.Column(chain.Transform(data), "Features"), 1e-5, "replaced column");
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void A_pipeline_with_the_autoencoder_and_a_classifier_saves_and_loads_as_in_the_readme()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var train = TestData.ToDataView(ml, x[..600], y[..600]);
        var pipeline = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 16, HiddenLayers = new[] { 32 }, Epochs = 20, BatchSize = 64, Seed = 1, Threads = 1 })
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(featureColumnName: "Code"));
        var model = pipeline.Fit(train);
        var test = TestData.ToDataView(ml, x[1500..], y[1500..]);
        var path = Path.GetTempFileName();
        ml.Model.Save(model, train.Schema, path);
        var loaded = new MLContext().Model.Load(path, out _);
        using var loadedFiles = (IDisposable)loaded;   // ML.NET deletes its temp graph file on Dispose
        File.Delete(path);
        var expected = TestData.Column(model.Transform(test), "Score");
        AssertClose(expected, TestData.Column(loaded.Transform(test), "Score"), 1e-5, "scores after reload");
        double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        Console.WriteLine($"pipeline accuracy {accuracy:F3}");
        Assert.IsTrue(accuracy > 0.7);
    }
}
