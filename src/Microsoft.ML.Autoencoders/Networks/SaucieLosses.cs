using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>SAUCIE's regularisers (METHODS.md section 8), on minibatch tensors. Every division is guarded: a minibatch
/// may be constant, all-zero, or lack a batch.</summary>
internal static class SaucieLosses
{
    private const double Epsilon = 1e-9;
    private static readonly double[] Scales = { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 5, 10, 15, 20, 25, 30, 35, 100, 1e3, 1e4, 1e5, 1e6 };

    /// <summary>K(M)_ij = (1/|S|) sum_s exp(-M_ij / (2 s)) over SAUCIE's scales S.</summary>
    public static Tensor Kernel(Tensor squaredDistances)
    {
        Tensor sum = zeros_like(squaredDistances);
        foreach (var s in Scales) sum = sum + (-squaredDistances / (2 * s)).exp();
        return sum / Scales.Length;
    }

    /// <summary>Pairwise squared Euclidean distances, without a square root (whose gradient is infinite at 0).</summary>
    public static Tensor SquaredDistances(Tensor a)
    {
        var norms = a.square().sum(1, keepdim: true);
        return (norms + norms.t() - 2 * a.matmul(a.t())).clamp_min(0);
    }

    /// <summary>Omega_c: entropy of the clustering layer's normalised column mass; low when few units carry the activations.</summary>
    public static Tensor InformationDimension(Tensor clustering)
    {
        var scaled = clustering / (clustering.max() + Epsilon);
        var p = scaled.sum(new long[] { 0 }) / (scaled.sum() + Epsilon);
        return -(p * (p + Epsilon).log()).sum();
    }

    /// <summary>Omega_d: mean over pairs of input distance times clustering-layer similarity (min-max rescaled).</summary>
    public static Tensor WithinClusterDistance(Tensor clustering, Tensor x)
    {
        var scaled = clustering / (clustering.max() + Epsilon);
        var similarity = Kernel(SquaredDistances(scaled));
        var low = similarity.min();
        similarity = (similarity - low) / (similarity.max() - low + Epsilon);
        return (cdist(x, x) * similarity).mean();
    }

    /// <summary>Omega_b: sum over non-reference batches of |MMD(reference, batch)| on the embedding, which is divided by
    /// its mean magnitude, with squared distances divided by their maximum.</summary>
    public static Tensor BatchMmd(Tensor embedding, Tensor batches, int reference, int batchCount)
    {
        var scaled = embedding / (embedding.abs().mean() + Epsilon);
        var d = SquaredDistances(scaled);
        var k = Kernel(d / (d.max() + Epsilon));
        var r = (batches == reference).to_type(k.dtype);
        Tensor total = zeros(1, device: embedding.device).sum();
        for (int b = 0; b < batchCount; b++)
        {
            if (b == reference) continue;
            var m = (batches == b).to_type(k.dtype);
            total = total + Mmd(k, r, m).abs();
        }
        return total;
    }

    /// <summary>MMD between the rows masked by <paramref name="a"/> and <paramref name="b"/> under kernel matrix <paramref name="k"/>;
    /// 0 when either set is empty.</summary>
    public static Tensor Mmd(Tensor k, Tensor a, Tensor b)
    {
        var na = a.sum();
        var nb = b.sum();
        var present = ((na > 0) & (nb > 0)).to_type(k.dtype);
        var aa = a.matmul(k).matmul(a) / (na * na + Epsilon);
        var bb = b.matmul(k).matmul(b) / (nb * nb + Epsilon);
        var ab = a.matmul(k).matmul(b) / (na * nb + Epsilon);
        return present * (aa + bb - 2 * ab);
    }

    /// <summary>Squared error on reference rows; for each other batch, <paramref name="zWeight"/> × squared error
    /// between per-feature z-scores (that batch's minibatch statistics) of the reconstruction and of the input.</summary>
    public static Tensor BatchReconstruction(Tensor reconstruction, Tensor x, Tensor batches, int reference, int batchCount, double zWeight)
    {
        Tensor total = zeros(1, device: x.device).sum();
        for (int b = 0; b < batchCount; b++)
        {
            var index = (batches == b).nonzero().squeeze(1);
            long n = index.shape[0];
            if (n == 0) continue;
            var xb = x.index_select(0, index);
            var rb = reconstruction.index_select(0, index);
            if (b == reference) { total = total + nn.functional.mse_loss(rb, xb); continue; }
            if (n < 2) continue;
            total = total + zWeight * nn.functional.mse_loss(ZScores(rb), ZScores(xb));
        }
        return total;
    }

    private static Tensor ZScores(Tensor v)
    {
        var mean = v.mean(new long[] { 0 }, keepdim: true);
        var std = ((v - mean).square().mean(new long[] { 0 }, keepdim: true) + 1e-8).sqrt();
        return (v - mean) / std;
    }

    /// <summary>Cluster ids after merging clusters whose embedded rows are mutual nearest by MMD and closer than
    /// <paramref name="limit"/> (union of such pairs); ids stay numbered by the largest member.</summary>
    public static float[] MergeClusters(Tensor embedding, int[] rowClusters, int clusters, double limit)
    {
        using var scope = NewDisposeScope();
        var rows = Enumerable.Range(0, rowClusters.Length).Where(i => rowClusters[i] >= 0).ToArray();
        // A subsample keeps the n x n kernel small; every 1 in step rows.
        int step = Math.Max(1, rows.Length / 2000);
        rows = rows.Where((_, i) => i % step == 0).ToArray();
        var e = embedding.index_select(0, tensor(rows.Select(r => (long)r).ToArray(), device: embedding.device));
        var scaled = e / (e.abs().mean() + Epsilon);
        var d = SquaredDistances(scaled);
        var k = Kernel(d / (d.max() + Epsilon));
        var labels = tensor(rows.Select(r => (long)rowClusters[r]).ToArray(), device: embedding.device);
        // All pairs at once: with M the clusters' mean-masks (clusters x rows), M K M^T holds every mean kernel.
        var masks = nn.functional.one_hot(labels, clusters).t().to_type(k.dtype);
        var counts = masks.sum(1, keepdim: true);
        var means = masks / (counts + Epsilon);
        var cross = means.matmul(k).matmul(means.t());
        var self = cross.diagonal();
        var pairs = (self.unsqueeze(1) + self.unsqueeze(0) - 2 * cross).cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        var present = counts.squeeze(1).cpu().data<float>().ToArray();
        var mmd = new double[clusters, clusters];
        for (int a = 0; a < clusters; a++)
            for (int b = 0; b < clusters; b++)
                mmd[a, b] = a == b ? 0 : present[a] > 0 && present[b] > 0 ? pairs[a * clusters + b] : double.PositiveInfinity;
        var nearest = Enumerable.Range(0, clusters).Select(a => Enumerable.Range(0, clusters).Where(b => b != a).MinBy(b => mmd[a, b])).ToArray();
        var parent = Enumerable.Range(0, clusters).ToArray();
        int Find(int c) => parent[c] == c ? c : parent[c] = Find(parent[c]);
        for (int a = 0; a < clusters; a++)
            if (nearest[nearest[a]] == a && mmd[a, nearest[a]] < limit)
            {
                int ra = Find(a), rb = Find(nearest[a]);
                parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
            }
        // Renumber the surviving roots 1..C in order of their (size-ordered) first member.
        var roots = Enumerable.Range(0, clusters).Select(Find).Distinct().Order().ToList();
        return Enumerable.Range(0, clusters).Select(c => (float)(roots.IndexOf(Find(c)) + 1)).ToArray();
    }
}
