using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>Features for a classifier that has few labels: autoencoders learn from every row, the classifier from 20
/// labelled digits per class.</summary>
public static class FewLabels
{
    public static void Run(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var pool = rows[..1500];
        var test = Data.ToDataView(ml, rows[1500..], 64);
        var labeled = Data.ToDataView(ml, pool.GroupBy(r => r.Label).SelectMany(g => g.Take(20)), 64);
        var unlabeled = Data.ToDataView(ml, pool, 64);
        const int size = 16;
        T Common<T>(T o) where T : AutoencoderOptions
        {
            o.CodeSize = size; o.Epochs = 100; o.BatchSize = 64; o.LearningRate = 3e-3; o.EarlyStoppingPatience = 10; o.Threads = 1; o.Seed = 1;
            return o;
        }
        var featurizers = new (string Name, Func<ITransformer?> Fit, string Column)[]
        {
            ("raw pixels (64)", () => null, "Features"),
            ($"PCA ({size})", () => ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: size, seed: 1).Fit(unlabeled), "Code"),
            ($"autoencoder 64-64-{size}", () => ml.Transforms.Autoencoder(Common(new AutoencoderOptions { HiddenLayers = new[] { 64 } })).Fit(unlabeled), "Code"),
            ($"stacked 64-64-32-{size}, pretrained", () => ml.Transforms.StackedAutoencoder(Common(new StackedAutoencoderOptions { HiddenLayers = new[] { 64, 32 }, PretrainEpochs = 30 })).Fit(unlabeled), "Code"),
        };
        Console.WriteLine("Digits: features learned from 1500 rows without labels; SdcaMaximumEntropy trained on 200 labelled rows (20 a class), tested on 297.");
        Console.WriteLine("| features | test accuracy |");
        Console.WriteLine("|---|---|");
        var accuracy = new Dictionary<string, double>();
        foreach (var (name, fit, column) in featurizers)
            Console.WriteLine($"| {name} | {accuracy[name] = Downstream.MulticlassAccuracy(ml, fit(), column, "Label", labeled, test):F3} |");

        // The same stacked encoder fine-tuned with the labels (AutoencoderClassifier: head first, encoder at a tenth of
        // the rate, early stopping on a fifth of the labelled rows), against the same network from scratch.
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(unlabeled);
        using var pretrained = ml.Transforms.StackedAutoencoder(Common(new StackedAutoencoderOptions { HiddenLayers = new[] { 64, 32 }, PretrainEpochs = 30 })).Fit(unlabeled);
        double Classifier(AutoencoderTransformer? encoder)
        {
            var options = Common(new AutoencoderClassifierOptions { HiddenLayers = new[] { 64, 32 }, PretrainedEncoder = encoder, Epochs = 200, BatchSize = 32, EarlyStoppingPatience = 20, ValidationFraction = 0.2 });
            options.LearningRate = 2e-3;
            using var model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(keys.Transform(labeled));
            return ml.MulticlassClassification.Evaluate(model.Transform(keys.Transform(test))).MicroAccuracy;
        }
        double tuned = Classifier(pretrained), scratch = Classifier(null);
        Console.WriteLine($"| classifier 64-64-32-{size}, fine-tuned from the stacked encoder | {tuned:F3} |");
        Console.WriteLine($"| the same classifier from scratch | {scratch:F3} |");
        Console.WriteLine($"What it shows: fine-tuning {(tuned > scratch ? "beats" : "does not beat")} the same network from scratch ({tuned - scratch:+0.000;-0.000}); "
            + $"on 8x8 digits a linear model on the raw pixels is hard to beat ({accuracy["raw pixels (64)"]:F3}), so no learned feature wins here by much.");
    }
}
