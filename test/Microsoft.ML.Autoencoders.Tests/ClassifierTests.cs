using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class ClassifierTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new AutoencoderClassifierOptions
    {
        HiddenLayers = new[] { 16 }, CodeSize = 8, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1,
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options)
        => ml.MulticlassClassification.Trainers.AutoencoderClassifier((AutoencoderClassifierOptions)options);

    /// <summary>The Score column's width: the label's three classes.</summary>
    protected override int ExpectedCodeSize => 3;

    /// <summary>The suite's rows with a key label, class i mod 3 for row i.</summary>
    protected override IDataView View(MLContext ml, float[][] rows)
    {
        var data = TestData.ToDataView(ml, rows, Enumerable.Range(0, rows.Length).Select(i => i % 3).ToArray());
        var classes = TestData.ToDataView(ml, new float[3][].Select(_ => new float[rows.Length > 0 ? rows[0].Length : 1]).ToArray(), new[] { 0, 1, 2 });
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(classes).Transform(data);
    }

    /// <summary>Digits with the label as a key, as ML.NET's multiclass trainers take it.</summary>
    private static IDataView Labelled(MLContext ml, IEnumerable<int> rows) => TestData.LabelledDigits(ml, rows);

    private static AutoencoderClassifierOptions Options(AutoencoderTransformer? pretrained) => new()
    {
        HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 200, BatchSize = 32, Seed = 1, Threads = 1, LearningRate = 2e-3,
        ValidationFraction = 0, EarlyStoppingPatience = 0, PretrainedEncoder = pretrained,
    };

    [TestCategory("Slow")]
    [TestMethod]
    public void Fine_tuning_a_pretrained_encoder_classifies_with_few_labels_and_evaluates_as_an_MLNet_classifier()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        // 5 labelled rows a digit from the first 1,200; the last 597 rows are the test set; all 1,200 train the autoencoder.
        var labelled = TestData.FewLabels(5, 1200);
        var train = Labelled(ml, labelled);
        var test = Labelled(ml, Enumerable.Range(1200, x.Length - 1200));
        using var autoencoder = ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions
        {
            HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 100, Seed = 1, Threads = 1,
        }).Fit(TestData.ToDataView(ml, x.Take(1200).ToArray()));

        double Accuracy(AutoencoderTransformer? pretrained, out AutoencoderTransformer model)
        {
            model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(pretrained)).Fit(train);
            return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
        }
        double scratch = Accuracy(null, out var fromScratch), tuned = Accuracy(autoencoder, out var fineTuned);
        double untouched = ml.MulticlassClassification.Evaluate(fineTuned.Transform(test)).MicroAccuracy;
        fromScratch.Dispose();
        Console.WriteLine($"5 labels a digit, accuracy on 597 digits: from scratch {scratch:F3}, from the pretrained encoder {tuned:F3}");
        Assert.IsTrue(tuned > 0.7, "the fine-tuned classifier classifies");

        // ML.NET's columns: a Score vector of the classes' probabilities and a key PredictedLabel of the label's cardinality.
        var scored = fineTuned.Transform(test);
        Assert.AreEqual(10, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        Assert.AreEqual(10UL, ((KeyDataViewType)scored.Schema["PredictedLabel"].Type).Count);
        var scores = scored.GetColumn<VBuffer<float>>("Score").Select(v => v.DenseValues().ToArray()).ToArray();
        var predicted = scored.GetColumn<uint>("PredictedLabel").ToArray();
        Assert.IsTrue(scores.All(s => Math.Abs(s.Sum() - 1) < 1e-4), "probabilities");
        CollectionAssert.AreEqual(scores.Select(s => (uint)Array.IndexOf(s, s.Max()) + 1).ToArray(), predicted, "the most probable class");
        // The predicted keys stand for the label's values, as with ML.NET's own classifiers: key k is digit k - 1 here.
        string[] Names(IDataView view) => ml.Transforms.Conversion.MapKeyToValue("Digit", "PredictedLabel").Fit(view).Transform(view)
            .GetColumn<ReadOnlyMemory<char>>("Digit").Select(v => v.ToString()).ToArray();
        CollectionAssert.AreEqual(predicted.Select(k => (k - 1).ToString()).ToArray(), Names(scored), "key values");

        // The same metrics from the saved model in a fresh context.
        var path = Path.GetTempFileName();
        try
        {
            ml.Model.Save(fineTuned, train.Schema, path);
            var reloaded = new MLContext().Model.Load(path, out _);
            var metrics = ml.MulticlassClassification.Evaluate(reloaded.Transform(test));
            Assert.AreEqual(untouched, metrics.MicroAccuracy, 1e-9, "accuracy after save and load");
            CollectionAssert.AreEqual(Names(scored), Names(reloaded.Transform(test)), "key values after save and load");
            (reloaded as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
            fineTuned.Dispose();
        }
    }

    /// <summary>Fine-tuning as practitioners make it work (a stacked encoder pretrained on every unlabelled row, frozen for
    /// the head's first epochs, then trained at a tenth of the rate, early stopping on a fifth of the labelled rows)
    /// against the same network from scratch and a linear model on the raw pixels, 3 seeds of labelled rows each.</summary>
    [TestCategory("Slow")]
    [TestMethod]
    public void Fine_tuning_beats_the_same_network_from_scratch_with_few_labels()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var unlabelled = TestData.ToDataView(ml, x.Take(1200).ToArray());
        var test = Labelled(ml, Enumerable.Range(1200, x.Length - 1200));
        var rawTest = TestData.ToDataView(ml, x.Skip(1200).ToArray(), y.Skip(1200).ToArray());
        foreach (int perClass in new[] { 5, 10 })
        {
            double tuned = 0, scratch = 0, raw = 0;
            for (int seed = 1; seed <= 3; seed++)
            {
                // perClass rows of each digit from the first 1,200, a different draw for each seed.
                var rows = Enumerable.Range(0, 10).SelectMany(d => Enumerable.Range(0, 1200).Where(i => y[i] == d).OrderBy(i => (i * 7919 + seed * 104729) % 1201).Take(perClass)).ToArray();
                using var stacked = ml.Transforms.StackedAutoencoder(new StackedAutoencoderOptions { HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 100, Seed = seed, Threads = 1 }).Fit(unlabelled);
                AutoencoderClassifierOptions Options(AutoencoderTransformer? pretrained) => new()
                {
                    HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 200, BatchSize = 32, Seed = seed, Threads = 1, LearningRate = 2e-3,
                    ValidationFraction = 0.2, EarlyStoppingPatience = 20, PretrainedEncoder = pretrained,
                };
                using var fineTuned = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(stacked)).Fit(Labelled(ml, rows));
                using var fromScratch = ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(null)).Fit(Labelled(ml, rows));
                var linear = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy())
                    .Fit(TestData.ToDataView(ml, rows.Select(i => x[i]).ToArray(), rows.Select(i => y[i]).ToArray()));
                tuned += ml.MulticlassClassification.Evaluate(fineTuned.Transform(test)).MicroAccuracy / 3;
                scratch += ml.MulticlassClassification.Evaluate(fromScratch.Transform(test)).MicroAccuracy / 3;
                raw += ml.MulticlassClassification.Evaluate(linear.Transform(rawTest)).MicroAccuracy / 3;
            }
            Console.WriteLine($"{perClass} labels a digit, mean of 3 seeds on 597 digits: fine-tuned {tuned:F3}, from scratch {scratch:F3}, raw pixels + linear {raw:F3}");
            Assert.IsTrue(tuned > scratch + 0.01, $"{perClass} a digit: fine-tuned {tuned:F3} against {scratch:F3} from scratch");
        }
    }

    [TestMethod]
    public void Validation_rows_keyed_in_another_order_keep_the_training_keys_names()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var rows = Enumerable.Range(0, 300).Where(i => y[i] < 3).ToArray();
        var trainView = TestData.ToDataView(ml, rows.Select(i => x[i]).ToArray(), rows.Select(i => y[i]).ToArray());
        var train = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(trainView).Transform(trainView);   // key k is digit k - 1
        // The validation key lists the digits as they occur, starting with the last row's digit.
        var reversed = rows.Reverse().ToArray();
        var validationView = TestData.ToDataView(ml, reversed.Select(i => x[i]).ToArray(), reversed.Select(i => y[i]).ToArray());
        var validation = ml.Transforms.Conversion.MapValueToKey("Label").Fit(validationView).Transform(validationView);
        var options = Options(null);
        options.Epochs = 20;
        options.ValidationData = validation;
        using var model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(train);
        var scored = model.Transform(train);
        var keys = scored.GetColumn<uint>("PredictedLabel").ToArray();
        var names = ml.Transforms.Conversion.MapKeyToValue("Digit", "PredictedLabel").Fit(scored).Transform(scored).GetColumn<ReadOnlyMemory<char>>("Digit").Select(v => v.ToString()).ToArray();
        CollectionAssert.AreEqual(keys.Select(k => (k - 1).ToString()).ToArray(), names, "the training key's names");
        Assert.IsTrue(model.FinalValidationLoss < Math.Log(3), "validation rows matched to their classes by name");
    }

    /// <summary>The head trains first with the encoder frozen, then everything with the encoder at a fraction of the rate:
    /// the encoder ends nearer the pretrained one the smaller that fraction.</summary>
    [TestMethod]
    public void A_pretrained_encoder_is_frozen_first_then_trained_at_its_own_rate()
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        using var pretrained = ml.Transforms.Autoencoder(new AutoencoderOptions { HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 10, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, x.Take(600).ToArray()));
        var train = Labelled(ml, Enumerable.Range(0, 300));
        var rows = x.Take(50).ToArray();
        var before = new float[rows.Length * 16];
        pretrained.Encode(rows.SelectMany(r => r).ToArray(), before);
        double Moved(double factor, int frozen, out AutoencoderTransformer model)
        {
            var options = Options(pretrained);
            (options.Epochs, options.EncoderLearningRateFactor, options.FrozenEncoderEpochs, options.LearningRate) = (20, factor, frozen, 1e-2);
            model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(train);
            var after = new float[rows.Length * 16];
            lock (Training.TorchRuntime.Gate)
            {
                using var network = (ClassifierNetwork)Training.TrainingEngine.Restore(model.State, model.State.Options.CreateVariant(), "model");
                using var scope = TorchSharp.torch.NewDisposeScope();
                using var noGrad = TorchSharp.torch.no_grad();
                after = Ops.TorchOps.ToArray(network.Encode(TorchSharp.torch.tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, 64 })));
            }
            return before.Zip(after).Average(p => (double)(p.First - p.Second) * (p.First - p.Second));
        }
        double slow = Moved(0.01, 3, out var slowModel), full = Moved(1, 0, out var fullModel);
        Console.WriteLine($"mean squared change of the codes: encoder at 0.01 of the rate {slow:G3}, at the full rate {full:G3}");
        Assert.IsTrue(slow < 0.1 * full, "the encoder moves less at a smaller rate");
        CollectionAssert.AreEqual(new[] { "head", "head", "head" }, slowModel.TrainingHistory.Take(3).Select(e => e.Phase).ToArray(), "the frozen phase first");
        Assert.AreEqual(20, slowModel.TrainingHistory.Count(e => e.Phase == "train"));
        Assert.IsFalse(fullModel.TrainingHistory.Any(e => e.Phase == "head"), "FrozenEncoderEpochs = 0: none");
        slowModel.Dispose();
        fullModel.Dispose();
        foreach (var (factor, frozen, option) in new[] { (0.0, 0, "EncoderLearningRateFactor"), (1.5, 0, "EncoderLearningRateFactor"), (0.5, -1, "FrozenEncoderEpochs") })
        {
            var bad = Options(pretrained);
            (bad.EncoderLearningRateFactor, bad.FrozenEncoderEpochs) = (factor, frozen);
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(bad)).Message, option);
        }
    }

    [TestMethod]
    public void Bad_labels_and_encoders_are_named()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var options = Options(null);
        options.Epochs = 1;
        var noKey = TestData.ToDataView(ml, x.Take(50).ToArray(), y.Take(50).ToArray());
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(noKey)).Message, "LabelColumnName: column 'Label' is Int32");
        options.LabelColumnName = "Missing";
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).GetOutputSchema(TestData.Shape(noKey.Schema))).Message, "'Missing' is not found");
        Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierOptions { ReconstructionColumnName = "R" }));

        using var small = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 2, Epochs = 1, Seed = 1 }).Fit(TestData.ToDataView(ml, x.Take(50).Select(r => r[..10]).ToArray()));
        using var classifier = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierOptions { CodeSize = 2, Epochs = 1, Seed = 1 }).Fit(Labelled(ml, Enumerable.Range(0, 50)));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(Options(classifier))).Message, "is a classifier");
        Assert.IsNull(((AutoencoderClassifierOptions)classifier.Options).PretrainedEncoder);
        var wrongSize = Options(small);
        wrongSize.Epochs = 1;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.MulticlassClassification.Trainers.AutoencoderClassifier(wrongSize).Fit(Labelled(ml, Enumerable.Range(0, 50)))).Message, "trained on 10");
    }
}
