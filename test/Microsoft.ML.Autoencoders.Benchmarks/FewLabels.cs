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
