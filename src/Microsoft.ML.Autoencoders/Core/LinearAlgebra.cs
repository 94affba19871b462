using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace Microsoft.ML.Autoencoders;

/// <summary>Small dense linear algebra on row arrays (subspaces, principal directions, principal angles); sizes here
/// are feature counts, so plain O(d^3) methods suffice.</summary>
internal static class LinearAlgebra
{
    /// <summary>Gram–Schmidt: orthonormal rows spanning the same space as <paramref name="vectors"/>.</summary>
    public static double[][] Orthonormalize(double[][] vectors)
    {
        var result = new List<double[]>();
        foreach (var v in vectors)
        {
            var u = (double[])v.Clone();
            for (int pass = 0; pass < 2; pass++) // twice, for numerical orthogonality
                foreach (var q in result)
                {
                    double dot = Dot(u, q);
                    for (int i = 0; i < u.Length; i++) u[i] -= dot * q[i];
                }
            double norm = Math.Sqrt(Dot(u, u));
            if (norm > 1e-12) result.Add(u.Select(x => x / norm).ToArray());
        }
        return result.ToArray();
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    /// <summary>The inverse of a square matrix.</summary>
    public static double[,] Inverse(double[,] matrix) => Matrix<double>.Build.DenseOfArray(matrix).Inverse().ToArray();

    /// <summary>Eigenvalues (descending) and unit eigenvectors (as rows) of a symmetric matrix.</summary>
    public static (double[] Values, double[][] Vectors) SymmetricEigen(double[,] matrix)
    {
        var evd = Matrix<double>.Build.DenseOfArray(matrix).Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, matrix.GetLength(0)).OrderByDescending(i => evd.EigenValues[i].Real).ToArray();
        return (order.Select(i => evd.EigenValues[i].Real).ToArray(), order.Select(i => evd.EigenVectors.Column(i).ToArray()).ToArray());
    }

    /// <summary>The top <paramref name="k"/> principal directions (unit rows) of the centred rows.</summary>
    public static double[][] PrincipalDirections(IReadOnlyList<float[]> rows, int k)
    {
        int d = rows[0].Length;
        var mean = new double[d];
        foreach (var r in rows) for (int j = 0; j < d; j++) mean[j] += r[j] / (double)rows.Count;
        var cov = new double[d, d];
        foreach (var r in rows)
            for (int i = 0; i < d; i++)
            {
                double ci = r[i] - mean[i];
                for (int j = 0; j < d; j++) cov[i, j] += ci * (r[j] - mean[j]);
            }
        return SymmetricEigen(cov).Vectors[..k];
    }

    /// <summary>The principal angles, in degrees and ascending, between the spans of two sets of vectors (rows).</summary>
    public static double[] PrincipalAnglesDegrees(double[][] a, double[][] b)
    {
        var qa = Orthonormalize(a);
        var qb = Orthonormalize(b);
        int k = Math.Min(qa.Length, qb.Length);
        // Singular values of Qa Qb^T are the cosines of the principal angles.
        var m = new double[qa.Length, qa.Length];
        for (int i = 0; i < qa.Length; i++)
            for (int j = 0; j < qa.Length; j++)
                m[i, j] = qb.Sum(q => Dot(qa[i], q) * Dot(qa[j], q));
        var cosines = SymmetricEigen(m).Values.Take(k).Select(e => Math.Sqrt(Math.Clamp(e, 0, 1)));
        return cosines.Select(c => Math.Acos(Math.Min(1, c)) * 180 / Math.PI).OrderBy(x => x).ToArray();
    }
}
