using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 5's scale figures: SAUCIE on synthetic cytometry-like data (30 features, 8 cell types, 3 batches),
/// time per 1,000 training steps and peak memory at 100,000 and 1,000,000 rows.</summary>
public static class SaucieScale
{
    public sealed class Row
    {
        public float[] Features = Array.Empty<float>();
        public string Batch = "";
    }

    public static void Run(int threads) => Run(threads, new[] { 100_000, 1_000_000 });

    /// <summary>The time per step alone (issue 16): 100,000 rows.</summary>
    public static void Steps(int threads) => Run(threads, new[] { 100_000 });

    private static void Run(int threads, int[] sizes)
    {
        Console.WriteLine($"## SAUCIE scale: 30 features, 8 cell types, 3 batches, 512-256-128-2, batch 256, batch correction + clustering (two stages), threads {threads}");
        Console.WriteLine("| rows | epochs a stage | steps | seconds per 1,000 steps | Fit seconds | peak working set (MB) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var rows in sizes)
        {
            var ml = new MLContext(seed: 1);
            var data = Generate(ml, rows);
            // Enough epochs for at least 1,000 steps a stage at 100k rows; one at 1M rows.
            int epochs = rows >= 1_000_000 ? 1 : 3;
            var options = new SaucieOptions { BatchColumnName = "Batch", Epochs = epochs, BatchSize = 256, Seed = 1, Threads = threads, ValidationFraction = 0, EarlyStoppingPatience = 0 };
            var process = Process.GetCurrentProcess();
            var watch = Stopwatch.StartNew();
            using var model = ml.Transforms.Saucie(options).Fit(data);
            double fit = watch.Elapsed.TotalSeconds;
            process.Refresh();
            int steps = 2 * epochs * ((rows + 255) / 256);
            double trainingSeconds = model.TrainingHistory.Sum(h => h.Seconds);
            Console.WriteLine($"| {rows:N0} | {epochs} | {steps:N0} | {trainingSeconds / steps * 1000:F1} | {fit:F0} | {process.PeakWorkingSet64 / 1e6:F0} |");
        }
    }

    private static IDataView Generate(MLContext ml, int n)
    {
        var rand = new Random(1);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());
        var centres = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 30).Select(_ => 3 * Gaussian()).ToArray()).ToArray();
        var rows = new Row[n];
        for (int i = 0; i < n; i++)
        {
            int t = rand.Next(8), b = i % 3;
            rows[i] = new Row { Features = centres[t].Select(c => (float)(c + Gaussian() + 0.8 * b * Math.Tanh(c))).ToArray(), Batch = $"b{b}" };
        }
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 30);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }
}
