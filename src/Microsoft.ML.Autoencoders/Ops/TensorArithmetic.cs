using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Ops;

/// <summary>Arithmetic on tensors that holds every Scalar it hands to libtorch, written so a formula reads like the
/// paper's: <c>logVariance.Plus(1).Minus(mean.Squared()).Minus(logVariance.exp())</c>. TorchSharp turns a number passed
/// where it takes a Scalar into a temporary Scalar that nothing holds once its handle is passed to libtorch, and its
/// <c>+</c> operator and <c>square()</c> make one of their own (an alpha of 1, an exponent of 2); a garbage collection
/// at that moment frees it while libtorch reads it ("Unknown scalar type", "INTERNAL ASSERT FAILED ... Scalar.h").
/// Training code uses these, never those operators; the test <c>ScalarUseTests</c> reads the source and fails on any
/// other route (docs/conventions.md#numbers-and-tensors).</summary>
internal static class TensorArithmetic
{
    /// <summary>The alpha of every add: one Scalar for the process, never released (libtorch only reads it); an
    /// integer, which libtorch accepts for tensors of every type (a floating-point alpha it refuses for integer ones).</summary>
    public static readonly Scalar One = 1L.ToScalar();

    /// <summary>x + y.</summary>
    public static Tensor Plus(this Tensor x, Tensor y) => x.add(y, One);

    /// <summary>x - y (libtorch's own subtraction makes no Scalar; this is for symmetry with <see cref="Plus(Tensor, Tensor)"/>).</summary>
    public static Tensor Minus(this Tensor x, Tensor y) => x.sub(y);

    /// <summary>x + value.</summary>
    public static Tensor Plus(this Tensor x, double value) => With(value, v => x.add(v, One));

    /// <summary>x - value.</summary>
    public static Tensor Minus(this Tensor x, double value) => x.Plus(-value);

    /// <summary>value - x.</summary>
    public static Tensor From(this Tensor x, double value) => x.neg().Plus(value);

    /// <summary>x × value.</summary>
    public static Tensor Times(this Tensor x, double value) => With(value, v => x.mul(v));

    /// <summary>x / value.</summary>
    public static Tensor Over(this Tensor x, double value) => With(value, v => x.div(v));

    /// <summary>x², element-wise (as x · x: the same value and gradient as <c>square()</c>, without its exponent Scalar).</summary>
    public static Tensor Squared(this Tensor x) => x.mul(x);

    /// <summary>x &gt; value, element-wise.</summary>
    public static Tensor Greater(this Tensor x, double value) => With(value, v => x.gt(v));

    /// <summary>x &gt;= value, element-wise.</summary>
    public static Tensor GreaterOrEqual(this Tensor x, double value) => With(value, v => x.ge(v));

    /// <summary>x &lt; value, element-wise.</summary>
    public static Tensor Less(this Tensor x, double value) => With(value, v => x.lt(v));

    /// <summary>x clamped to [min, max].</summary>
    public static Tensor Clamp(this Tensor x, double min, double max) => With(min, a => With(max, b => x.clamp(a, b)));

    /// <summary>x clamped to [min, ∞).</summary>
    public static Tensor ClampMin(this Tensor x, double min) => With(min, v => x.clamp_min(v));

    /// <summary>A tensor of x's shape, type and device, every value <paramref name="value"/>.</summary>
    public static Tensor FullLike(this Tensor x, double value) => With(value, v => full_like(x, v));

    /// <summary>Leaky ReLU with negative slope <paramref name="slope"/>.</summary>
    public static Tensor LeakyRelu(this Tensor x, double slope) => With(slope, v => x.leaky_relu(v));

    /// <summary><paramref name="operation"/> of a Scalar of <paramref name="value"/> that lives until it returns.</summary>
    public static Tensor With(double value, Func<Scalar, Tensor> operation)
    {
        using var scalar = value.ToScalar();
        return operation(scalar);
    }
}
