using Microsoft.ML.Autoencoders.Ops;
using MathNet.Numerics.LinearAlgebra;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the contractive autoencoder: reconstruction loss plus lambda · ||J_f(x)||_F^2, the squared
/// Frobenius norm of the encoder's Jacobian (docs/methods.md#contractive-autoencoder).</summary>
public sealed class ContractiveAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new ContractiveVariant(this);

    /// <summary>The classic contractive autoencoder: a sigmoid code with tied weights.</summary>
    public ContractiveAutoencoderOptions() => CodeActivation = Activation.Sigmoid;

    /// <summary>lambda, the weight of the Jacobian penalty; 0 or more. The reconstruction loss here is a per-feature
    /// mean, so lambda here is lambda · D in Rifai et al.'s units (summed loss): 0.1 is about 78 at D = 784, and a
    /// paper's weight is divided by D (docs/methods.md#contractive-autoencoder). The default measurably contracts (test).</summary>
    public double ContractionWeight { get; set; } = 0.1;

    /// <summary>Decoder weights are the transposed encoder weights.</summary>
    public bool TiedWeights { get; set; } = true;

    internal override void Validate()
    {
        base.Validate();
        Check.Option(ContractionWeight >= 0 && double.IsFinite(ContractionWeight), nameof(ContractionWeight), ContractionWeight, "a finite number of 0 or more");
    }

}

internal sealed class ContractiveVariant(ContractiveAutoencoderOptions options) : DenseVariant(options)
{
    public const string ContractionTerm = "contraction";

    /// <summary>One sigmoid layer has a closed form; anything deeper goes through autograd.</summary>
    private bool ClosedForm => options.HiddenLayers.Length == 0 && options.CodeActivation == Activation.Sigmoid;

    public override DenseAutoencoderNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays) => new(inputSize, options, tied: options.TiedWeights);

    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch)
    {
        bool needGraph = !ClosedForm && options.ContractionWeight > 0;
        // The penalty differentiates the code with respect to the input, also when validation runs under no_grad.
        using var gradients = needGraph ? enable_grad() : null;
        var input = needGraph ? batch.Input.detach().requires_grad_(true) : batch.Input;
        var z = network.Encode(input);
        var jacobian = ClosedForm ? ClosedFormPenalty(network, z) : needGraph ? AutogradPenalty(z, input) : zeros(1, device: z.device).sum();
        return TrainingLoss.Reconstruction(Losses.Mean(options.Loss, network.Decode(z), batch.Target)).Add(ContractionTerm, options.ContractionWeight, jacobian);
    }

    /// <summary>The one sigmoid layer's penalty in closed form (<see cref="LayerPenalty"/>).</summary>
    internal static Tensor ClosedFormPenalty(DenseAutoencoderNetwork network, Tensor z) => LayerPenalty(network.Encoder.Layers.Single(), z, Activation.Sigmoid);

    /// <summary>||J||_F^2 of one dense layer z = a(Wx + b), batch mean: J = diag(a') W, so ||J||_F^2 = sum_j a'_j^2 ·
    /// sum_i W_ji^2, with the derivative a' read off the output z (sigmoid z(1 - z), tanh 1 - z^2, ReLU [z &gt; 0]).</summary>
    internal static Tensor LayerPenalty(TorchSharp.Modules.Linear layer, Tensor z, Activation activation)
    {
        var rowNorms = layer.weight!.Squared().sum(1);
        var slope = activation switch
        {
            Activation.Sigmoid => z.Minus(z.Squared()),
            Activation.Tanh => z.Squared().From(1),
            Activation.Relu => z.Greater(0).to_type(z.dtype),
            Activation.LeakyRelu => where(z.Greater(0), ones_like(z), ones_like(z).Times(Ops.TorchOps.LeakySlope)),
            _ => ones_like(z),
        };
        return slope.Squared().matmul(rowNorms).mean();
    }

    /// <summary>sum_j ||dz_j/dx||^2 by one backward pass per code unit, batch mean (rows are independent, so the
    /// gradient of the batch sum of z_j is each row's own Jacobian row).</summary>
    internal static Tensor AutogradPenalty(Tensor z, Tensor input)
    {
        Tensor total = zeros(input.shape[0], device: input.device);
        for (long j = 0; j < z.shape[1]; j++)
        {
            var grad = autograd.grad(new[] { z[.., j].sum() }, new[] { input }, retain_graph: true, create_graph: true)[0];
            total = total.Plus(grad.Squared().sum(1));
        }
        return total.mean();
    }

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new ContractiveAutoencoderTransformer(catalog, state);
}

/// <summary>A fitted contractive autoencoder; adds the local tangent directions of the data manifold.</summary>
public sealed class ContractiveAutoencoderTransformer : AutoencoderTransformer
{
    internal ContractiveAutoencoderTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state) { }

    /// <summary>The singular values of the encoder's Jacobian at <paramref name="point"/>, largest first: how much the
    /// code stretches (above 1) or contracts (below 1) each input direction there.</summary>
    /// <remarks>J is <see cref="AutoencoderTransformer.EncoderJacobian"/>: central differences through the saved ONNX
    /// graph, since the transformer keeps no torch network once Fit returns; so the values are the same after Fit and
    /// after Load. The SVD is MathNet's, in double precision.</remarks>
    /// <param name="point">A row of <see cref="AutoencoderTransformer.InputSize"/> finite values.</param>
    public double[] JacobianSingularValues(float[] point)
        => Matrix<double>.Build.DenseOfRowArrays(EncoderJacobian(point)).Svd(computeVectors: false).S.ToArray();

    /// <summary>Unit vectors in input space along which the code changes most at <paramref name="point"/>: the right
    /// singular vectors of the encoder Jacobian with the largest singular values, largest first. Where the encoder
    /// contracts everywhere but along the data, these are the manifold's tangent directions.</summary>
    /// <param name="point">A row of <see cref="AutoencoderTransformer.InputSize"/> finite values.</param>
    /// <param name="count">How many directions, from 1 to <see cref="AutoencoderTransformer.CodeSize"/>.</param>
    public float[][] TangentVectors(float[] point, int count)
    {
        Check.Option(count >= 1 && count <= Math.Min(CodeSize, InputSize), nameof(count), count, $"from 1 to the code size ({CodeSize}) and the input size ({InputSize})");
        // The rows of Vᵀ in J = U Σ Vᵀ, largest singular value first; orthonormal also where a singular value is 0.
        var svd = Matrix<double>.Build.DenseOfRowArrays(EncoderJacobian(point)).Svd(computeVectors: true);
        return svd.VT.EnumerateRows().Take(count).Select(v => v.Select(x => (float)x).ToArray()).ToArray();
    }
}
