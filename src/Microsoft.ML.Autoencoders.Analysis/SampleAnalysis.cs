using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Per-sample summaries of a SAUCIE model's output (the paper's patient manifold).</summary>
public sealed class SampleAnalysis
{
    internal SampleAnalysis(string[] samples, double[][] proportions, double[,] distances, double[][] embedding)
        => (Samples, ClusterProportions, Distances, Embedding) = (samples, proportions, distances, embedding);

    /// <summary>The samples, in ordinal order of their names.</summary>
    public IReadOnlyList<string> Samples { get; }

    /// <summary>Per sample, the fraction of its rows in each cluster: index 0 unclustered, index c cluster c.</summary>
    public IReadOnlyList<double[]> ClusterProportions { get; }

    /// <summary>Pairwise distances between the samples' embedded rows: the kernel-space distance √max(0, MMD²), with
    /// SAUCIE's multi-scale kernel at one global scale and MMD² the unbiased estimate (Gretton et al. 2012): the
    /// within-sample kernel means leave out each row paired with itself, so two samples of one distribution are about 0
    /// apart, where the biased estimate would put them about √((1 - mean K)(1/m + 1/n)) apart for m and n rows. The
    /// estimate can fall slightly below 0 (hence the max), so the distances are a metric up to that noise. See
    /// docs/methods.md#saucie.</summary>
    public double[,] Distances { get; }

    /// <summary>2-d classical multidimensional scaling of <see cref="Distances"/>, one point per sample.</summary>
    public IReadOnlyList<double[]> Embedding { get; }
}

/// <summary>Sample-level analysis of a fitted SAUCIE model (the paper's patient manifold).</summary>
public static class SaucieSampleAnalysis
{
    private const int RowsPerSample = 1000;

    /// <summary>Groups the rows of <paramref name="data"/> by <paramref name="sampleColumnName"/> (text, key or integer)
    /// and compares the samples: their cluster proportions, the MMD between their embedded rows, and a 2-d MDS of those
    /// distances. Up to 1000 rows a sample (a seeded subsample) enter the MMD; every sample needs at least 2 rows.</summary>
    public static SampleAnalysis AnalyzeSamples(this SaucieTransformer model, IDataView data, string sampleColumnName, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var options = (SaucieOptions)model.State.Options;
        var (codes, names) = CategoryReader.Read(data, sampleColumnName, nameof(sampleColumnName));
        var scored = model.Transform(data);
        var embedding = DataReader.ReadMatrix(scored, options.EmbeddingColumnName, out int rows, out int width);
        var clusters = options.ClusterColumnName is { } c ? ReadKeys(scored, c) : new uint[rows];
        int k = model.ClusterCount;
        var members = names.Select((_, s) => Enumerable.Range(0, rows).Where(i => codes[i] == s).ToArray()).ToArray();
        if (Array.FindIndex(members, m => m.Length < 2) is var single and >= 0)
            throw new ArgumentException($"Sample '{names[single]}' of column '{sampleColumnName}' has 1 row; expected at least 2 rows a sample (the unbiased MMD compares rows within a sample).", nameof(sampleColumnName));
        var proportions = members.Select(m => Enumerable.Range(0, k + 1).Select(id => m.Count(i => clusters[i] == id) / (double)m.Length).ToArray()).ToArray();

        var rand = new Random(seed);
        var chosen = members.Select(m =>
        {
            var shuffled = (int[])m.Clone();
            rand.Shuffle(shuffled);
            return shuffled.Take(RowsPerSample).ToArray();
        }).ToArray();
        var distances = new double[names.Length, names.Length];
        using (var scope = NewDisposeScope())
        {
            Tensor Points(IEnumerable<int> members) => tensor(members.SelectMany(i => embedding.AsSpan(i * width, width).ToArray()).ToArray(), new long[] { members.Count(), width });
            // One scale for every pair (the mean magnitude and the largest squared distance of a pooled subsample),
            // so the distances are comparable; then one kernel per pair of samples, at most 2 x 1000 rows.
            var pooled = Points(chosen.SelectMany(m => m.Take(Math.Max(1, 2000 / names.Length))));
            var magnitude = pooled.abs().mean().Plus(1e-9);
            var largest = SauciePenalties.SquaredDistances(pooled / magnitude).max().Plus(1e-9);
            for (int a = 0; a < names.Length; a++)
                for (int b = a + 1; b < names.Length; b++)
                {
                    using var pair = NewDisposeScope();
                    var points = Points(chosen[a].Concat(chosen[b])) / magnitude;
                    var kernel = SauciePenalties.Kernel(SauciePenalties.SquaredDistances(points) / largest);
                    // MMD² is a squared distance: MDS squares what it is given, so it gets the distance.
                    distances[a, b] = distances[b, a] = Math.Sqrt(Math.Max(0, UnbiasedMmd(kernel, chosen[a].Length)));
                }
        }
        return new SampleAnalysis(names, proportions, distances, ClassicalScaling(distances, 2));
    }

    /// <summary>Unbiased MMD² (Gretton et al. 2012) between the first <paramref name="m"/> rows of a kernel matrix and
    /// the rest: within-sample means over pairs of distinct rows, Σ_{i≠j} K_ij / (m(m - 1)). SauciePenalties.BatchMmd,
    /// which training uses, keeps the diagonal: that biases it upwards by about (1 - mean K)/m a sample.</summary>
    private static double UnbiasedMmd(Tensor kernel, int m)
    {
        long n = kernel.shape[0] - m;
        static double Within(Tensor block, long size) => block.sum().Minus(block.diagonal().sum()).item<float>() / (size * (size - 1.0));
        return Within(kernel.narrow(0, 0, m).narrow(1, 0, m), m) + Within(kernel.narrow(0, m, n).narrow(1, m, n), n)
            - 2 * kernel.narrow(0, 0, m).narrow(1, m, n).mean().item<float>();
    }

    /// <summary>The cluster key of each row (0: unclustered); the column is a scalar key.</summary>
    private static uint[] ReadKeys(IDataView data, string name) => data.GetColumn<uint>(name).ToArray();

    /// <summary>Classical MDS: double-centre the squared distances, take the top eigenvectors scaled by sqrt(eigenvalue).</summary>
    internal static double[][] ClassicalScaling(double[,] distances, int dims)
    {
        int n = distances.GetLength(0);
        var centring = Matrix<double>.Build.DenseIdentity(n) - Matrix<double>.Build.Dense(n, n, 1.0 / n);
        var squared = Matrix<double>.Build.Dense(n, n, (i, j) => distances[i, j] * distances[i, j]);
        var (values, vectors) = LinearAlgebra.SymmetricEigen((-0.5 * centring * squared * centring).ToArray());
        return Enumerable.Range(0, n).Select(i => Enumerable.Range(0, dims)
            .Select(d => d < n ? vectors[d][i] * Math.Sqrt(Math.Max(0, values[d])) : 0).ToArray()).ToArray();
    }
}
