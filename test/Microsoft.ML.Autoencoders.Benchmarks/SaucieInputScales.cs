using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 15: SAUCIE's clusters with the published weights (ClusterWeight 0.1, IntraClusterWeight 0.2) and
/// the default network on the same cells given as raw counts, library-size-normalised log counts, their first 10
/// principal components, and the log counts times 100 and times 0.01: number of clusters, unclustered rows, and
/// agreement with the generating cell types, over three seeds.</summary>
public static class SaucieInputScales
{
    private const int Cells = 2400, Genes = 50, Types = 6;

    public static void Run(int threads)
    {
        var (counts, types) = Generate(seed: 7);
        var logs = counts.Select(LogNormalise).ToArray();
        var inputs = new (string Name, float[][] Rows)[]
        {
            ("raw counts", counts),
            ("log-normalised", logs),
            ("log-normalised, 10 principal components", Project(logs, 10)),
            ("log-normalised x 100", logs.Select(r => r.Select(v => v * 100).ToArray()).ToArray()),
            ("log-normalised x 0.01", logs.Select(r => r.Select(v => v * 0.01f).ToArray()).ToArray()),
        };
        Console.WriteLine($"## SAUCIE clusters across input scales: {Cells} cells, {Genes} genes, {Types} cell types; published weights, default network, threads {threads}");
        Console.WriteLine("| input | seed | clusters | unclustered rows | ARI | NMI |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, rows) in inputs)
            foreach (var seed in new[] { 1, 2, 3 })
            {
                var ml = new MLContext(seed);
                var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Definition(rows[0].Length));
                using var model = ml.Transforms.Saucie(new SaucieOptions { Seed = seed, Threads = threads }).Fit(data);
                var ids = model.Transform(data).GetColumn<uint>("Cluster").Select(c => (int)c).ToArray();
                Console.WriteLine($"| {name} | {seed} | {model.ClusterCount} | {ids.Count(c => c == 0)} | {Metrics.AdjustedRandIndex(ids, types):F3} | {Metrics.NormalizedMutualInformation(ids, types):F3} |");
            }
    }

    /// <summary>Issue 26: the library's MinClusterSize (10) against the authors' (their get_clusters keeps patterns of
    /// more than 100 rows) on the same fits: raw counts and log-normalised counts, seeds 1-3.</summary>
    public static void MinClusterSizes(int threads)
    {
        var (counts, types) = Generate(seed: 7);
        var inputs = new (string Name, float[][] Rows)[] { ("raw counts", counts), ("log-normalised", counts.Select(LogNormalise).ToArray()) };
        Console.WriteLine($"## SAUCIE's MinClusterSize: {Cells} cells, {Genes} genes, {Types} cell types; published weights, default network, threads {threads}");
        Console.WriteLine("| input | seed | MinClusterSize | clusters | unclustered rows | ARI | NMI |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, rows) in inputs)
            foreach (var seed in new[] { 1, 2, 3 })
                foreach (var minimum in new[] { 10, 101 })
                {
                    var ml = new MLContext(seed);
                    var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Definition(rows[0].Length));
                    using var model = ml.Transforms.Saucie(new SaucieOptions { Seed = seed, Threads = threads, MinClusterSize = minimum }).Fit(data);
                    var ids = model.Transform(data).GetColumn<uint>("Cluster").Select(c => (int)c).ToArray();
                    Console.WriteLine($"| {name} | {seed} | {minimum} | {model.ClusterCount} | {ids.Count(c => c == 0)} | {Metrics.AdjustedRandIndex(ids, types):F3} | {Metrics.NormalizedMutualInformation(ids, types):F3} |");
                }
    }

