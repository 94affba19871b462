using Microsoft.ML.Autoencoders.Ops;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>The reconstruction losses: the training mean and the per-row error column (docs/conventions.md#loss-scale).</summary>
internal static class Losses
{
    // Clamp probabilities so the per-row cross-entropy stays finite; torch's own BCE clamps log at -100 instead.
    private const float Epsilon = 1e-7f;

    /// <summary>Mean over rows and features, for training.</summary>
    public static Tensor Mean(ReconstructionLoss loss, Tensor reconstruction, Tensor target) => loss switch
    {
        ReconstructionLoss.MeanSquaredError => nn.functional.mse_loss(reconstruction, target),
        ReconstructionLoss.BinaryCrossEntropy => CrossEntropy(reconstruction, target, nn.Reduction.Mean),
        _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
    };

    /// <summary>Binary cross-entropy of probabilities against targets in [0, 1]; computed on the logits, fused and
    /// exact, when the probabilities are a sigmoid's output (the usual output layer), else on the probabilities.</summary>
    public static Tensor CrossEntropy(Tensor probabilities, Tensor target, nn.Reduction reduction)
        => TorchOps.LogitsOf(probabilities) is { } logits
            ? nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: reduction)
            : nn.functional.binary_cross_entropy(probabilities, target, reduction: reduction);

    /// <summary>Mean over features, one value a row: the reconstruction-error column.</summary>
    public static T PerRow<T>(IOps<T> ops, ReconstructionLoss loss, T reconstruction, T x)
    {
        if (loss == ReconstructionLoss.MeanSquaredError)
        {
            var d = ops.Sub(reconstruction, x);
            return ops.RowMean(ops.Mul(d, d));
        }
        // -(x log p + (1 - x) log(1 - p)), p clipped away from 0 and 1.
        var p = ops.Clip(reconstruction, Epsilon, 1 - Epsilon);
        var sum = ops.Add(ops.Mul(x, ops.Log(p)), ops.Mul(ops.Affine(x, -1, 1), ops.Log(ops.Affine(p, -1, 1))));
        return ops.Affine(ops.RowMean(sum), -1, 0);
    }
}

/// <summary>A minibatch. <paramref name="Target"/>: the clean rows to reconstruct; <paramref name="Input"/>: what the
/// network sees (a corrupted copy while a denoising variant trains, else <paramref name="Target"/>);
/// <paramref name="Groups"/>: the rows' group ids when the variant reads them; <paramref name="Progress"/>: the training
/// epoch (1-based) of the phase's epochs it belongs to, for schedules such as a KL warm-up (null when it is evaluated).</summary>
internal sealed record Minibatch(Tensor Target, Tensor Input, GroupIds? Groups = null, (int Epoch, int Epochs)? Progress = null);

/// <summary>Each row's group id (0..<paramref name="Count"/>-1) and the reference group.</summary>
internal sealed record GroupIds(Tensor Ids, int Count, int? Reference);

/// <summary>The value a variant minimises and its named terms, which the training history records.</summary>
internal sealed record TrainingLoss(Tensor Total, IReadOnlyDictionary<string, Tensor> Terms)
{
    public const string ReconstructionTerm = "reconstruction";

    /// <summary>A loss with its reconstruction term alone.</summary>
    public static TrainingLoss Reconstruction(Tensor reconstruction) => new(reconstruction, new Dictionary<string, Tensor> { [ReconstructionTerm] = reconstruction });

    /// <summary>This loss plus <paramref name="weight"/> × <paramref name="penalty"/>, recorded as term <paramref name="name"/>.</summary>
    public TrainingLoss Add(string name, double weight, Tensor penalty)
        => new(TensorArithmetic.With(weight, w => Total.add(penalty, w)), new Dictionary<string, Tensor>(Terms) { [name] = penalty });
}
