using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>SAUCIE's clusters (docs/methods.md#saucie): each distinct on/off pattern of the clustering layer over the
/// training rows is a cluster when at least MinClusterSize rows share it; clusters are numbered 1.. by size (after
/// merging, by the size of their largest pattern). The
/// learned patterns live in the model state; <see cref="Ids"/> reads them from there after Fit and after Load alike.</summary>
internal static class SaucieClusters
{
    public const string Patterns = "clusterPatterns", PatternIds = "clusterPatternIds", Threshold = "clusterThreshold";
    private const int Chunk = 8192;

    /// <summary>Merging keeps every ⌊n / MergeRows⌋-th row, so 4,000 to 7,999 of them (every row below 8,000):
    /// modularity's neighbour search compares them all, distance merging subsamples its n x n kernel to 2,000-3,999.</summary>
    private const int MergeRows = 4000;
    private const double Epsilon = SauciePenalties.Epsilon;

    /// <summary>Number of clusters (after any merging) in a learned state; 0 without clustering.</summary>
    public static int Count(IReadOnlyDictionary<string, float[]> learned) => (int)learned.GetValueOrDefault(PatternIds, Array.Empty<float>()).DefaultIfEmpty(0).Max();

    /// <summary>Binarises the clustering layer over all rows (a unit is active above 1e-6 of the layer's largest
    /// value), finds the patterns with at least <paramref name="minClusterSize"/> rows, then merges clusters by the
    /// modularity of the embedding's <paramref name="mergeNeighbours"/>-nearest-neighbour graph and by
    /// <paramref name="mergeDistance"/>, each when set.</summary>
    public static Dictionary<string, float[]> Learn(SaucieNetwork network, TrainingData rows, int minClusterSize, int? mergeNeighbours, double? mergeDistance)
    {
        bool merging = mergeNeighbours is not null || mergeDistance is not null;
        using var noGrad = no_grad();
        // In chunks, each in its own scope: the activations of a million rows at once would not fit in memory. The
        // first pass finds the clustering layer's maximum over all rows, the second binarises against it.
        void ForEachChunk(Action<Tensor, Tensor> body)
        {
            foreach (var (start, count) in rows.Chunks(Chunk))
            {
                using var step = NewDisposeScope();
                var (embedding, clustering, _) = network.Run(TorchOps.Instance, rows.Chunk(start, count));
                body(embedding, clustering);
            }
        }
        float max = 0;
        ForEachChunk((_, a) => max = Math.Max(max, a.max().item<float>()));
        float threshold = 1e-6f * Math.Max(max, 1e-12f);
        // Each row's active units as bits packed in 64-bit words, counted as they come: memory holds the distinct
        // patterns, not the rows (11 million cells x 512 units would be 700 MB of bits). A row's pattern is built in one
        // reused array and copied only when new: an array a row (and one a chunk) was 2 GB of garbage over 11 million
        // cells, which the process held until collections (measured: 3.3 GB peak). Merging needs rows of each cluster,
        // so every k-th row is kept with its embedding.
        var counts = new Dictionary<ulong[], (int Count, int First)>(BitWordsComparer.Instance);
        var kept = new List<(ulong[] Pattern, float[] Embedding)>();
        int every = Math.Max(1, rows.Count / MergeRows), row = 0, width = 0;
        var pieces = Array.Empty<float>();
        var pattern = Array.Empty<ulong>();
        ForEachChunk((e, a) =>
        {
            width = (int)a.shape[1];
            var packed = BitPieces(TorchOps.Instance.Step(a, threshold));
            int count = (int)packed.shape[0], perRow = (int)packed.shape[1];
            if (pieces.Length < count * perRow) pieces = new float[count * perRow];
            TorchOps.CopyTo(packed, pieces);
            if (pattern.Length == 0) pattern = new ulong[(width + 63) / 64];
            var embedding = merging ? TorchOps.ToArray(e) : null;
            int dims = (int)e.shape[1];
            for (int r = 0; r < count; r++, row++)
            {
                Array.Clear(pattern);
                for (int p = 0; p < perRow; p++) pattern[p / 4] |= (ulong)pieces[r * perRow + p] << (16 * (p % 4));
                ref var seen = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(counts, pattern);
                if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref seen)) counts.Add((ulong[])pattern.Clone(), (1, row));
                else seen.Count++;
                if (embedding is not null && row % every == 0) kept.Add(((ulong[])pattern.Clone(), embedding.AsSpan(r * dims, dims).ToArray()));
            }
        });
        var clusters = counts.Where(p => p.Value.Count >= minClusterSize)
            .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Value.First).Select(p => p.Key).ToList();
        var ids = Enumerable.Range(1, clusters.Count).Select(i => (float)i).ToArray();
        if (merging && clusters.Count > 1)
        {
            var index = new Dictionary<ulong[], int>(BitWordsComparer.Instance);
            for (int i = 0; i < clusters.Count; i++) index[clusters[i]] = i;
            var rowClusters = kept.Select(k => index.GetValueOrDefault(k.Pattern, -1)).ToArray();
            var embeddings = kept.Select(k => k.Embedding).ToArray();
            if (mergeNeighbours is int neighbours) ids = MergeByModularity(embeddings, rowClusters, clusters.Count, neighbours);
            if (mergeDistance is double limit)
            {
                // Distance merging goes on from the modularity's clusters: each row's cluster is its merged one.
                var merged = rowClusters.Select(c => c < 0 ? -1 : (int)ids[c] - 1).ToArray();
                using var scope = NewDisposeScope();
                var embedding = tensor(embeddings.SelectMany(e => e).ToArray(), new long[] { kept.Count, embeddings[0].Length });
                var further = Merge(embedding, merged, (int)ids.Max(), limit);
                ids = ids.Select(id => further[(int)id - 1]).ToArray();
            }
        }
        return new()
        {
            [Patterns] = clusters.SelectMany(words => Enumerable.Range(0, width).Select(j => (float)((words[j / 64] >> (j % 64)) & 1))).ToArray(),
            [PatternIds] = ids,
            [Threshold] = new[] { threshold },
        };
    }

    /// <summary>Each row's 0/1 values as 16-bit pieces (bit j of piece p is unit 16p + j), summed in float32, exact below
    /// 2^24, in one matmul. Packing 64-bit words in int64 made 16 MB of temporaries a chunk, which at millions of rows
    /// fragmented the native heap: the process grew 1.5 KB a row (measured, 300,000 cells).</summary>
    private static Tensor BitPieces(Tensor bits)
    {
        int width = (int)bits.shape[1], perRow = (width + 15) / 16;
        var padded = width % 16 == 0 ? bits : nn.functional.pad(bits, new long[] { 0, 16 * perRow - width });
        var weights = tensor(Enumerable.Range(0, 16).Select(j => (float)(1 << j)).ToArray(), device: bits.device);
        return padded.reshape(-1, perRow, 16).matmul(weights);
    }

    /// <summary>Each row's cluster id, 0 when its binarised clustering layer matches no learned pattern. A row's
    /// mismatches with pattern p are sum_j |b_j - p_j|, so b · (2p - 1) + 0.5 - |p| is 0.5 for the matching pattern
    /// and negative for every other: a step of it is the matching pattern's one-hot vector, which picks its id.</summary>
    public static T Ids<T>(IOps<T> ops, T clustering, IReadOnlyDictionary<string, float[]> learned)
    {
        var ids = learned[PatternIds];
        var patterns = learned[Patterns];
        int c = ids.Length;
        // Without a cluster every row is unclustered: 0, in the graph's shape.
        if (c == 0) return ops.Affine(ops.RowMax(clustering), 0, 0);
        int width = patterns.Length / c;
        var bits = ops.Step(clustering, learned[Threshold][0]);
        var weight = tensor(patterns.Select(p => 2 * p - 1).ToArray(), new long[] { c, width });
        var bias = tensor(Enumerable.Range(0, c).Select(i => 0.5f - patterns.AsSpan(i * width, width).ToArray().Sum()).ToArray());
        var matched = ops.Step(ops.Linear(bits, weight, bias), 0);
        return ops.Reshape(ops.Linear(matched, tensor(ids, new long[] { 1, c }), null), -1);
    }

    /// <summary>Cluster ids after merging, agglomeratively, the two clusters whose embedded rows are nearest by MMD
    /// while that MMD is below <paramref name="limit"/> (the nearest pair is always mutual nearest); ids stay numbered by
    /// the largest member. The MMD after a merge comes from the kernel sums of the two parts, which add up, so each
    /// round is exact without touching the rows again.</summary>
    public static float[] Merge(Tensor embedding, int[] rowClusters, int clusters, double limit)
    {
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, rowClusters.Length).Where(i => rowClusters[i] >= 0).ToArray();
        // A subsample keeps the n x n kernel small; every 1 in step rows.
        int step = Math.Max(1, rows.Length / 2000);
        rows = rows.Where((_, i) => i % step == 0).ToArray();
        var e = embedding.index_select(0, tensor(rows.Select(r => (long)r).ToArray(), device: embedding.device));
        var scaled = e / e.abs().mean().Plus(Epsilon);
        var d = SauciePenalties.SquaredDistances(scaled);
        var k = SauciePenalties.Kernel(d / d.max().Plus(Epsilon));
        var labels = tensor(rows.Select(r => (long)rowClusters[r]).ToArray(), device: embedding.device);
        // All pairs at once: with M the clusters' masks (clusters x rows), M K M^T holds every kernel sum.
        var masks = nn.functional.one_hot(labels, clusters).t().to_type(ScalarType.Float64);
        var sums = masks.matmul(k.to_type(ScalarType.Float64)).matmul(masks.t()).cpu().data<double>().ToArray();
        var n = masks.sum(1).cpu().data<double>().ToArray();
        double Sum(int a, int b) => sums[a * clusters + b];
        double Mmd(int a, int b) => Sum(a, a) / (n[a] * n[a]) + Sum(b, b) / (n[b] * n[b]) - 2 * Sum(a, b) / (n[a] * n[b]);
        // A cluster stands for itself until merged into a smaller-numbered (larger) one.
        var parent = Enumerable.Range(0, clusters).ToArray();
        var alive = Enumerable.Range(0, clusters).Where(c => n[c] > 0).ToList();
        while (alive.Count > 1)
        {
            var (a, b) = alive.SelectMany(x => alive.Where(y => y > x).Select(y => (x, y))).MinBy(p => Mmd(p.x, p.y));
            if (!(Mmd(a, b) < limit)) break;
            // Fold b into a: the kernel sums of the union are the sums of its parts.
            sums[a * clusters + a] += 2 * Sum(a, b) + Sum(b, b);
            foreach (var c in alive.Where(c => c != a && c != b))
                sums[a * clusters + c] = sums[c * clusters + a] = Sum(a, c) + Sum(b, c);
            n[a] += n[b];
            parent[b] = a;
            alive.Remove(b);
        }
        return Renumber(parent);
    }

    /// <summary>Each cluster's id 1..C after merges, where <paramref name="parent"/> points each merged cluster at
    /// the one it joined (always a smaller index): merged clusters are numbered in the order of their largest pattern.</summary>
    private static float[] Renumber(int[] parent)
    {
        int Root(int c) => parent[c] == c ? c : Root(parent[c]);
        var roots = parent.Select((_, c) => Root(c)).Distinct().Order().ToList();
        return parent.Select((_, c) => (float)(roots.IndexOf(Root(c)) + 1)).ToArray();
    }

    /// <summary>Cluster ids after merging by modularity (Newman 2004), as the aggregation step of Louvain-style
    /// community detection run from SAUCIE's clusters: over the rows given (a subsample), each one's
    /// <paramref name="neighbours"/> nearest others in the embedding (each axis scaled to unit standard deviation, as
    /// the embedding's axes have no common unit) form a graph; the two clusters whose merging raises the graph's
    /// modularity most merge, again and again, while some merge raises it. Parts of a cell type that the binary
    /// patterns split are intermixed in the embedding, densely linked, and merge; clusters side by side, linked only
    /// along their border, stay apart (a blob cut in sectors stays cut: this is no general clustering). Rows of cluster
    /// -1 (unclustered) take no part; clusters without a row stay as they are. docs/methods.md#saucie.</summary>
    public static float[] MergeByModularity(float[][] embedding, int[] rowClusters, int clusters, int neighbours)
    {
        var rows = Enumerable.Range(0, rowClusters.Length).Where(i => rowClusters[i] >= 0).ToArray();
        var parent = Enumerable.Range(0, clusters).ToArray();
        int k = Math.Min(neighbours, rows.Length - 1);
        if (k < 1) return Renumber(parent);
        int dims = embedding[rows[0]].Length;
        var x = new double[rows.Length, dims];
        bool spread = false;
        for (int d = 0; d < dims; d++)
        {
            double mean = rows.Average(r => (double)embedding[r][d]);
            double sd = Math.Sqrt(rows.Average(r => Math.Pow(embedding[r][d] - mean, 2)));
            spread |= sd > 0;
            for (int i = 0; i < rows.Length; i++) x[i, d] = (embedding[rows[i]][d] - mean) / (sd > 0 ? sd : 1);
        }
        // Rows all at one point have no neighbours to tell apart: nothing to merge on.
        if (!spread) return Renumber(parent);
        // Edge weights between clusters: each row's k nearest others, counted once from each end.
        var links = Enumerable.Range(0, clusters).Select(_ => new Dictionary<int, double>()).ToArray();
        var degree = new double[clusters];
        var nearest = new PriorityQueue<int, double>();
        for (int i = 0; i < rows.Length; i++)
        {
            nearest.Clear();
            for (int j = 0; j < rows.Length; j++)
            {
                if (j == i) continue;
                double d2 = 0;
                for (int d = 0; d < dims; d++) d2 += (x[i, d] - x[j, d]) * (x[i, d] - x[j, d]);
                // A max-queue of the k nearest so far (priorities negated); a later row at the same distance as the
                // farthest kept does not replace it.
                if (nearest.Count < k) nearest.Enqueue(j, -d2);
                else if (nearest.TryPeek(out _, out double worst) && d2 < -worst) nearest.EnqueueDequeue(j, -d2);
            }
            int a = rowClusters[rows[i]];
            while (nearest.TryDequeue(out int j, out _))
            {
                int b = rowClusters[rows[j]];
                degree[a]++;
                degree[b]++;
                if (a == b) continue;
                links[a][b] = links[a].GetValueOrDefault(b) + 1;
                links[b][a] = links[b].GetValueOrDefault(a) + 1;
            }
        }
        // Merging a and b changes modularity by 2 (w_ab / m2 - d_a d_b / m2^2), m2 the total degree; only linked
        // clusters can gain.
        double m2 = degree.Sum();
        while (true)
        {
            (int A, int B, double Gain) best = (-1, -1, 0);
            // A merged cluster's links are cleared, so only surviving clusters are scanned.
            for (int a = 0; a < clusters; a++)
                foreach (var (b, w) in links[a])
                {
                    double gain = 2 * (w / m2 - degree[a] * degree[b] / (m2 * m2));
                    if (b > a && gain > best.Gain) best = (a, b, gain);
                }
            if (best.A < 0) break;
            var (into, from) = (best.A, best.B);
            // Fold the higher-numbered (smaller) cluster's links and degree into the other.
            foreach (var (c, w) in links[from])
            {
                links[c].Remove(from);
                if (c == into) continue;
                links[into][c] = links[into].GetValueOrDefault(c) + w;
                links[c][into] = links[c].GetValueOrDefault(into) + w;
            }
            links[from].Clear();
            degree[into] += degree[from];
            parent[from] = into;
        }
        return Renumber(parent);
    }
}
