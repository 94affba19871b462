using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace Microsoft.ML.Autoencoders.Analysis;

/// <summary>Evaluation measures for what autoencoders are used for: anomaly scores, clusterings, embeddings.</summary>
public static class Metrics
{
    /// <summary>Area under the ROC curve of <paramref name="scores"/> (higher = more likely positive): the probability
    /// that a random positive scores above a random negative, ties counting one half.</summary>
    public static double AreaUnderRocCurve(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        if (scores.Count != positive.Count)
            throw new ArgumentException($"{scores.Count} scores but {positive.Count} labels; expected one label per score.", nameof(positive));
        long positives = positive.Count(p => p), negatives = positive.Count - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException($"The labels have {positives} positives and {negatives} negatives; expected both.", nameof(positive));
        // Mann–Whitney U from mid-ranks.
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]]) end++;
            double midRank = (start + end) / 2.0 + 1;
            for (int i = start; i <= end; i++) if (positive[order[i]]) rankSum += midRank;
            start = end + 1;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Mean over queries of the fraction of the first <paramref name="k"/> retrieved rows whose label equals
    /// the query's (a query with fewer than k results counts the missing ones as misses).</summary>
    public static double PrecisionAtK(IReadOnlyList<IReadOnlyList<int>> retrieved, IReadOnlyList<int> databaseLabels, IReadOnlyList<int> queryLabels, int k)
    {
        Check.Option(k >= 1, nameof(k), k, "at least 1");
        CheckQueries(retrieved, queryLabels);
        return retrieved.Select((rows, q) => rows.Take(k).Count(r => databaseLabels[r] == queryLabels[q]) / (double)k).Average();
    }

    /// <summary>Mean over queries of the average precision of a full ranking of the database: the mean, over the
    /// positions of rows sharing the query's label, of the precision up to that position.</summary>
    public static double MeanAveragePrecision(IReadOnlyList<IReadOnlyList<int>> rankings, IReadOnlyList<int> databaseLabels, IReadOnlyList<int> queryLabels)
    {
        CheckQueries(rankings, queryLabels);
        return rankings.Select((ranking, q) =>
        {
            int hits = 0;
            double sum = 0;
            for (int i = 0; i < ranking.Count; i++)
                if (databaseLabels[ranking[i]] == queryLabels[q]) sum += ++hits / (double)(i + 1);
            return hits == 0 ? 0 : sum / hits;
        }).Average();
    }

    private static void CheckQueries(IReadOnlyList<IReadOnlyList<int>> retrieved, IReadOnlyList<int> queryLabels)
    {
        if (retrieved.Count != queryLabels.Count || retrieved.Count == 0)
            throw new ArgumentException($"{retrieved.Count} result lists and {queryLabels.Count} query labels; expected one label per query and at least one query.", nameof(queryLabels));
    }

    /// <summary>Adjusted Rand index between two labelings of the same rows (1: identical partitions, about 0: chance).</summary>
    public static double AdjustedRandIndex(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var table = Contingency(a, b, out var rows, out var columns);
        static double Pairs(double n) => n * (n - 1) / 2;
        double index = table.Values.Sum(v => Pairs(v)), sumA = rows.Values.Sum(v => Pairs(v)), sumB = columns.Values.Sum(v => Pairs(v));
        double expected = sumA * sumB / Pairs(a.Count), max = (sumA + sumB) / 2;
        return max == expected ? 1 : (index - expected) / (max - expected);
    }

    /// <summary>Normalised mutual information (arithmetic-mean normalisation) between two labelings of the same rows.</summary>
    public static double NormalizedMutualInformation(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var table = Contingency(a, b, out var rows, out var columns);
        double n = a.Count, mi = 0;
        foreach (var ((i, j), count) in table) mi += count / n * Math.Log(count * n / ((double)rows[i] * columns[j]));
        double Entropy(Dictionary<int, int> counts) => -counts.Values.Sum(c => c / n * Math.Log(c / n));
        double ha = Entropy(rows), hb = Entropy(columns);
        return ha + hb == 0 ? 1 : 2 * mi / (ha + hb);
    }

    private static Dictionary<(int, int), int> Contingency(IReadOnlyList<int> a, IReadOnlyList<int> b, out Dictionary<int, int> rows, out Dictionary<int, int> columns)
    {
        if (a.Count != b.Count || a.Count < 2)
            throw new ArgumentException($"The labelings have {a.Count} and {b.Count} rows; expected the same number, at least 2.", nameof(b));
        var table = new Dictionary<(int, int), int>();
        rows = new Dictionary<int, int>();
        columns = new Dictionary<int, int>();
        for (int i = 0; i < a.Count; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rows[a[i]] = rows.GetValueOrDefault(a[i]) + 1;
            columns[b[i]] = columns.GetValueOrDefault(b[i]) + 1;
        }
        return table;
    }

    /// <summary>The pairing of learned with true archetypes that minimises the total squared distance (the Hungarian
    /// algorithm, so any K): element t is the index of the learned archetype paired with true archetype t.</summary>
    /// <param name="learned">K archetypes, e.g. <see cref="ArchetypalAnalysisTransformer.Archetypes"/> or <see cref="Baselines.Pcha"/>'s.</param>
    /// <param name="truth">K archetypes of the same length, finite.</param>
    public static int[] MatchArchetypes(IReadOnlyList<float[]> learned, IReadOnlyList<float[]> truth)
    {
        if (learned.Count != truth.Count || truth.Count == 0)
            throw new ArgumentException($"{learned.Count} learned and {truth.Count} true archetypes; expected the same number, at least 1.", nameof(learned));
        foreach (var (a, name) in learned.Select(a => (a, nameof(learned))).Concat(truth.Select(a => (a, nameof(truth)))))
        {
            if (a.Length != truth[0].Length)
                throw new ArgumentException($"An archetype has {a.Length} values and the first true one {truth[0].Length}; expected one length.", name);
            if (!a.All(float.IsFinite)) throw new ArgumentException("An archetype has a value that is not finite; expected finite values.", name);
        }
        var cost = new double[truth.Count, truth.Count];
        for (int t = 0; t < truth.Count; t++)
            for (int l = 0; l < truth.Count; l++) cost[t, l] = MeanSquaredDifference(learned[l], truth[t]);
        return Assignment(cost);
    }

    /// <summary>The archetype error of the AAnet paper: after <see cref="MatchArchetypes"/>, the squared difference
    /// between each true archetype and its learned one, averaged over archetypes and features.</summary>
    public static double MatchedArchetypeError(IReadOnlyList<float[]> learned, IReadOnlyList<float[]> truth)
        => MatchArchetypes(learned, truth).Select((l, t) => MeanSquaredDifference(learned[l], truth[t])).Average();

    private static double MeanSquaredDifference(float[] a, float[] b) => a.Zip(b).Average(p => (double)(p.First - p.Second) * (p.First - p.Second));

    /// <summary>Minimum-cost perfect assignment of rows to columns of a square cost matrix: the Hungarian algorithm in
    /// its shortest-augmenting-path form with row and column potentials, O(K^3). Element i is row i's column.</summary>
    private static int[] Assignment(double[,] cost)
    {
        int n = cost.GetLength(0);
        // 1-based; column 0 is a virtual column holding the row being inserted. rowOf[j]: the row on column j (0: none).
        var u = new double[n + 1];
        var v = new double[n + 1];
        var rowOf = new int[n + 1];
        var previous = new int[n + 1];
        for (int row = 1; row <= n; row++)
        {
            rowOf[0] = row;
            int column = 0;
            var slack = Enumerable.Repeat(double.PositiveInfinity, n + 1).ToArray();
            var visited = new bool[n + 1];
            do
            {
                // Grow the tree of tight edges from the row on `column` and move to the column nearest to it.
                visited[column] = true;
                int i = rowOf[column], nearest = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (visited[j]) continue;
                    double reduced = cost[i - 1, j - 1] - u[i] - v[j];
                    if (reduced < slack[j]) { slack[j] = reduced; previous[j] = column; }
                    if (slack[j] < delta) { delta = slack[j]; nearest = j; }
                }
                for (int j = 0; j <= n; j++)
                {
                    if (visited[j]) { u[rowOf[j]] += delta; v[j] -= delta; }
                    else slack[j] -= delta;
                }
                column = nearest;
            } while (rowOf[column] != 0);
            // Augment: shift the rows back along the path to the free column reached.
            do
            {
                int back = previous[column];
                rowOf[column] = rowOf[back];
                column = back;
            } while (column != 0);
        }
        var assignment = new int[n];
        for (int j = 1; j <= n; j++) assignment[rowOf[j] - 1] = j - 1;
        return assignment;
    }

    /// <summary>Mean silhouette of the rows' labels in Euclidean space, in [-1, 1]: high when each row is closer to its
    /// own group than to the nearest other group. Rows of single-row groups count 0.</summary>
    public static double Silhouette(IReadOnlyList<float[]> points, IReadOnlyList<int> labels) => SilhouetteValues(points, labels).Average();

    /// <summary>Batch mixing by silhouette (scIB's batch ASW): within each cell type (all rows when
    /// <paramref name="cellTypes"/> is null), the mean of 1 - |silhouette of the batch labels|; 1: batches fully mixed.</summary>
    public static double BatchSilhouette(IReadOnlyList<float[]> points, IReadOnlyList<int> batches, IReadOnlyList<int>? cellTypes = null)
    {
        var groups = Enumerable.Range(0, points.Count).GroupBy(i => cellTypes?[i] ?? 0)
            .Where(g => g.Select(i => batches[i]).Distinct().Count() > 1).ToList();
        if (groups.Count == 0) return 1;
        return groups.Average(g =>
        {
            var rows = g.ToList();
            return SilhouetteValues(rows.Select(i => points[i]).ToList(), rows.Select(i => batches[i]).ToList()).Average(s => 1 - Math.Abs(s));
        });
    }

    private static double[] SilhouetteValues(IReadOnlyList<float[]> points, IReadOnlyList<int> labels)
    {
        if (points.Count != labels.Count) throw new ArgumentException($"{points.Count} points but {labels.Count} labels.", nameof(labels));
        var groups = labels.Distinct().ToArray();
        var sizes = groups.ToDictionary(g => g, g => labels.Count(l => l == g));
        var result = new double[points.Count];
        for (int i = 0; i < points.Count; i++)
        {
            if (sizes[labels[i]] < 2) continue;
            var sums = groups.ToDictionary(g => g, _ => 0.0);
            for (int j = 0; j < points.Count; j++)
                if (j != i) sums[labels[j]] += Distance(points[i], points[j]);
            double a = sums[labels[i]] / (sizes[labels[i]] - 1);
            double b = groups.Where(g => g != labels[i]).Select(g => sums[g] / sizes[g]).DefaultIfEmpty(0).Min();
            result[i] = Math.Max(a, b) == 0 ? 0 : (b - a) / Math.Max(a, b);
        }
        return result;
    }

    /// <summary>Mean inverse Simpson index of the batch labels among each row's <paramref name="k"/> nearest neighbours,
    /// every neighbour weighing 1/k: 1 when neighbourhoods hold one batch, up to the number of batches when mixed. This is
    /// the uniform-weight variant of iLISI (and a mean, not a median, unscaled); <see cref="Ilisi"/> is the one comparable
    /// with scIB's numbers.</summary>
    public static double InverseSimpsonBatchMixing(IReadOnlyList<float[]> points, IReadOnlyList<int> batches, int k = 30)
        => Neighbours(points, k).Select(n =>
        {
            var shares = n.GroupBy(j => batches[j]).Select(g => g.Count() / (double)n.Length);
            return 1 / shares.Sum(p => p * p);
        }).Average();

    /// <summary>Integration LISI (iLISI; Korsunsky et al. 2019, as scIB reports it, Luecken et al. 2022): how many
    /// batches a row's neighbourhood holds, weighting near neighbours more. With <paramref name="scale"/> (the default, as
    /// scIB) 0 = each neighbourhood holds one batch, 1 = all batches in equal shares; otherwise the raw index, from 1 to
    /// the number of batches. See docs/methods.md#metrics.</summary>
    /// <remarks>
    /// <para>For each row: its k = min(3 × <paramref name="perplexity"/> - 1, n - 1) nearest neighbours by Euclidean distance
    /// d (the row itself excluded), weights exp(-β d) normalised to sum 1, with β such that the perplexity
    /// exp(entropy in nats) of the weights is <paramref name="perplexity"/>; then the inverse Simpson index
    /// 1 / Σ_b (weight of the neighbours in batch b)². iLISI is the median over rows; scaled, (median - 1) / (B - 1)
    /// for B batches.</para>
    /// <para>From LISI's compute_simpson (immunogenomics/LISI, also harmonypy): the kernel on plain, not squared,
    /// distances; the search for β (start at 1, double or halve until the target is bracketed, then bisect; stop when
    /// the entropy is within 1e-5 of ln(perplexity) or after 50 steps) and its neighbour count, 3 × perplexity - 1 (it
    /// asks for 3 × perplexity neighbours and drops the row itself), so figures compare with LISI's and harmonypy's
    /// (scIB's graph version takes 3 × perplexity). From scIB's ilisi_graph: the median and the scaling.</para>
    /// <para>Where this differs: scIB takes neighbours and distances from shortest paths on scanpy's 15-neighbour graph
    /// of the embedding or PCA, and LISI from approximate Euclidean neighbours (RANN); this
    /// uses exact Euclidean neighbours, in O(n²) time, so subsample large data. Distances are measured from the nearest
    /// neighbour's: the search takes the same steps to the same weights, which no longer underflow to 0 for far
    /// neighbours (where LISI gives up on the row and reports -1).</para>
    /// </remarks>
    public static double Ilisi(IReadOnlyList<float[]> points, IReadOnlyList<int> batches, double perplexity = 30, bool scale = true)
    {
        int batchCount = CheckBatches(points, batches);
        Check.Option(perplexity >= 1 && double.IsFinite(perplexity), nameof(perplexity), perplexity, "a finite number of at least 1");
        int k = (int)Math.Min(3 * perplexity - 1, points.Count - 1);
        var lisi = Neighbours(points, k).Select((n, i) =>
        {
            var weights = PerplexityWeights(n.Select(j => Distance(points[i], points[j])).ToArray(), perplexity);
            var shares = n.Zip(weights).GroupBy(p => batches[p.First]).Select(g => g.Sum(p => p.Second));
            return 1 / shares.Sum(s => s * s);
        });
        double median = Statistics.Median(lisi);
        return scale ? (median - 1) / (batchCount - 1) : median;
    }

    /// <summary>LISI's Gaussian weights exp(-β d) over one row's neighbour distances, normalised, with β searched as
    /// LISI's compute_simpson does until their perplexity exp(entropy) is <paramref name="perplexity"/>.</summary>
    internal static double[] PerplexityWeights(double[] distances, double perplexity)
    {
        double nearest = distances.Min(), target = Math.Log(perplexity);
        var offsets = distances.Select(d => d - nearest).ToArray();
        double beta = 1, low = double.NegativeInfinity, high = double.PositiveInfinity;
        var weights = GaussianWeights(offsets, beta, out double entropy);
        for (int tries = 0; Math.Abs(entropy - target) > 1e-5 && tries < 50; tries++)
        {
            // Too flat (entropy too high): sharpen, i.e. raise β; too peaked: lower it.
            if (entropy > target) (low, beta) = (beta, double.IsPositiveInfinity(high) ? 2 * beta : (beta + high) / 2);
            else (high, beta) = (beta, double.IsNegativeInfinity(low) ? beta / 2 : (beta + low) / 2);
            weights = GaussianWeights(offsets, beta, out entropy);
        }
        return weights;
    }

    /// <summary>exp(-β d) normalised, and its entropy in nats as LISI's Hbeta computes it: ln Σ w + β Σ d w / Σ w.</summary>
    private static double[] GaussianWeights(double[] distances, double beta, out double entropy)
    {
        var w = distances.Select(d => Math.Exp(-beta * d)).ToArray();
        double sum = w.Sum();
        entropy = Math.Log(sum) + beta * w.Zip(distances).Sum(p => p.First * p.Second) / sum;
        return w.Select(v => v / sum).ToArray();
    }

    /// <summary>kBET acceptance rate (Büttner et al. 2019, as scIB reports it, Luecken et al. 2022): the fraction of
    /// rows whose neighbourhood's batch counts a chi-square test does not tell apart from the batches' overall
    /// frequencies. 1 = well mixed, 0 = every neighbourhood differs. See docs/methods.md#metrics.</summary>
    /// <param name="points">The rows, e.g. an embedding.</param>
    /// <param name="batches">Each row's batch; at least 2 batches.</param>
    /// <param name="k">The neighbourhood size, counting the row as kBET's k0 does: the row and its k - 1 nearest
    /// neighbours (Euclidean), from 2 to the number of rows. Default: scIB's choice, a quarter of the mean batch size
    /// (rounded down) within [10, 70], and at most the number of rows.</param>
    /// <param name="alpha">The test's significance level: a row is rejected when its p-value is below it.</param>
    /// <remarks>
    /// <para>From kBET (theislab/kBET, chi_batch_test): the neighbourhood includes the row; the statistic
    /// Σ_b (count_b - k f_b)² / (k f_b) with f_b the share of batch b among all rows, p = 1 - F(statistic) for the
    /// chi-square distribution with B - 1 degrees of freedom. From scIB: the default k, no adaptation of the
    /// frequencies (scIB passes adapt = FALSE), and 1 - rejection rate as the score.</para>
    /// <para>Where this differs: kBET tests a random 10% of the rows 100 times and averages the rejection rates; this
    /// tests every row once, which is the expected value of that average without its sampling noise, and
    /// deterministic. scIB runs kBET within each cell type and averages (call this per cell type to do the same),
    /// with neighbours from a diffusion on a 50-neighbour graph; this uses exact Euclidean neighbours, in O(n²)
    /// time.</para>
    /// </remarks>
    public static double Kbet(IReadOnlyList<float[]> points, IReadOnlyList<int> batches, int? k = null, double alpha = 0.05)
    {
        int batchCount = CheckBatches(points, batches), n = points.Count;
        int size = k ?? Math.Min(n, Math.Clamp(n / (4 * batchCount), 10, 70));
        Check.Option(size >= 2 && size <= n, nameof(k), size, $"from 2 to the number of rows ({n})");
        Check.Option(alpha > 0 && alpha < 1, nameof(alpha), alpha, "between 0 and 1, exclusive");
        var expected = batches.GroupBy(b => b).ToDictionary(g => g.Key, g => g.Count() * (double)size / n);
        int accepted = Neighbours(points, size - 1).Select((neighbours, i) =>
        {
            var counts = neighbours.Append(i).GroupBy(j => batches[j]).ToDictionary(g => g.Key, g => g.Count());
            double statistic = expected.Sum(e => Math.Pow(counts.GetValueOrDefault(e.Key) - e.Value, 2) / e.Value);
            return 1 - ChiSquared.CDF(batchCount - 1, statistic);
        }).Count(p => p >= alpha);
        return accepted / (double)n;
    }

    /// <summary>The number of batches, after checking there is one batch label per row, at least two batches, and rows
    /// of one width.</summary>
    private static int CheckBatches(IReadOnlyList<float[]> points, IReadOnlyList<int> batches)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(batches);
        if (points.Count != batches.Count)
            throw new ArgumentException($"{points.Count} points but {batches.Count} batch labels; expected one label per point.", nameof(batches));
        // Rows of one width with finite values (a NaN would make the figure NaN, not an error).
        Baselines.CheckRows(points, nameof(points));
        int count = batches.Distinct().Count();
        if (count < 2)
            throw new ArgumentException($"The batch labels name {count} batch(es); expected at least 2 to measure their mixing.", nameof(batches));
        return count;
    }

    /// <summary>Fraction of each row's <paramref name="k"/> nearest neighbours sharing its label, averaged over rows.</summary>
    public static double NeighbourLabelAgreement(IReadOnlyList<float[]> points, IReadOnlyList<int> labels, int k = 15)
        => Neighbours(points, k).Select((n, i) => n.Count(j => labels[j] == labels[i]) / (double)n.Length).Average();

    private static int[][] Neighbours(IReadOnlyList<float[]> points, int k)
    {
        Check.Option(k >= 1 && k < points.Count, nameof(k), k, $"from 1 to the number of rows - 1 ({points.Count - 1})");
        return Enumerable.Range(0, points.Count).Select(i => Enumerable.Range(0, points.Count).Where(j => j != i)
            .OrderBy(j => Distance(points[i], points[j])).Take(k).ToArray()).ToArray();
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(LinearAlgebra.SquaredDistance(a, b));
}
