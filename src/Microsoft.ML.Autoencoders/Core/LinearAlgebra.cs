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

    /// <summary>The inverse of a square matrix, by Gauss–Jordan elimination with partial pivoting.</summary>
    public static double[,] Inverse(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var inv = new double[n, n];
        for (int i = 0; i < n; i++) inv[i, i] = 1;
        for (int c = 0; c < n; c++)
        {
            int pivot = Enumerable.Range(c, n - c).MaxBy(r => Math.Abs(a[r, c]));
            if (Math.Abs(a[pivot, c]) < 1e-12) throw new ArgumentException("The matrix is singular.", nameof(matrix));
            for (int k = 0; k < n; k++)
            {
                (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (inv[c, k], inv[pivot, k]) = (inv[pivot, k], inv[c, k]);
            }
            double p = a[c, c];
            for (int k = 0; k < n; k++) { a[c, k] /= p; inv[c, k] /= p; }
            for (int r = 0; r < n; r++)
            {
                if (r == c || a[r, c] == 0) continue;
                double f = a[r, c];
                for (int k = 0; k < n; k++) { a[r, k] -= f * a[c, k]; inv[r, k] -= f * inv[c, k]; }
            }
        }
        return inv;
    }

    /// <summary>Eigenvalues (descending) and unit eigenvectors (as rows) of a symmetric matrix, by cyclic Jacobi rotations.</summary>
    public static (double[] Values, double[][] Vectors) SymmetricEigen(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-22) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ToArray();
        return (order.Select(i => a[i, i]).ToArray(), order.Select(i => Enumerable.Range(0, n).Select(k => v[k, i]).ToArray()).ToArray());
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