    /// <summary>Issue 26: SAUCIE's training length: the library's 50 epochs, the authors' 1,000 steps, and the automatic
    /// budget other variants use when Epochs is null (data-sized, early stopping); raw and log-normalised counts.</summary>
    public static void TrainingLengths(int threads)
    {
        var (counts, types) = Generate(seed: 7);
        var inputs = new (string Name, float[][] Rows)[] { ("raw counts", counts), ("log-normalised", counts.Select(LogNormalise).ToArray()) };
        var lengths = new (string Name, Action<SaucieOptions> Set)[]
        {
            ("50 epochs (default)", _ => { }),
            ("1,000 steps (authors')", o => o.Steps = 1000),
            ("automatic (Epochs = null)", o => o.Epochs = null),
        };
        Console.WriteLine($"## SAUCIE's training length: {Cells} cells, {Genes} genes, {Types} cell types; published weights, default network, threads {threads}");
        Console.WriteLine("| input | length | seed | epochs trained | seconds | clusters | unclustered rows | ARI |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var (name, rows) in inputs)
            foreach (var (length, set) in lengths)
                foreach (var seed in new[] { 1, 2, 3 })
                {
                    var ml = new MLContext(seed);
                    var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Definition(rows[0].Length));
                    var options = new SaucieOptions { Seed = seed, Threads = threads };
                    set(options);
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    using var model = ml.Transforms.Saucie(options).Fit(data);
                    var ids = model.Transform(data).GetColumn<uint>("Cluster").Select(c => (int)c).ToArray();
                    Console.WriteLine($"| {name} | {length} | {seed} | {model.TrainingHistory.Count} | {watch.Elapsed.TotalSeconds:F0} | {model.ClusterCount} | {ids.Count(c => c == 0)} | {Metrics.AdjustedRandIndex(ids, types):F3} |");
                }
    }

    /// <summary>Each input's fits (seeds 1-3, published weights, no merging) as CSV for study outside .NET: one line a
    /// cell with the input, the seed, the 2-D embedding, SAUCIE's cluster and the generating type.</summary>
    public static void Dump(int threads)
    {
        var (counts, types) = Generate(seed: 7);
        var logs = counts.Select(LogNormalise).ToArray();
        var inputs = new (string Name, float[][] Rows)[] { ("raw", counts), ("log", logs), ("pca10", Project(logs, 10)) };
        Console.WriteLine("input,seed,e1,e2,cluster,type");
        foreach (var (name, rows) in inputs)
            foreach (var seed in new[] { 1, 2, 3 })
            {
                var ml = new MLContext(seed);
                var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Definition(rows[0].Length));
                // The binary patterns' own clusters, for studying how to merge them.
                using var model = ml.Transforms.Saucie(new SaucieOptions { Seed = seed, Threads = threads, ClusterMergeNeighbours = null }).Fit(data);
                var scored = model.Transform(data);
                var ids = scored.GetColumn<uint>("Cluster").ToArray();
                var embedding = scored.GetColumn<float[]>("Embedding").ToArray();
                for (int i = 0; i < ids.Length; i++)
                    Console.WriteLine(FormattableString.Invariant($"{name},{seed},{embedding[i][0]},{embedding[i][1]},{ids[i]},{types[i]}"));
            }
    }

    public sealed class Row { public float[] Features = Array.Empty<float>(); }

    private static SchemaDefinition Definition(int width)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return definition;
    }

    /// <summary>scRNA-seq-like counts: each type a log-normal mean profile over the genes, each cell Poisson counts of
    /// its type's profile times a log-normal size factor.</summary>
    private static (float[][] Counts, int[] Types) Generate(int seed)
    {
        var rand = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());
        var baseline = Enumerable.Range(0, Genes).Select(_ => Gaussian()).ToArray();
        var profiles = Enumerable.Range(0, Types).Select(_ => baseline.Select(b => Math.Exp(b + 1.2 * Gaussian())).ToArray()).ToArray();
        int Poisson(double mean)
        {
            // Knuth's method for small means, a rounded normal for large ones.
            if (mean > 30) return Math.Max(0, (int)Math.Round(mean + Math.Sqrt(mean) * Gaussian()));
            double limit = Math.Exp(-mean), p = 1;
            int k = 0;
            while ((p *= rand.NextDouble()) > limit) k++;
            return k;
        }
        var types = Enumerable.Range(0, Cells).Select(_ => rand.Next(Types)).ToArray();
        var counts = types.Select(t =>
        {
            double size = Math.Exp(0.4 * Gaussian());
            return profiles[t].Select(m => (float)Poisson(m * size)).ToArray();
        }).ToArray();
        return (counts, types);
    }

    /// <summary>Counts per 10,000 of the cell's total, then log(1 + x).</summary>
    private static float[] LogNormalise(float[] counts)
    {
        double total = Math.Max(1, counts.Sum());
        return counts.Select(c => (float)Math.Log(1 + c * 1e4 / total)).ToArray();
    }

    private static float[][] Project(float[][] rows, int k)
    {
        var directions = LinearAlgebra.PrincipalDirections(rows, k);
        int d = rows[0].Length;
        var mean = Enumerable.Range(0, d).Select(f => rows.Average(r => (double)r[f])).ToArray();
        return rows.Select(r => directions.Select(w => (float)Enumerable.Range(0, d).Sum(f => w[f] * (r[f] - mean[f]))).ToArray()).ToArray();
    }
}
