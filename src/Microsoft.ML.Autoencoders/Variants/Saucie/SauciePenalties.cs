using TorchSharp;
using static TorchSharp.torch;
using static Microsoft.ML.Autoencoders.Ops.TorchOps;

namespace Microsoft.ML.Autoencoders;

/// <summary>SAUCIE's regularisers (docs/methods.md#saucie), on minibatch tensors. Every division is guarded: a minibatch
/// may be constant, all-zero, or lack a batch.</summary>
internal static class SauciePenalties
{
    /// <summary>Keeps every division finite.</summary>
    public const double Epsilon = 1e-9;
    private static readonly double[] Scales = { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 5, 10, 15, 20, 25, 30, 35, 100, 1e3, 1e4, 1e5, 1e6 };

    // exp(-M / (2 s)) = exp(M r) with r = -1 / (2 s): constants, held for the life of the process (see TorchOps.Plus
    // on Scalars that are not held).
    private static readonly Scalar[] Rates = Scales.Select(s => (-1 / (2 * s)).ToScalar()).ToArray();
    private static readonly Scalar ScaleCount = ((double)Scales.Length).ToScalar();

    /// <summary>K(M)_ij = (1/|S|) sum_s exp(-M_ij / (2 s)) over SAUCIE's scales S. The value and its elementwise
    /// derivative dK/dM = (1/|S|) sum_s r_s exp(M r_s) are summed in place without autograd, and the result carries that
    /// derivative through one multiply: the plain sum made 76 operations forward and as many backward, which took more
    /// time than SAUCIE's network (measured: the MMD penalty was 10 ms of a 30 ms step).</summary>
    public static Tensor Kernel(Tensor squaredDistances)
    {
        Tensor value, slope;
        using (no_grad())
        {
            value = zeros_like(squaredDistances);
            slope = zeros_like(squaredDistances);
            using var term = empty_like(squaredDistances);
            foreach (var rate in Rates)
            {
                term.copy_(squaredDistances).mul_(rate).exp_();
                value.add_(term);
                slope.add_(term, rate);
            }
            value.div_(ScaleCount);
            slope.div_(ScaleCount);
        }
        // M - M.detach() is zero with derivative one: the sum has K's value and K's gradient.
        return squaredDistances.requires_grad ? value + slope * (squaredDistances - squaredDistances.detach()) : value;
    }

    /// <summary>Pairwise squared Euclidean distances, without a square root (whose gradient is infinite at 0).</summary>
    public static Tensor SquaredDistances(Tensor a)
    {
        var norms = a.square().sum(1, keepdim: true);
        return ClampMin(norms + norms.t() - Times(a.matmul(a.t()), 2), 0);
    }

    /// <summary>Omega_c: entropy of the clustering layer's normalised column mass; low when few units carry the activations.</summary>
    public static Tensor InformationDimension(Tensor clustering)
    {
        var scaled = clustering / Plus(clustering.max(), Epsilon);
        var p = scaled.sum(new long[] { 0 }) / Plus(scaled.sum(), Epsilon);
        return -(p * Plus(p, Epsilon).log()).sum();
    }

    /// <summary>Omega_d: mean over pairs of input distance times clustering-layer similarity (min-max rescaled). The
    /// distances are divided by their minibatch mean (a constant of the step), so the term lies in [0, about 2] whatever
    /// the number of features and the input's units (docs/methods.md#saucie).</summary>
    public static Tensor WithinClusterDistance(Tensor clustering, Tensor x)
    {
        var scaled = clustering / Plus(clustering.max(), Epsilon);
        var similarity = Kernel(SquaredDistances(scaled));
        var low = similarity.min();
        similarity = (similarity - low) / Plus(similarity.max() - low, Epsilon);
        var distances = cdist(x, x);
        Tensor unit;
        using (no_grad()) unit = Plus(distances.mean(), Epsilon);
        return (distances / unit * similarity).mean();
    }

    /// <summary>Omega_b: sum over non-reference batches of |MMD(reference, batch)| on the embedding, which is divided by
    /// its mean magnitude, with squared distances divided by their maximum.</summary>
    public static Tensor BatchMmd(Tensor embedding, Tensor batches, int reference, int batchCount)
    {
        var scaled = embedding / Plus(embedding.abs().mean(), Epsilon);
        var d = SquaredDistances(scaled);
        var k = Kernel(d / Plus(d.max(), Epsilon));
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
        var present = (Greater(na, 0) & Greater(nb, 0)).to_type(k.dtype);
        var aa = a.matmul(k).matmul(a) / Plus(na * na, Epsilon);
        var bb = b.matmul(k).matmul(b) / Plus(nb * nb, Epsilon);
        var ab = a.matmul(k).matmul(b) / Plus(na * nb, Epsilon);
        return present * (aa + bb - Times(ab, 2));
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
            total = total + Times(nn.functional.mse_loss(ZScores(rb), ZScores(xb)), zWeight);
        }
        return total;
    }

    private static Tensor ZScores(Tensor v)
    {
        var mean = v.mean(new long[] { 0 }, keepdim: true);
        var std = Plus((v - mean).square().mean(new long[] { 0 }, keepdim: true), 1e-8).sqrt();
        return (v - mean) / std;
    }
}
