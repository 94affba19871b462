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
        using var autoencoder = ml.Transforms.Autoencoder(new AutoencoderOptions
        {
            HiddenLayers = new[] { 32 }, CodeSize = 16, Epochs = 100, Seed = 1, Threads = 1, Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid,
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
