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

    /// <summary>The squared Euclidean distance of two rows, summed in double.</summary>
    public static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)(a[i] - b[i]) * (a[i] - b[i]);
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

    /// <summary>The top <paramref name="k"/> principal directions (unit rows) of the centred rows: eigenvectors of the
    /// d × d scatter matrix, so the cost does not grow with the square of the row count.</summary>
    public static double[][] PrincipalDirections(IReadOnlyList<float[]> rows, int k)
    {
        var x = Matrix<double>.Build.DenseOfRowArrays(rows.Select(r => r.Select(v => (double)v).ToArray()));
        var centred = x - Matrix<double>.Build.DenseOfRowVectors(Enumerable.Repeat(x.ColumnSums() / x.RowCount, x.RowCount));
        return SymmetricEigen(centred.TransposeThisAndMultiply(centred).ToArray()).Vectors.Take(k).ToArray();
    }

    /// <summary>The principal angles, in degrees and ascending, between the spans of two sets of vectors (rows): the
    /// arc cosines of the singular values of Qa Qbᵀ.</summary>
    public static double[] PrincipalAnglesDegrees(double[][] a, double[][] b)
    {
        var product = Matrix<double>.Build.DenseOfRowArrays(Orthonormalize(a)) * Matrix<double>.Build.DenseOfRowArrays(Orthonormalize(b)).Transpose();
        return product.Svd(computeVectors: false).S.Select(c => Math.Acos(Math.Min(1, c)) * 180 / Math.PI).OrderBy(x => x).ToArray();
    }
}
