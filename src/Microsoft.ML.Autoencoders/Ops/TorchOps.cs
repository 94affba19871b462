using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Ops;

/// <summary>The operations computed by torch, on the device of their input.</summary>
internal sealed class TorchOps : IOps<Tensor>
{
    /// <summary>Negative slope of <see cref="Activation.LeakyRelu"/> unless a network sets its own.</summary>
    public const double LeakySlope = 0.01;

    public static readonly TorchOps Instance = new();

    private TorchOps() { }

    public Tensor Linear(Tensor x, Tensor weight, Tensor? bias, bool transposed = true)
    {
        weight = OnDevice(weight, x);
        bias = bias is null ? null : OnDevice(bias, x);
        if (transposed) return nn.functional.linear(x, weight, bias);
        var y = x.matmul(weight);
        return bias is null ? y : y.Plus(bias);
    }

    public Tensor Activate(Tensor x, Activation activation, double leakySlope = LeakySlope) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => nn.functional.relu(x),
        Activation.LeakyRelu => x.LeakyRelu(leakySlope),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => Sigmoid(x),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    // The logits each sigmoid was computed from, for as long as its output lives, so a binary cross-entropy on the
    // output can be computed on the logits instead: libtorch's BCE on probabilities is an unvectorised loop (a
    // 784-32-784 step took 2.4x as long with it, measured) and loses precision near 0 and 1.
    private static readonly ConditionalWeakTable<Tensor, Tensor> SigmoidInputs = new();

    private static Tensor Sigmoid(Tensor x)
    {
        var y = x.sigmoid();
        SigmoidInputs.AddOrUpdate(y, x);
        return y;
    }

    /// <summary>The logits <paramref name="probabilities"/> are the sigmoid of, when this class computed them.</summary>
    public static Tensor? LogitsOf(Tensor probabilities) => SigmoidInputs.TryGetValue(probabilities, out var logits) ? logits : null;

    /// <summary>Channel counts on the CPU are padded with zero channels to a multiple of this (docs/upstream/onednn-padded-channels.md).</summary>
    internal const int ChannelBlock = 16;

    public Tensor Conv2d(Tensor x, Tensor weight, Tensor bias)
    {
        long p = weight.shape[2] / 2;
        var padding = new[] { p, p };
        long outputs = weight.shape[0], inputs = weight.shape[1];
        // libtorch's CPU convolution (oneDNN 3.7) keeps a channel count that is not a multiple of its block (8 or 16) in
        // a blocked layout whose padding it does not always zero; a NaN left there by earlier memory makes gradients NaN
        // (0 x NaN), and the convolutional autoencoder diverged at random, mostly at 2 threads. Zero channels of our own
        // leave it nothing to pad; they change no output and cost no measurable time. An input of 1 to 3 channels (an
        // image, into which no gradient flows) stays: oneDNN reads it in its plain layout.
        long paddedOut = RoundUp(outputs), paddedIn = inputs <= 3 && !x.requires_grad ? inputs : RoundUp(inputs);
        if (x.device_type != DeviceType.CPU || (paddedOut == outputs && paddedIn == inputs))
            return nn.functional.conv2d(x, weight, bias, padding: padding);
        var xs = paddedIn == inputs ? x : nn.functional.pad(x, new long[] { 0, 0, 0, 0, 0, paddedIn - inputs });
        var w = nn.functional.pad(weight, new long[] { 0, 0, 0, 0, 0, paddedIn - inputs, 0, paddedOut - outputs });
        var b = nn.functional.pad(bias, new long[] { 0, paddedOut - outputs });
        var y = nn.functional.conv2d(xs, w, b, padding: padding);
        return paddedOut == outputs ? y : y.narrow(1, 0, outputs);
    }

    private static long RoundUp(long channels) => (channels + ChannelBlock - 1) / ChannelBlock * ChannelBlock;

    public Tensor MaxPool2(Tensor x) => nn.functional.max_pool2d(x, 2, 2, ceil_mode: true);

    public Tensor Upsample2(Tensor x, int height, int width)
        => nn.functional.interpolate(x, scale_factor: new double[] { 2, 2 }, mode: InterpolationMode.Nearest).narrow(2, 0, height).narrow(3, 0, width);

    public Tensor Reshape(Tensor x, params long[] shape)
    {
        var y = x.reshape(shape);
        // A sigmoid's output reshaped (the convolutional decoder flattens its image) keeps its logits, reshaped too.
        if (LogitsOf(x) is { } logits) SigmoidInputs.AddOrUpdate(y, logits.reshape(shape));
        return y;
    }
    public Tensor Add(Tensor a, Tensor b) => a.Plus(b);
    public Tensor Sub(Tensor a, Tensor b) => a.Minus(b);
    public Tensor Mul(Tensor a, Tensor b) => a * b;
    public Tensor Log(Tensor x) => x.log();
    public Tensor Affine(Tensor x, float scale, float offset) => x.Times(scale).Plus(offset);
    public Tensor Clip(Tensor x, float min, float max) => x.Clamp(min, max);
    public Tensor RowMean(Tensor x) => x.mean(new long[] { 1 });
    public Tensor RowMax(Tensor x) => x.amax(new long[] { 1 });
    public Tensor Softmax(Tensor x) => nn.functional.softmax(x, 1);
    public Tensor ArgMax(Tensor x) => x.argmax(1).to_type(ScalarType.Float32);
    public Tensor Step(Tensor x, float threshold) => x.Greater(threshold).to_type(ScalarType.Float32);

    public Tensor PackBits(Tensor bits, int width)
        => (bits.to_type(ScalarType.Int64) * tensor(Powers(width), device: bits.device)).sum(new long[] { 1 });

    /// <summary>2^j for j below <paramref name="width"/>; distinct powers of two never carry, so a sum of them is the
    /// bit pattern (bit 63 as long.MinValue).</summary>
    public static long[] Powers(int width) => Enumerable.Range(0, width).Select(j => unchecked((long)(1UL << j))).ToArray();

    private static Tensor OnDevice(Tensor t, Tensor x) => t.device == x.device ? t : t.to(x.device);

    /// <summary>A tensor of <paramref name="values"/> in libtorch's own (64-byte aligned) memory. TorchSharp's
    /// <c>tensor(float[])</c> keeps a pinned copy of the managed array, whose address, and so alignment, changes from
    /// run to run; a matrix product reading it gave results one ulp apart between two fits with the same seed
    /// (AAnet's anchors, measured). Operands of products in training come from here.</summary>
    public static Tensor Owned(float[] values, long[] shape, Device? device = null)
    {
        using var pinned = tensor(values, shape);
        return pinned.to(device ?? CPU, copy: true);
    }

    /// <summary>A tensor's values on the CPU, row-major.</summary>
    public static float[] ToArray(Tensor t)
    {
        var values = new float[t.numel()];
        CopyTo(t, values);
        return values;
    }

    /// <summary>A float tensor's values, row-major, into <paramref name="destination"/>: a pass over millions of rows
    /// reuses one buffer rather than leaving an array a chunk for the garbage collector.</summary>
    public static void CopyTo(Tensor t, Span<float> destination)
    {
        if (t.dtype != ScalarType.Float32) throw new ArgumentException($"Expected a Float32 tensor; found {t.dtype}.", nameof(t));
        using var cpu = t.detach().cpu().contiguous();
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(cpu.bytes).CopyTo(destination);
    }
}
