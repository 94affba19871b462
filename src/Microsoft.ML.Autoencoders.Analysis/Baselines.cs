using MathNet.Numerics.LinearAlgebra;
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

    /// <summary>Linear archetypal analysis by Mørup and Hansen's principal convex hull analysis (PCHA, Neurocomputing
    /// 2012): with X the D × n matrix whose columns are the rows of <paramref name="data"/>, X ≈ X C S where C (n × K)
    /// and S (K × n) have columns on the simplex, so each archetype (a column of X C) is a convex combination of rows
    /// and each row approximately a convex combination of archetypes. Returns the K archetypes, one per row.</summary>
    /// <remarks>Initialised by FurthestSum from a row drawn with <paramref name="seed"/> (which also draws the initial
    /// S); then alternately 10 projected-gradient steps on C and 10 on S, each with the paper's step-size search. Stops
    /// when an iteration lowers the squared error by less than 10^-6 of itself, when the archetypes explain 99.99% of
    /// the (centred) sum of squares (the paper's code does too: near an exact fit the error keeps halving, so its
    /// relative change would stay large), or after 500 iterations. An iteration costs about 40 products of n × D × K
    /// values: 0.4 s at 10^4 rows of 100 features and K = 6, which converged in 25 iterations.</remarks>
    /// <param name="data">The rows: at least one, all of one length, finite values.</param>
    /// <param name="archetypes">K, from 1 to the number of rows.</param>
    /// <param name="seed">Seeds the initial row and S; the same seed gives the same archetypes.</param>
    public static float[][] Pcha(float[][] data, int archetypes, int seed)
    {
        int d = CheckRows(data, nameof(data)), n = data.Length;
        Check.Option(archetypes >= 1 && archetypes <= n, nameof(archetypes), archetypes, $"from 1 to the number of rows ({n})");
        return LinearArchetypes.Fit(data, archetypes, seed);
    }

    /// <summary>Throws unless <paramref name="rows"/> holds at least one row, all of one length of at least 1, with
    /// finite values; returns that length.</summary>
    internal static int CheckRows(IReadOnlyList<float[]> rows, string parameter)
    {
        ArgumentNullException.ThrowIfNull(rows, parameter);
        if (rows.Count == 0) throw new ArgumentException("The data has no rows; expected at least one.", parameter);
        int d = rows[0]?.Length ?? 0;
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null || rows[i].Length != d || d == 0)
                throw new ArgumentException($"Row {i} has {rows[i]?.Length.ToString() ?? "no"} values and row 0 has {d}; expected rows of one length, at least 1.", parameter);
            if (DataReader.FirstOutside(rows[i], unitInterval: false) is int f and >= 0)
                throw new ArgumentException($"Row {i}, feature {f} is {rows[i][f]}; expected finite values.", parameter);
        }
        return d;
    }

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
