using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 4's few-label table and issue 8's sweep on Fashion-MNIST: featurizers learn from all 60,000 training
/// images without labels; a linear classifier (SDCA maximum entropy) learns from 100 labelled images a class.</summary>
public static class FewLabels
{
    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var testRows = FashionMnist.Load(train: false);
        var unlabeled = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var labeled = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows.GroupBy(r => r.Label).SelectMany(g => g.Take(100))));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        const int size = 32;
        T Common<T>(T o) where T : AutoencoderOptions
        {
            o.CodeSize = size; o.Epochs = 10; o.BatchSize = 256; o.ValidationFraction = 0; o.EarlyStoppingPatience = 0; o.Seed = 1; o.Threads = threads;
            o.OutputActivation = Activation.Sigmoid; o.Loss = ReconstructionLoss.BinaryCrossEntropy;
            return o;
        }
        Console.WriteLine($"## Few labels on Fashion-MNIST: 1,000 labels (100 a class), 60,000 unlabelled images, 10,000 test; code size {size}, threads {threads}");
        Console.WriteLine("| features | test accuracy |");
        Console.WriteLine("|---|---|");
        var featurizers = new (string Name, Func<ITransformer?> Fit, string Column)[]
        {
            ("raw pixels (784)", () => null, "Features"),
            ($"PCA ({size})", () => ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: size, seed: 1).Fit(unlabeled), "Code"),
            ($"autoencoder 784-256-{size}", () => ml.Transforms.Autoencoder(Common(new AutoencoderOptions { HiddenLayers = new[] { 256 } })).Fit(unlabeled), "Code"),
            ($"stacked 784-256-128-{size}, pretrained 5 epochs a layer", () => ml.Transforms.StackedAutoencoder(Common(new StackedAutoencoderOptions { HiddenLayers = new[] { 256, 128 }, PretrainEpochs = 5 })).Fit(unlabeled), "Code"),
        };
        foreach (var (name, fit, column) in featurizers)
            Console.WriteLine($"| {name} | {Downstream.MulticlassAccuracy(ml, fit(), column, "Label", labeled, test):F3} |");
    }

    /// <summary>The sweep picks a featurizer for the 1,000 labelled images (its folds see only those), within a budget.</summary>
    public static void Sweep(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var testRows = FashionMnist.Load(train: false);
        var labeled = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows.GroupBy(r => r.Label).SelectMany(g => g.Take(100))));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        var options = new AutoencoderSweepOptions
        {
            LabelColumnName = "Label", Trials = 9, Folds = 3, Seed = 1, MaxEpochs = 45, HalvingRate = 3, Threads = threads,
            CodeSizes = new[] { 16, 32, 64 }, HiddenLayers = new[] { Array.Empty<int>(), new[] { 256 } }, TimeBudget = TimeSpan.FromMinutes(10),
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = new AutoencoderSweep(ml, options).Run(labeled);
        Console.WriteLine($"## Sweep on 1,000 labelled Fashion-MNIST images: 9 configurations, 3 folds, successive halving (rate 3, up to 45 epochs), budget 10 min; took {watch.Elapsed.TotalMinutes:F1} min");
        Console.WriteLine(result);
        double best = Downstream.MulticlassAccuracy(ml, result.BestModel, "Code", "Label", labeled, test);
        double raw = Downstream.MulticlassAccuracy(ml, null, "Features", "Label", labeled, test);
        double pca = Downstream.MulticlassAccuracy(ml, ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: result.Best.Options.CodeSize, seed: 1).Fit(labeled), "Code", "Label", labeled, test);
        Console.WriteLine($"Test accuracy (10,000 images): best featurizer {best:F3}, raw pixels {raw:F3}, PCA of the same size {pca:F3}.");
    }
}

/// <summary>Issue 15: supervised fine-tuning against linear classifiers on fixed features, on Fashion-MNIST with 10,
/// 100 and 1,000 labels a class; the autoencoders learn from all 60,000 training images without labels.</summary>
public static class FineTuning
{
    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var unlabeled = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(unlabeled);
        var test = ml.Data.Cache(keys.Transform(FashionMnist.ToDataView(ml, FashionMnist.Load(train: false))));
        const int size = 32;
        T Common<T>(T o) where T : AutoencoderOptions
        {
            o.CodeSize = size; o.BatchSize = 256; o.ValidationFraction = 0; o.EarlyStoppingPatience = 0; o.Seed = 1; o.Threads = threads;
            return o;
        }
        T Images<T>(T o) where T : AutoencoderOptions
        {
            o.Epochs = 10; o.OutputActivation = Activation.Sigmoid; o.Loss = ReconstructionLoss.BinaryCrossEntropy;
            return Common(o);
        }
        var pca = ml.Transforms.ProjectToPrincipalComponents("Code", "Features", rank: size, seed: 1).Fit(unlabeled);
        using var plain = ml.Transforms.Autoencoder(Images(new AutoencoderOptions { HiddenLayers = new[] { 256 } })).Fit(unlabeled);
        using var stacked = ml.Transforms.StackedAutoencoder(Images(new StackedAutoencoderOptions { HiddenLayers = new[] { 256 }, PretrainEpochs = 5 })).Fit(unlabeled);
        Console.WriteLine($"## Supervised fine-tuning on Fashion-MNIST: encoders 784-256-{size}, pretrained on 60,000 unlabelled images; 10,000 test; threads {threads}");
        Console.WriteLine("| labels a class | raw pixels + linear | PCA + linear | autoencoder codes + linear | classifier from scratch | fine-tuned plain encoder | fine-tuned stacked encoder |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var perClass in new[] { 10, 100, 1000 })
        {
            var labeled = ml.Data.Cache(keys.Transform(FashionMnist.ToDataView(ml, trainRows.GroupBy(r => r.Label).SelectMany(g => g.Take(perClass)))));
            int rows = 10 * perClass;
            double Classifier(AutoencoderTransformer? pretrained)
            {
                // About 3,000 steps of 64 rows whatever the number of labels, at least 20 epochs.
                var options = Common(new AutoencoderClassifierOptions { HiddenLayers = new[] { 256 }, PretrainedEncoder = pretrained, BatchSize = 64 });
                options.BatchSize = 64;
                options.Epochs = Math.Max(20, 3000 * 64 / rows);
                using var model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(options).Fit(labeled);
                return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
            }
            double Linear(ITransformer? featurizer, string column) => Downstream.MulticlassAccuracy(ml, featurizer, column, "Label", labeled, test);
            Console.WriteLine($"| {perClass} | {Linear(null, "Features"):F3} | {Linear(pca, "Code"):F3} | {Linear(plain, "Code"):F3} | {Classifier(null):F3} | {Classifier(plain):F3} | {Classifier(stacked):F3} |");
        }
    }
}
