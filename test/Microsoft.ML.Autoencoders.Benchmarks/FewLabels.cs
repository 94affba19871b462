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

/// <summary>Issue 26: fine-tuning as practitioners make it work (the head first with the encoder frozen, the encoder at a
/// tenth of the head's rate, early stopping on a fifth of the labelled rows) against a linear model on raw pixels and
/// the same network from scratch, with 10 and 100 labels a class, 3 seeds (each its own pretraining and labelled
/// draw); the encoder pretrained as a plain, a denoising or a stacked autoencoder. Fashion-MNIST: encoders 784-256-32
/// pretrained on all 60,000 training images, 10,000 test images. 8x8 digits: encoders 64-32-16 pretrained on the first
/// 1,200 digits, the other 597 as test.</summary>
public static class FineTuning
{
    private sealed record Task(string Name, ImageRow[] Pool, ImageRow[] Test, int[] Hidden, int Code, int PretrainEpochs, int BatchSize, double LearningRate);

    public static void Run(int threads)
    {
        var digits = Digits();
        var tasks = new[]
        {
            new Task("Fashion-MNIST", FashionMnist.Load(train: true), FashionMnist.Load(train: false), new[] { 256 }, 32, 10, 64, 1e-3),
            new Task("8x8 digits", digits[..1200], digits[1200..], new[] { 32 }, 16, 100, 32, 2e-3),
        };
        Console.WriteLine($"## Fine-tuning against raw pixels + linear and the same network from scratch (test accuracy; threads {threads})");
        Console.WriteLine("| data | labels a class | seed | raw pixels + linear | from scratch | fine-tuned, plain pretraining | fine-tuned, denoising pretraining | fine-tuned, stacked pretraining |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var task in tasks)
        {
            var sums = new Dictionary<int, double[]>();
            for (int seed = 1; seed <= 3; seed++)
            {
                var ml = new MLContext(seed);
                int size = task.Pool[0].Features.Length;
                var unlabelled = ml.Data.Cache(FashionMnist.ToDataView(ml, task.Pool, size));
                var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(unlabelled);
                var test = ml.Data.Cache(keys.Transform(FashionMnist.ToDataView(ml, task.Test, size)));
                T Pretraining<T>(T o) where T : AutoencoderOptions
                {
                    (o.HiddenLayers, o.CodeSize, o.Epochs, o.BatchSize, o.Seed, o.Threads) = (task.Hidden, task.Code, task.PretrainEpochs, 256, seed, threads);
                    (o.ValidationFraction, o.EarlyStoppingPatience) = (0, 0);
                    (o.OutputActivation, o.Loss) = (Activation.Sigmoid, ReconstructionLoss.BinaryCrossEntropy);
                    return o;
                }
                using var plain = ml.Transforms.Autoencoder(Pretraining(new AutoencoderOptions())).Fit(unlabelled);
                using var denoising = ml.Transforms.DenoisingAutoencoder(Pretraining(new DenoisingAutoencoderOptions { ClipMin = 0, ClipMax = 1 })).Fit(unlabelled);
                // Greedy layer-wise: each layer half the epochs first, then the stack.
                using var stacked = ml.Transforms.StackedAutoencoder(Pretraining(new StackedAutoencoderOptions { PretrainEpochs = task.PretrainEpochs / 2 })).Fit(unlabelled);
                foreach (int perClass in new[] { 10, 100 })
                {
                    // perClass rows of each class, a different draw for each seed.
                    var random = new Random(seed);
                    var rows = task.Pool.GroupBy(r => r.Label).OrderBy(g => g.Key).SelectMany(g => g.OrderBy(_ => random.Next()).Take(perClass)).ToArray();
                    var labelled = ml.Data.Cache(keys.Transform(FashionMnist.ToDataView(ml, rows, size)));
                    double Classifier(AutoencoderTransformer? pretrained)
                    {
                        // About 3,000 steps whatever the number of labels, at least 50 epochs; early stopping decides.
                        using var model = ml.MulticlassClassification.Trainers.AutoencoderClassifier(new AutoencoderClassifierOptions
                        {
                            HiddenLayers = task.Hidden, CodeSize = task.Code, BatchSize = task.BatchSize, LearningRate = task.LearningRate,
                            Epochs = Math.Max(50, 3000 * task.BatchSize / rows.Length), ValidationFraction = 0.2, EarlyStoppingPatience = 20,
                            PretrainedEncoder = pretrained, Seed = seed, Threads = threads,
                        }).Fit(labelled);
                        return ml.MulticlassClassification.Evaluate(model.Transform(test)).MicroAccuracy;
                    }
                    var accuracies = new[] { Downstream.MulticlassAccuracy(ml, null, "Features", "Label", labelled, test), Classifier(null), Classifier(plain), Classifier(denoising), Classifier(stacked) };
                    Console.WriteLine($"| {task.Name} | {perClass} | {seed} | {string.Join(" | ", accuracies.Select(a => a.ToString("F3")))} |");
                    var sum = sums.TryGetValue(perClass, out var s) ? s : sums[perClass] = new double[accuracies.Length];
                    for (int i = 0; i < sum.Length; i++) sum[i] += accuracies[i] / 3;
                }
            }
            foreach (var (perClass, mean) in sums)
                Console.WriteLine($"| {task.Name} | {perClass} | mean | {string.Join(" | ", mean.Select(a => $"**{a:F3}**"))} |");
        }
    }

    /// <summary>The 1,797 UCI 8x8 digits bundled in data/digits, pixels scaled to [0, 1].</summary>
    private static ImageRow[] Digits()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "../../../../../data/digits/digits.csv.gz");
        using var reader = new StreamReader(new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress));
        var rows = new List<ImageRow>();
        while (reader.ReadLine() is { } line)
        {
            var v = line.Split(',').Select(x => float.Parse(x, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            rows.Add(new ImageRow { Features = v[..64].Select(p => p / 16f).ToArray(), Label = (uint)v[64] });
        }
        return rows.ToArray();
    }
}
