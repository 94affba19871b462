using System.Diagnostics;
using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 13's SAUCIE point: the paper's dengue scale, 11 million cytometry-like cells × 35 markers from 180
/// samples with batch effects, computed on the fly (the benchmark holds no row). One Fit with batch correction and
/// clustering (both stages, one epoch each), the disk cache, one thread: time per stage-epoch, peak memory, cluster
/// agreement with the generating cell types, and how much of the samples' shifts the correction removes.</summary>
public static class SaucieAtScale
{
    private const int Markers = 35, Samples = 180, Types = 12;

    public static void Run(int threads) => Run(threads, 11_000_000);

    public static void Run(int threads, long rows)
    {
        var cells = new GeneratedCells(rows);
        var steps = new Dictionary<string, int>();
        Console.WriteLine($"## SAUCIE at the paper's scale: {rows:N0} cells x {Markers} markers, {Samples} samples, {Types} cell types; 512-256-128-2, batch 256, one epoch a stage, DataCache.Disk, threads {threads}");
        var options = new SaucieOptions
        {
            BatchColumnName = "Sample", Epochs = 1, Seed = 1, Threads = threads, ValidationFraction = 0, EarlyStoppingPatience = 0,
            DataCache = DataCache.Disk, BatchProgressInterval = rows >= 1_000_000 ? 5000 : 200,
            BatchProgress = new Progress<BatchMetrics>(m => Report(m)),
        };
        void Report(BatchMetrics m)
        {
            lock (steps) steps[m.Phase] = m.BatchesPerEpoch;
            Console.WriteLine($"  {m.Phase}: batch {m.Batch:N0} of {m.BatchesPerEpoch:N0}, loss {m.TrainLoss:F4}, {m.Elapsed:hh\\:mm\\:ss}, anonymous memory {AnonymousMemory.Now() / 1e6:F0} MB");
        }
        using var memory = new AnonymousMemory();
        var ml = new MLContext(seed: 1);
        var watch = Stopwatch.StartNew();
        using var model = ml.Transforms.Saucie(options).Fit(cells);
        double fit = watch.Elapsed.TotalSeconds;
        long peakAnonymous = memory.Peak;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.WriteLine("| phase | steps | seconds | ms per step |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var h in model.TrainingHistory)
            lock (steps) Console.WriteLine($"| {h.Phase} | {steps[h.Phase]:N0} | {h.Seconds:F0} | {h.Seconds / steps[h.Phase] * 1000:F1} |");
        Console.WriteLine($"Fit {fit:F0} s; peak working set {process.PeakWorkingSet64 / 1e6:F0} MB, peak anonymous memory {peakAnonymous / 1e6:F0} MB.");
        Evaluate(ml, model, cells);
    }

    /// <summary>Clusters against the generating types (ARI over every cell; unclustered cells count as one more
    /// cluster), and the samples' remaining shift: within each cell type, the mean |sample mean − reference mean| over
    /// markers, of the corrected output against the raw input.</summary>
    private static void Evaluate(MLContext ml, SaucieTransformer model, GeneratedCells cells)
    {
        var watch = Stopwatch.StartNew();
        var scored = model.Transform(cells);
        var clusters = new int[cells.Rows];
        var types = new int[cells.Rows];
        var sums = new double[2, Samples, Types, Markers];
        var counts = new long[Samples, Types];
        using (var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Cluster" or "Reconstruction" or "Features" or "Type" or "Sample")))
        {
            var cluster = cursor.GetGetter<uint>(scored.Schema["Cluster"]);
            var corrected = cursor.GetGetter<VBuffer<float>>(scored.Schema["Reconstruction"]);
            var raw = cursor.GetGetter<VBuffer<float>>(scored.Schema["Features"]);
            var type = cursor.GetGetter<int>(scored.Schema["Type"]);
            var sample = cursor.GetGetter<int>(scored.Schema["Sample"]);
            uint c = 0;
            int t = 0, s = 0;
            VBuffer<float> r = default, x = default;
            for (int i = 0; cursor.MoveNext(); i++)
            {
                cluster(ref c);
                type(ref t);
                sample(ref s);
                corrected(ref r);
                raw(ref x);
                (clusters[i], types[i]) = ((int)c, t);
                counts[s, t]++;
                var rv = r.GetValues();
                var xv = x.GetValues();
                for (int m = 0; m < Markers; m++)
                {
                    sums[0, s, t, m] += xv[m];
                    sums[1, s, t, m] += rv[m];
                }
            }
        }
        double Shift(int which)
        {
            double total = 0;
            int terms = 0;
            for (int s = 0; s < Samples; s++)
                for (int t = 0; t < Types; t++)
                    if (s != cells.Largest && counts[s, t] > 0 && counts[cells.Largest, t] > 0)
                        for (int m = 0; m < Markers; m++, terms++)
                            total += Math.Abs(sums[which, s, t, m] / counts[s, t] - sums[which, cells.Largest, t, m] / counts[cells.Largest, t]);
            return total / terms;
        }
        double unclustered = clusters.Count(c => c == 0) / (double)clusters.Length;
        Console.WriteLine($"Clusters: {model.ClusterCount}, {unclustered:P1} of cells unclustered; ARI with the {Types} generating types {Metrics.AdjustedRandIndex(clusters, types):F3}.");
        double before = Shift(0), after = Shift(1);
        Console.WriteLine($"Samples' shift from the reference within cell types (mean |difference of means| a marker): raw {before:F3}, corrected {after:F3} ({after / before:P0} left). Scoring and evaluation {watch.Elapsed.TotalSeconds:F0} s.");
    }

    /// <summary>Cells computed from their index when read: samples are consecutive runs of rows (as FCS files
    /// concatenated) of sizes varying ±50%; a cell's type is drawn from the sample's proportions (each type's weight
    /// varies ±35% between samples); its markers are the type's level (asinh scale: negative 0, dim 2, bright 4) plus
    /// unit noise, then each sample's batch effect per marker: a shift N(0, 0.5²) and a gain 1 + N(0, 0.1²).</summary>
    private sealed class GeneratedCells : GeneratedRows
    {
        private readonly long[] _starts;
        private readonly double[,] _levels = new double[Types, Markers], _shift = new double[Samples, Markers], _gain = new double[Samples, Markers];
        private readonly double[,] _typeShares = new double[Samples, Types];

        public GeneratedCells(long rows) : base(rows, MakeSchema())
        {
            var rand = new Random(7);
            double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());
            for (int t = 0; t < Types; t++)
                for (int m = 0; m < Markers; m++) _levels[t, m] = 2 * rand.Next(3);
            for (int s = 0; s < Samples; s++)
            {
                for (int m = 0; m < Markers; m++) (_shift[s, m], _gain[s, m]) = (0.5 * Gaussian(), 1 + 0.1 * Gaussian());
                var weights = Enumerable.Range(0, Types).Select(t => (1.0 + t % 4) * (0.65 + 0.7 * rand.NextDouble())).ToArray();
                for (int t = 0; t < Types; t++) _typeShares[s, t] = weights.Take(t + 1).Sum() / weights.Sum();
            }
            var sizes = Enumerable.Range(0, Samples).Select(_ => 0.5 + rand.NextDouble()).ToArray();
            _starts = new long[Samples + 1];
            for (int s = 1; s <= Samples; s++) _starts[s] = (long)Math.Round(rows * sizes.Take(s).Sum() / sizes.Sum());
            Largest = Enumerable.Range(0, Samples).MaxBy(s => _starts[s + 1] - _starts[s]);
        }

        public int Largest { get; }

        private static DataViewSchema MakeSchema()
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, Markers));
            builder.AddColumn("Sample", NumberDataViewType.Int32);
            builder.AddColumn("Type", NumberDataViewType.Int32);
            return builder.ToSchema();
        }

        protected override Row NewRow() => new Cell(this);

        private sealed class Cell(GeneratedCells view) : Row
        {
            private int _sample, _type;
            private readonly float[] _markers = new float[Markers];

            public override void Compute(long position)
            {
                while (position >= view._starts[_sample + 1]) _sample++;
                var rand = new Random(unchecked((int)(position * 2654435761L)));
                double u = rand.NextDouble();
                _type = 0;
                while (_type < Types - 1 && u >= view._typeShares[_sample, _type]) _type++;
                for (int m = 0; m < Markers; m++)
                {
                    double noise = Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());
                    _markers[m] = (float)((view._levels[_type, m] + noise) * view._gain[_sample, m] + view._shift[_sample, m]);
                }
            }

            public override Delegate Getter(int column) => column switch
            {
                0 => VectorGetter(_markers),
                1 => (ValueGetter<int>)((ref int value) => value = _sample),
                _ => (ValueGetter<int>)((ref int value) => value = _type),
            };
        }
    }
}
