using TorchSharp;
using static TorchSharp.torch;
using Microsoft.ML.Autoencoders.Ops;

namespace Microsoft.ML.Autoencoders;

/// <summary>SAUCIE's regularisers (docs/methods.md#saucie), on minibatch tensors. Every division is guarded: a minibatch
/// may be constant, all-zero, or lack a batch.</summary>
internal static class SauciePenalties
{
    /// <summary>Keeps every division finite.</summary>
    public const double Epsilon = 1e-9;
    private static readonly double[] Scales = { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 5, 10, 15, 20, 25, 30, 35, 100, 1e3, 1e4, 1e5, 1e6 };

    // exp(-M / (2 s)) = exp(M r) with r = -1 / (2 s): constants, held for the life of the process (see
    // TensorArithmetic on Scalars that are not held).
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
                value.add_(term, TensorArithmetic.One);
                slope.add_(term, rate);
            }
            value.div_(ScaleCount);
            slope.div_(ScaleCount);
        }
        // M - M.detach() is zero with derivative one: the sum has K's value and K's gradient.
        return squaredDistances.requires_grad ? value.Plus(slope * squaredDistances.Minus(squaredDistances.detach())) : value;
    }

    /// <summary>Pairwise squared Euclidean distances, without a square root (whose gradient is infinite at 0).</summary>
    public static Tensor SquaredDistances(Tensor a)
    {
        var norms = a.Squared().sum(1, keepdim: true);
        return norms.Plus(norms.t()).Minus(a.matmul(a.t()).Times(2)).ClampMin(0);
    }

    /// <summary>Omega_c: entropy of the clustering layer's normalised column mass; low when few units carry the activations.</summary>
    public static Tensor InformationDimension(Tensor clustering)
    {
        var scaled = clustering / clustering.max().Plus(Epsilon);
        var p = scaled.sum(new long[] { 0 }) / scaled.sum().Plus(Epsilon);
        return -(p * p.Plus(Epsilon).log()).sum();
    }

    /// <summary>Omega_d: mean over pairs of input distance times clustering-layer similarity (min-max rescaled). The
    /// distances are divided by their minibatch mean (a constant of the step), so the term lies in [0, about 2] whatever
    /// the number of features and the input's units (docs/methods.md#saucie).</summary>
    public static Tensor WithinClusterDistance(Tensor clustering, Tensor x)
    {
        var scaled = clustering / clustering.max().Plus(Epsilon);
        var similarity = Kernel(SquaredDistances(scaled));
        var low = similarity.min();
        similarity = similarity.Minus(low) / similarity.max().Minus(low).Plus(Epsilon);
        var distances = cdist(x, x);
        Tensor unit;
        using (no_grad()) unit = distances.mean().Plus(Epsilon);
        return (distances / unit * similarity).mean();
    }

    /// <summary>Omega_b: sum over non-reference batches of |MMD(reference, batch)| on the embedding, which is divided by
    /// its mean magnitude, with squared distances divided by their maximum; 0 for a batch absent from the minibatch.
    /// All batches at once through the kernel sums between batches, Oᵀ K O (O: rows × batches one-hot), so a step
    /// costs the same few operations for 3 batches or 180 (a loop over batches cost ~10 operations a batch).</summary>
    public static Tensor BatchMmd(Tensor embedding, Tensor batches, int reference, int batchCount)
    {
        var scaled = embedding / embedding.abs().mean().Plus(Epsilon);
        var d = SquaredDistances(scaled);
        var k = Kernel(d / d.max().Plus(Epsilon));
        var members = nn.functional.one_hot(batches, batchCount).to_type(k.dtype);
        var counts = members.sum(new long[] { 0 });
        var sums = members.t().matmul(k).matmul(members);
        // Mean kernel within each batch, and between the reference and each batch.
        var within = sums.diagonal() / counts.Squared().ClampMin(1);
        var between = sums[reference] / (counts * counts[reference]).ClampMin(1);
        var mmd = within.Plus(within[reference]).Minus(between.Times(2));
        var used = WithoutReference((counts.Greater(0) & counts[reference].Greater(0)).to_type(k.dtype), reference);
        return (mmd.abs() * used).sum();
    }

    /// <summary>Squared error on reference rows; for each other batch with at least two rows in the minibatch,
    /// <paramref name="zWeight"/> × squared error between per-feature z-scores (that batch's minibatch statistics) of
    /// the reconstruction and of the input. Vectorised over batches as <see cref="BatchMmd"/> is.</summary>
    public static Tensor BatchReconstruction(Tensor reconstruction, Tensor x, Tensor batches, int reference, int batchCount, double zWeight)
    {
        var members = nn.functional.one_hot(batches, batchCount).to_type(x.dtype);
        var counts = members.sum(new long[] { 0 });
        var rows = counts.ClampMin(1);
        Tensor PerBatch(Tensor perRow) => members.t().matmul(perRow) / rows;
        var errors = PerBatch(reconstruction.Minus(x).Squared().mean(new long[] { 1 }));
        var zErrors = PerBatch(ZScores(reconstruction).Minus(ZScores(x)).Squared().mean(new long[] { 1 }));
        var zUsed = WithoutReference(counts.Greater(1).to_type(x.dtype), reference);
        return errors[reference].Plus((zErrors * zUsed).sum().Times(zWeight));

        // Each row's values as z-scores within its batch: (v - mean_b) / sqrt(var_b + 1e-8).
        Tensor ZScores(Tensor v)
        {
            var mean = members.t().matmul(v) / rows.unsqueeze(1);
            var centred = v.Minus(members.matmul(mean));
            var variance = members.t().matmul(centred.Squared()) / rows.unsqueeze(1);
            return centred / members.matmul(variance.Plus(1e-8).sqrt());
        }
    }

    /// <summary>The per-batch mask with the reference batch's entry set to 0 (it is not compared with itself).</summary>
    private static Tensor WithoutReference(Tensor mask, int reference)
        => TensorArithmetic.With(0, zero => mask.index_fill_(0, tensor(new long[] { reference }, device: mask.device), zero));
}
