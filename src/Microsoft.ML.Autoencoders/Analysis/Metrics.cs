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
        AutoencoderOptions.Require(k >= 1, nameof(k), k, "at least 1");
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
}
