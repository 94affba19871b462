namespace Microsoft.ML.Autoencoders.Training;

/// <summary>Each epoch's order of the training rows; consecutive BatchSize positions form a minibatch
/// (docs/architecture.md#minibatches-and-groups). Without groups: a shuffle. With groups: each group's rows spread
/// evenly over the epoch, so every minibatch holds each group about in proportion. With a reference group that some group
/// is too small to meet in proportion (SAUCIE with many samples): reference-anchored minibatches.</summary>
internal static class MinibatchOrder
{
    /// <summary>Rows of a group a minibatch should hold for per-group terms (SAUCIE's z-scores and MMD) to mean
    /// something; below it in proportion, minibatches are anchored on the reference.</summary>
    public const int GroupRows = 16;

    /// <summary>The next epoch's order of <paramref name="rows"/> rows: positions 0..rows-1, each row once (anchored:
    /// each non-reference row once, reference rows as often as the minibatches need). <paramref name="groups"/>: each
    /// row's group and the reference group (null: the groups only stratify), or null. Without groups the
    /// <paramref name="previous"/> order is shuffled again in place (the first epoch's is 0..rows-1), as Fit always did:
    /// the same seed still trains the same models.</summary>
    public static long[] Next(Random random, int rows, RowGroups? groups, int batchSize, long[]? previous = null)
    {
        if (groups is null)
        {
            var order = previous ?? new long[rows];
            if (previous is null) for (int i = 0; i < rows; i++) order[i] = i;
            random.Shuffle(order);
            return order;
        }
        var members = Members(groups.Ids, groups.Names.Length);
        foreach (var m in members) random.Shuffle(m);
        return groups.Reference is int r && NeedsAnchor(members, r, rows, batchSize)
            ? Anchored(random, members, r, batchSize)
            : Proportional(random, members, rows);
    }

    /// <summary>Whether some group would have fewer than <see cref="GroupRows"/> rows in a minibatch in proportion.</summary>
    private static bool NeedsAnchor(int[][] members, int reference, int rows, int batchSize)
        => rows > batchSize && members[reference].Length > 0
           && members.Any(m => m.Length > 0 && (long)m.Length * batchSize < (long)GroupRows * rows);

    /// <summary>Each group's rows (already shuffled) get keys (r + u) / n, spread evenly over [0, 1); the order sorts them.</summary>
    private static long[] Proportional(Random random, int[][] members, int rows)
    {
        var keys = new double[rows];
        var order = new long[rows];
        int at = 0;
        foreach (var m in members)
            for (int r = 0; r < m.Length; r++, at++)
            {
                keys[at] = (r + random.NextDouble()) / m.Length;
                order[at] = m[r];
            }
        Array.Sort(keys, order);
        return order;
    }

    /// <summary>Every minibatch: reference rows (<c>BatchSize - G·k</c>, or all the reference has when fewer) and the
    /// rest from the other groups, taken in runs of <c>k = BatchSize / (G + 1)</c> rows of one group (16 when BatchSize
    /// is a multiple of 16) in a shuffled order of runs, with G = BatchSize / 16 - 1: each minibatch meets the reference
    /// and about G other groups in numbers. An epoch visits every other row once; the reference rows are drawn in
    /// reshuffled passes as often as the steps need.</summary>
    private static long[] Anchored(Random random, int[][] members, int reference, int batchSize)
    {
        int others = Math.Max(1, batchSize / GroupRows - 1);
        int run = Math.Max(1, batchSize / (others + 1));
        var pool = members[reference];
        // A reference smaller than its share fills the rest with other rows, so no minibatch holds a row twice.
        int fromReference = Math.Min(batchSize - others * run, pool.Length), fromOthers = batchSize - fromReference;
        var runs = new List<(int Group, int Start)>();
        for (int g = 0; g < members.Length; g++)
            if (g != reference)
                for (int start = 0; start < members[g].Length; start += run) runs.Add((g, start));
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(runs));
        var stream = new int[members.Where((_, g) => g != reference).Sum(m => m.Length)];
        int at = 0;
        foreach (var (g, start) in runs)
            for (int i = start; i < Math.Min(start + run, members[g].Length); i++) stream[at++] = members[g][i];

        long steps = (stream.Length + fromOthers - 1) / fromOthers;
        var order = new long[checked(stream.Length + steps * fromReference)];
        int next = 0, written = 0;
        for (long s = 0; s < steps; s++)
        {
            // A new pass over the reference starts with a step, so no minibatch holds a reference row twice.
            if (next + fromReference > pool.Length) { random.Shuffle(pool); next = 0; }
            for (int i = 0; i < fromReference; i++) order[written++] = pool[next++];
            long from = s * fromOthers;
            int take = (int)Math.Min(fromOthers, stream.Length - from);
            for (int i = 0; i < take; i++) order[written++] = stream[from + i];
        }
        return order;
    }

    /// <summary>The rows of each group, in row order.</summary>
    private static int[][] Members(int[] groups, int count)
    {
        var sizes = new int[count];
        foreach (var g in groups) sizes[g]++;
        var members = sizes.Select(n => new int[n]).ToArray();
        var filled = new int[count];
        for (int i = 0; i < groups.Length; i++) members[groups[i]][filled[groups[i]]++] = i;
        return members;
    }
}
