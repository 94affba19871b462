using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Analysis;

/// <summary>Reference figures to judge an autoencoder against.</summary>
public static class Baselines
{
    /// <summary>Mean squared reconstruction error per feature of <paramref name="test"/> rows under ML.NET's PCA
    /// (<c>ProjectToPrincipalComponents</c>) of the given rank fitted on <paramref name="train"/>: a linear autoencoder
    /// of code size <paramref name="rank"/> at its optimum.</summary>
    /// <remarks>The projection p = U^T (x - mean) has orthonormal U, so the error is ||x - mean||^2 - ||p||^2.</remarks>
    public static double PcaReconstructionError(MLContext mlContext, IDataView train, IDataView test, string column, int rank, int? seed = null)
    {
        var trainRows = DataReader.ReadMatrix(train, column, out int n, out int size);
        var mean = new double[size];
        for (int i = 0; i < n; i++) for (int j = 0; j < size; j++) mean[j] += trainRows[i * size + j] / (double)n;

        const string projection = "__pca_projection";
        var pca = mlContext.Transforms.ProjectToPrincipalComponents(projection, column, rank: rank, seed: seed).Fit(train);
        var scored = pca.Transform(test);
        var x = DataReader.ReadMatrix(scored, column, out int rows, out _);
        var p = DataReader.ReadMatrix(scored, projection, out _, out int k);
        double error = 0;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < size; j++) error += Math.Pow(x[i * size + j] - mean[j], 2);
            for (int j = 0; j < k; j++) error -= (double)p[i * k + j] * p[i * k + j];
        }
        return Math.Max(0, error) / ((double)rows * size);
    }

    /// <summary>Locality-sensitive hashing by signs of random projections: bit j of a row is
    /// [w_j · (x - mean) > 0] with w_j ~ N(0, I) and the mean of <paramref name="fit"/>. Codes packed as in <see cref="HammingIndex"/>.</summary>
    public static ulong[][] RandomProjectionCodes(IReadOnlyList<float[]> fit, IReadOnlyList<float[]> rows, int bits, int seed)
    {
        var rand = new Random(seed);
        int d = fit[0].Length;
        var planes = Enumerable.Range(0, bits).Select(_ => Enumerable.Range(0, d)
            .Select(_ => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble())).ToArray()).ToArray();
        return SignCodes(fit, rows, planes);
    }

    /// <summary>Hashing by signs of the top <paramref name="bits"/> principal components of <paramref name="fit"/>.</summary>
    public static ulong[][] SignOfPcaCodes(IReadOnlyList<float[]> fit, IReadOnlyList<float[]> rows, int bits)
        => SignCodes(fit, rows, LinearAlgebra.PrincipalDirections(fit, bits));

    private static ulong[][] SignCodes(IReadOnlyList<float[]> fit, IReadOnlyList<float[]> rows, double[][] directions)
    {
        int d = fit[0].Length;
        var mean = new double[d];
        foreach (var r in fit) for (int f = 0; f < d; f++) mean[f] += r[f] / (double)fit.Count;
        return rows.Select(r =>
        {
            var code = new ulong[(directions.Length + 63) / 64];
            for (int j = 0; j < directions.Length; j++)
            {
                double dot = 0;
                for (int f = 0; f < d; f++) dot += directions[j][f] * (r[f] - mean[f]);
                if (dot > 0) code[j / 64] |= 1UL << (j % 64);
            }
            return code;
        }).ToArray();
    }
}
