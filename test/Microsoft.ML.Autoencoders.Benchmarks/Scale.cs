using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 13's figures: Fit of a 784-256-32 autoencoder, one epoch, on synthetic image-like rows computed on
/// the fly by an IDataView (the benchmark itself holds none), with the rows cached on disk or in memory. Each size runs
/// in a process of its own, so each peak working set is that Fit's.</summary>
public static class Scale
{
    public static void Run(int threads)
    {
        Console.WriteLine($"## Data at scale: 784-256-32, MSE, one epoch, batch 256, threads {threads}; rows generated on the fly");
        Console.WriteLine("| rows | cache | values (GB) | Fit seconds | seconds per 1,000 steps | peak working set (MB) | peak anonymous memory (MB) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (rows, cache) in new[] { (100_000L, DataCache.Disk), (1_000_000L, DataCache.Disk), (1_000_000L, DataCache.Memory), (10_000_000L, DataCache.Disk) })
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
            foreach (var a in new[] { typeof(Scale).Assembly.Location, "scale-one", threads.ToString(), rows.ToString(), cache.ToString() }) info.ArgumentList.Add(a);
            using var child = Process.Start(info)!;
            string line = child.StandardOutput.ReadToEnd().Trim().Split('\n').Last();
            child.WaitForExit();
            Console.WriteLine(child.ExitCode == 0 ? line : $"| {rows:N0} | {cache} | failed with exit code {child.ExitCode} |");
            Console.Out.Flush();
        }
    }

    /// <summary>One Fit, in this process: args are threads, rows, cache.</summary>
    public static void One(int threads, long rows, DataCache cache)
    {
        var ml = new MLContext(seed: 1);
        var options = new AutoencoderOptions
        {
            HiddenLayers = new[] { 256 }, CodeSize = 32, Epochs = 1, BatchSize = 256, Seed = 1, Threads = threads,
            ValidationFraction = 0, EarlyStoppingPatience = 0, DataCache = cache,
        };
        // The working set counts file pages the kernel keeps resident (page cache it can drop at any time); the process's
        // own memory is its anonymous part.
        using var memory = new AnonymousMemory();
        var watch = Stopwatch.StartNew();
        using var model = ml.Transforms.Autoencoder(options).Fit(new GeneratedImages(rows));
        double fit = watch.Elapsed.TotalSeconds;
        long peakAnonymous = memory.Peak;
        var process = Process.GetCurrentProcess();
        process.Refresh();
        long steps = (rows + 255) / 256;
        Console.WriteLine($"| {rows:N0} | {cache} | {rows * 784 * 4 / 1e9:F1} | {fit:F0} | {model.TrainingHistory[0].Seconds / steps * 1000:F1} | {process.PeakWorkingSet64 / 1e6:F0} | {peakAnonymous / 1e6:F0} |");
    }

    /// <summary>Rows of 28 x 28 "images": a few soft blobs at places and sizes drawn from the row's index, so every
    /// row is computed when read and the same each time.</summary>
    private sealed class GeneratedImages(long rows) : GeneratedRows(rows, MakeSchema())
    {
        private static DataViewSchema MakeSchema()
        {
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, 784));
            return builder.ToSchema();
        }

        protected override Row NewRow() => new Image();

        private sealed class Image : Row
        {
            private readonly float[] _pixels = new float[784];

            public override void Compute(long position)
            {
                var rand = new Random(unchecked((int)(position * 2654435761L)));
                Array.Clear(_pixels);
                for (int blob = 0, count = 1 + rand.Next(3); blob < count; blob++)
                {
                    double cx = rand.Next(4, 24), cy = rand.Next(4, 24), r2 = Math.Pow(rand.Next(2, 6), 2);
                    for (int y = 0; y < 28; y++)
                        for (int x = 0; x < 28; x++)
                            _pixels[y * 28 + x] = Math.Min(1f, _pixels[y * 28 + x] + (float)Math.Exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / r2));
                }
            }

            public override Delegate Getter(int column) => VectorGetter(_pixels);
        }
    }

    public sealed class DiskFitRow
    {
        public float[] Features = Array.Empty<float>();
    }

    /// <summary>For the data-cache tests: one epoch of a small autoencoder over <paramref name="count"/> rows of 256 values
    /// computed as they are read (nothing held), cached on disk in <paramref name="directory"/>. Prints "ok" and the
    /// process's peak working set in MB, or "refused:" and the message of the error Fit gave.</summary>
    public static void DiskFit(int count, string directory)
    {
        const int width = 256;
        IEnumerable<DiskFitRow> Generate()
        {
            var rand = new Random(1);
            for (int i = 0; i < count; i++)
                yield return new DiskFitRow { Features = Enumerable.Range(0, width).Select(_ => (float)((i % 10) * 0.1 + 0.01 * rand.NextDouble())).ToArray() };
        }
        var ml = new MLContext(1);
        var schema = SchemaDefinition.Create(typeof(DiskFitRow));
        schema[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        try
        {
            using var fitted = ml.Transforms.Autoencoder(new AutoencoderOptions
            {
                CodeSize = 8, HiddenLayers = Array.Empty<int>(), Epochs = 1, BatchSize = 512, Seed = 1, Threads = 1, ValidationFraction = 0,
                EarlyStoppingPatience = 0, DataCache = DataCache.Disk, CacheDirectory = directory,
            }).Fit(ml.Data.LoadFromEnumerable(Generate(), schema));
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"refused: {e.Message}");
            return;
        }
        Console.WriteLine($"ok {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0}");
    }
}
