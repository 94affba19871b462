using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 2's figures: the 784-32-784 binary cross-entropy autoencoder on Fashion-MNIST (seconds and test
/// loss per epoch), and scoring rows per second through our batched Transform against the saved first-party chain.</summary>
public static class Foundation
{
    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var testRows = FashionMnist.Load(train: false);
        var train = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        AutoencoderOptions Options(int epochs) => new()
        {
            CodeSize = 32, CodeActivation = Activation.Relu, OutputActivation = Activation.Sigmoid,
            Loss = ReconstructionLoss.BinaryCrossEntropy, Epochs = epochs, BatchSize = 256, LearningRate = 1e-3,
            ValidationFraction = 0, EarlyStoppingPatience = 0, Seed = 1, Threads = threads, ReconstructionErrorColumnName = "Error",
        };

        Console.WriteLine($"## 784-32-784 BCE on Fashion-MNIST, threads {threads}");
        Console.WriteLine("| epoch | train loss | test loss | seconds per epoch | Fit seconds (reading, all epochs, export) |");
        Console.WriteLine("|---|---|---|---|---|");
        AutoencoderTransformer? last = null;
        // Same seed and no validation split: the model fitted for e epochs is the e-th epoch of the longest run.
        for (int epochs = 1; epochs <= 5; epochs++)
        {
            var watch = Stopwatch.StartNew();
            last?.Dispose();
            last = ml.Transforms.Autoencoder(Options(epochs)).Fit(train);
            double seconds = watch.Elapsed.TotalSeconds;
            double testLoss = MeanError(last.Transform(test));
            Console.WriteLine($"| {epochs} | {last.TrainingHistory[^1].TrainLoss:F4} | {testLoss:F4} | {last.TrainingHistory[^1].Seconds:F2} | {seconds:F2} |");
        }

        var chain = SavedChain(ml, last!, train.Schema);
        double ours = RowsPerSecond(() => last!.Transform(test), "Code", testRows.Length);
        double theirs = RowsPerSecond(() => chain.Transform(test), "Code", testRows.Length);
        Console.WriteLine();
        Console.WriteLine($"Scoring the code column of {testRows.Length} rows: our Transform {ours:F0} rows/s, saved first-party chain {theirs:F0} rows/s, ratio {ours / theirs:F1}x");
        last!.Dispose();
        (chain as IDisposable)?.Dispose();   // ML.NET deletes its temp copy of the graph on Dispose
    }

    /// <summary>The mean of the scalar error column.</summary>
    public static double MeanError(IDataView scored) => scored.GetColumn<float>("Error").Average(v => (double)v);

    /// <summary>The model as <c>mlContext.Model.Load</c> gives it back in a fresh context: ML.NET's own chain.</summary>
    public static ITransformer SavedChain(MLContext ml, ITransformer model, DataViewSchema schema)
    {
        var path = Path.Combine(Path.GetTempPath(), $"bench-{Guid.NewGuid():N}.zip");
        ml.Model.Save(model, schema, path);
        var chain = new MLContext().Model.Load(path, out _);
        File.Delete(path);
        return chain;
    }

    /// <summary>Best of <paramref name="passes"/> passes reading every value of the column.</summary>
    public static double RowsPerSecond(Func<IDataView> score, string columnName, int rows, int passes = 3)
    {
        double best = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            var watch = Stopwatch.StartNew();
            var scored = score();
            var column = scored.Schema[columnName];
            using var cursor = scored.GetRowCursor(new[] { column });
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var value = default(VBuffer<float>);
            while (cursor.MoveNext()) getter(ref value);
            best = Math.Max(best, rows / watch.Elapsed.TotalSeconds);
        }
        return best;
    }
}
