using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;
using Microsoft.ML.Autoencoders.Ops;

namespace Microsoft.ML.Autoencoders;

/// <summary>The sparsity penalty on the code (docs/methods.md#sparse-autoencoder).</summary>
public enum SparsityPenalty
{
    /// <summary>lambda · sum_i |z_i|, batch mean; use a ReLU code so exact zeros appear. The negative log of a Laplace prior.</summary>
    L1,
    /// <summary>beta · sum_j KL(rho || rho_hat_j) with rho_hat_j the batch mean of a sigmoid code unit.</summary>
    KullbackLeibler,
}

/// <summary>Options of the sparse autoencoder: the autoencoder's loss plus a sparsity penalty on the code.</summary>
public sealed class SparseAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new SparseVariant(this);

    /// <summary>Defaults to an L1 penalty on a ReLU code.</summary>
    public SparseAutoencoderOptions() => CodeActivation = Activation.Relu;

    /// <summary>Which penalty; <see cref="SparsityPenalty.KullbackLeibler"/> needs <c>CodeActivation = Sigmoid</c>.</summary>
    public SparsityPenalty Penalty { get; set; } = SparsityPenalty.L1;

    /// <summary>The penalty's weight (lambda for L1, beta for KL), 0 or more, against the per-feature mean reconstruction
    /// loss: a weight w from a paper whose loss is summed over the D features is w / D here (docs/methods.md#sparse-autoencoder).
    /// Unset, it is 1e-3 for L1 (ten times the classic MNIST setting, whose codes grew about ten times larger than
    /// here; set 1e-4 to reproduce it) and 0.01 for KL (Ng's beta = 3, with his loss of half the summed squares, is 6 / D:
    /// 0.0077 at D = 784, 0.094 at D = 64); both measurably sparsify at their default (test).</summary>
    public double SparsityWeight
    {
        get => _sparsityWeight ?? (Penalty == SparsityPenalty.L1 ? 1e-3 : 0.01);
        set => _sparsityWeight = value;
    }

    private double? _sparsityWeight;

    /// <summary>The target mean activation rho of each code unit for the KL penalty, in (0, 1).</summary>
    public double SparsityTarget { get; set; } = 0.05;

    internal override void Validate()
    {
        base.Validate();
        Check.Option(SparsityWeight >= 0 && double.IsFinite(SparsityWeight), nameof(SparsityWeight), SparsityWeight, "a finite number of 0 or more");
        Check.Option(SparsityTarget > 0 && SparsityTarget < 1, nameof(SparsityTarget), SparsityTarget, "in (0, 1)");
        if (Penalty == SparsityPenalty.KullbackLeibler && CodeActivation != Activation.Sigmoid)
            throw new ArgumentException($"{nameof(Penalty)} = {nameof(SparsityPenalty.KullbackLeibler)} compares mean activations in (0, 1), but {nameof(CodeActivation)} is {CodeActivation}; set it to {nameof(Activation.Sigmoid)}.", nameof(CodeActivation));
    }

}

internal sealed class SparseVariant(SparseAutoencoderOptions options) : DenseVariant(options)
{
    public const string SparsityTerm = "sparsity";
    private const double Epsilon = 1e-6;

    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch)
    {
        var z = network.Encode(batch.Input);
        var penalty = options.Penalty == SparsityPenalty.L1
            ? z.abs().sum(1).mean()
            : KullbackLeibler(options.SparsityTarget, z.mean(new long[] { 0 }).Clamp(Epsilon, 1 - Epsilon)).sum();
        return TrainingLoss.Reconstruction(Losses.Mean(options.Loss, network.Decode(z), batch.Target)).Add(SparsityTerm, options.SparsityWeight, penalty);
    }

    /// <summary>KL(rho || q) = rho log(rho / q) + (1 - rho) log((1 - rho) / (1 - q)) between Bernoulli distributions,
    /// element-wise in q.</summary>
    private static Tensor KullbackLeibler(double rho, Tensor q)
        => q.reciprocal().Times(rho).log().Times(rho).Plus(q.From(1).reciprocal().Times(1 - rho).log().Times(1 - rho));
}
