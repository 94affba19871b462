using MathNet.Numerics.LinearAlgebra;

namespace Microsoft.ML.Autoencoders;

/// <summary>Linear archetypal analysis (PCHA, Mørup and Hansen 2012) on checked rows: the public baseline
/// (Analysis.Baselines.Pcha, which documents it) and AAnet's anchors both call it.</summary>
internal static class LinearArchetypes
{
    /// <summary>K archetypes of <paramref name="data"/> (rows of one length, finite values, at least K of them).</summary>
    public static float[][] Fit(float[][] data, int archetypes, int seed)
    {
        int d = data[0].Length, n = data.Length;
        // C and S are stochastic, so the fit commutes with a translation; centring makes the sum of squares, to which
        // the step sizes and the stopping rule are relative, the data's spread rather than its distance from 0.
        var mean = Enumerable.Range(0, d).Select(f => data.Average(r => (double)r[f])).ToArray();
        var x = Matrix<double>.Build.Dense(d, n, (f, i) => data[i][f] - mean[f]);
        var rand = new Random(seed);
        var fit = new PchaFit(x, FurthestSum(x, archetypes, rand.Next(n)), rand);
        if (fit.Total > 0) // else all rows are one point, and so is every archetype
        {
            fit.UpdateS(25); // the paper's code settles S for the initial archetypes first
            for (int iteration = 0; iteration < 500; iteration++)
            {
                double before = fit.Error;
                fit.UpdateC(10);
                fit.UpdateS(10);
                if (before - fit.Error < 1e-6 * fit.Error || fit.Error < 1e-4 * fit.Total) break;
            }
        }
        return fit.Archetypes.EnumerateColumns().Select(a => a.Select((v, f) => (float)(v + mean[f])).ToArray()).ToArray();
    }

    /// <summary>FurthestSum (Mørup and Hansen): from column <paramref name="start"/>, repeatedly choose the column with
    /// the largest sum of distances to those chosen; then 10 times drop the oldest choice (the random start first) and
    /// choose again, so that the result hardly depends on the start. Returns k column indices.</summary>
    private static int[] FurthestSum(Matrix<double> x, int k, int start)
    {
        var squaredNorms = x.ColumnNorms(2).PointwisePower(2);
        Vector<double> Distances(int i)
        {
            var dots = x.TransposeThisAndMultiply(x.Column(i));
            return Vector<double>.Build.Dense(x.ColumnCount, j => Math.Sqrt(Math.Max(0, squaredNorms[j] + squaredNorms[i] - 2 * dots[j])));
        }
        var chosen = new List<int> { start };
        var sums = Distances(start);
        int exchanges = k > 1 ? 10 : 0; // with one archetype there is nothing to be far from
        for (int step = 1; step < k + exchanges; step++)
        {
            if (chosen.Count == k)
            {
                sums -= Distances(chosen[0]);
                chosen.RemoveAt(0);
            }
            int next = Enumerable.Range(0, x.ColumnCount).Where(j => !chosen.Contains(j)).MaxBy(j => sums[j]);
            chosen.Add(next);
            sums += Distances(next);
        }
        return chosen.ToArray();
    }

    /// <summary>PCHA's state: the centred data X (D × n), C (n × K) and S (K × n) with columns on the simplex, the
    /// archetypes X C, and the squared error ||X - X C S||_F^2, expanded into products with at most K columns so that
    /// no trial step forms the D × n residual.</summary>
    private sealed class PchaFit
    {
        private readonly Matrix<double> _x;
        private Matrix<double> _c, _s;
        private double _stepC = 1, _stepS = 1;

        public PchaFit(Matrix<double> x, int[] rows, Random rand)
        {
            _x = x;
            Total = Math.Pow(x.FrobeniusNorm(), 2);
            _c = Matrix<double>.Build.Dense(x.ColumnCount, rows.Length, (i, k) => rows[k] == i ? 1 : 0);
            // Dirichlet(1) columns: normalised Exp(1) draws.
            _s = OnSimplex(Matrix<double>.Build.Dense(rows.Length, x.ColumnCount, (_, _) => -Math.Log(1 - rand.NextDouble())));
            Archetypes = x * _c;
            Error = Math.Pow((x - Archetypes * _s).FrobeniusNorm(), 2);
        }

