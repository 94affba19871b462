using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Ops;

/// <summary>The operations every forward pass is written in, once. <see cref="TorchOps"/> computes them on tensors
/// (training and the parity check), <see cref="OnnxOps"/> writes them as nodes of an ONNX graph (the fitted model),
/// so the two forms of a network cannot drift apart. <typeparamref name="T"/> is a tensor or a graph value name.
/// Rows are the first dimension; weights are torch tensors in both backends.</summary>
internal interface IOps<T>
{
    /// <summary>x Wᵀ + b with W in torch's [out, in] layout; with <paramref name="transposed"/> false, x W + b.</summary>
    T Linear(T x, Tensor weight, Tensor? bias, bool transposed = true);

    /// <summary>An element-wise activation; <paramref name="leakySlope"/> is the negative slope of a leaky ReLU.</summary>
    T Activate(T x, Activation activation, double leakySlope = TorchOps.LeakySlope);

    /// <summary>A 2-d convolution, stride 1, symmetric zero padding of half the (odd) kernel size.</summary>
    T Conv2d(T x, Tensor weight, Tensor bias);

    /// <summary>2×2 max-pooling, stride 2, odd sizes rounded up.</summary>
    T MaxPool2(T x);

    /// <summary>2× nearest-neighbour upsampling (pixel (r, c) takes (r / 2, c / 2)), cropped to height × width.</summary>
    T Upsample2(T x, int height, int width);

    /// <summary>The values in another shape; -1 stands for the rows.</summary>
    T Reshape(T x, params long[] shape);

    T Add(T a, T b);
    T Sub(T a, T b);
    T Mul(T a, T b);
    T Log(T x);

    /// <summary>scale · x + offset.</summary>
    T Affine(T x, float scale, float offset);

    T Clip(T x, float min, float max);

    /// <summary>Mean over the features of each row: [batch, n] → [batch].</summary>
    T RowMean(T x);

    /// <summary>Largest feature of each row: [batch, n] → [batch].</summary>
    T RowMax(T x);

    /// <summary>Softmax over the features of each row.</summary>
    T Softmax(T x);

    /// <summary>The 0-based index of each row's largest feature (the first on ties), as Single: [batch, n] → [batch].</summary>
    T ArgMax(T x);

    /// <summary>1 where x &gt; threshold, else 0, as Single.</summary>
    T Step(T x, float threshold);

    /// <summary>0/1 values [batch, n ≤ 64] packed into one UInt64 a row (bit j = value j); int64 bits in torch.</summary>
    T PackBits(T bits, int width);
}
