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
}