        /// <summary>||X||_F^2 of the centred data.</summary>
        public double Total { get; }

        /// <summary>||X - X C S||_F^2.</summary>
        public double Error { get; private set; }

        /// <summary>X C, one archetype per column.</summary>
        public Matrix<double> Archetypes { get; private set; }

        /// <summary>Steps on S for the current archetypes. The gradient is divided by the mean squared column norm
        /// of X, as in the paper's code, so that step sizes near 1 suit any data scale.</summary>
        public void UpdateS(int steps)
        {
            var xctx = Archetypes.TransposeThisAndMultiply(_x); // (X C)ᵀ X, K × n
            var ctxtxc = Archetypes.TransposeThisAndMultiply(Archetypes); // (X C)ᵀ X C, K × K
            double ErrorOf(Matrix<double> s) => Total - 2 * Inner(xctx, s) + Inner(ctxtxc, s.TransposeAndMultiply(s));
            for (int i = 0; i < steps; i++)
            {
                var gradient = (ctxtxc * _s - xctx) / (Total / _x.ColumnCount);
                (_s, Error, _stepS) = Descend(_s, gradient, Error, _stepS, ErrorOf);
            }
        }

        /// <summary>Steps on C for the current S; the gradient is divided by ||X||_F^2, as in the paper's code.</summary>
        public void UpdateC(int steps)
        {
            var sst = _s.TransposeAndMultiply(_s); // S Sᵀ, K × K
            var xst = _x.TransposeAndMultiply(_s); // X Sᵀ, D × K
            var xtxst = _x.TransposeThisAndMultiply(xst); // Xᵀ X Sᵀ, n × K
            double ErrorOf(Matrix<double> c)
            {
                var xc = _x * c;
                return Total - 2 * Inner(xc, xst) + Inner(xc.TransposeThisAndMultiply(xc), sst);
            }
            for (int i = 0; i < steps; i++)
            {
                var gradient = (_x.TransposeThisAndMultiply(Archetypes * sst) - xtxst) / Total;
                (_c, Error, _stepC) = Descend(_c, gradient, Error, _stepC, ErrorOf);
                Archetypes = _x * _c;
            }
        }

        /// <summary>The paper's projected-gradient step for a matrix with columns on the simplex: the gradient with
        /// respect to the columns before their normalisation (each column's g - (gᵀm) 1), a step of length mu, values
        /// clipped at 0 and columns scaled back to sum 1. mu halves until the error does not rise (up to rounding);
        /// the next step then starts from 1.2 mu. If no step helps, m is stationary and stays.</summary>
        private static (Matrix<double> M, double Error, double Step) Descend(Matrix<double> m, Matrix<double> gradient, double error, double mu, Func<Matrix<double>, double> errorOf)
        {
            var along = gradient.PointwiseMultiply(m).ColumnSums();
            var projected = gradient.MapIndexed((_, j, g) => g - along[j], Zeros.Include);
            for (double step = mu; step > mu * 1e-15; step /= 2)
            {
                var trial = OnSimplex((m - step * projected).PointwiseMaximum(0));
                double trialError = errorOf(trial);
                // A NaN (a column clipped to all zeros, possible only by rounding) fails this test too.
                if (trialError <= error + 1e-9 * Math.Abs(error)) return (trial, trialError, 1.2 * step);
            }
            return (m, error, mu);
        }

        /// <summary>Scales non-negative columns to sum 1 (an all-zero column becomes NaN).</summary>
        private static Matrix<double> OnSimplex(Matrix<double> m)
        {
            var sums = m.ColumnSums();
            return m.MapIndexed((_, j, v) => v / sums[j], Zeros.Include);
        }

        /// <summary>The sum of the elementwise products, tr(aᵀb).</summary>
        private static double Inner(Matrix<double> a, Matrix<double> b) => a.PointwiseMultiply(b).Enumerate().Sum();
    }
}
