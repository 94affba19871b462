using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>Adam (betas 0.9 and 0.999, epsilon 1e-8), the same arithmetic as TorchSharp's, with every Scalar it hands
/// to libtorch held for as long as libtorch uses it. TorchSharp's own step makes temporary Scalars and passes their
/// handles without keeping the objects alive, so a garbage collection at that moment can free one mid-call; CI runs
/// failed twice so, with libtorch's check on a freed Scalar ("toDouble"/"toFloat") inside Adam's step.</summary>
internal sealed class Adam : IDisposable
{
    private const double Beta1 = 0.9, Beta2 = 0.999;
    private readonly Parameter[] _parameters;
    private readonly Tensor[] _mean, _square;
    private readonly double[] _learningRates;
    private readonly Scalar _beta1 = Beta1.ToScalar(), _beta2 = Beta2.ToScalar(), _oneMinusBeta1 = (1 - Beta1).ToScalar(),
        _oneMinusBeta2 = (1 - Beta2).ToScalar(), _epsilon = 1e-8.ToScalar(), _one = 1.0.ToScalar();
    private long _step;

    /// <summary>Adam over <paramref name="parameters"/>, each with its learning rate.</summary>
    public Adam(IEnumerable<(Parameter Parameter, double LearningRate)> parameters)
    {
        var list = parameters.ToArray();
        _parameters = list.Select(p => p.Parameter).ToArray();
        _learningRates = list.Select(p => p.LearningRate).ToArray();
        using var noGrad = no_grad();
        _mean = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _square = _parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad?.zero_();
    }

    public void Step()
    {
        _step++;
        double correction1 = 1 - Math.Pow(Beta1, _step), correction2 = 1 - Math.Pow(Beta2, _step);
        using var root = Math.Sqrt(correction2).ToScalar();
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            using var grad = _parameters[i].grad;
            if (grad is null) continue;
            using var stepSize = (-(_learningRates[i] / correction1)).ToScalar();
            _mean[i].mul_(_beta1).add_(grad, _oneMinusBeta1);
            _square[i].mul_(_beta2).addcmul_(grad, grad, _oneMinusBeta2);
            // add_(Scalar) would make its alpha of 1 as one more temporary Scalar: pass one we hold.
            using var denominator = _square[i].sqrt().div_(root).add_(_epsilon, _one);
            _parameters[i].addcdiv_(_mean[i], denominator, stepSize);
        }
    }

    public void Dispose()
    {
        foreach (var t in _mean.Concat(_square)) t.Dispose();
        foreach (var s in new[] { _beta1, _beta2, _oneMinusBeta1, _oneMinusBeta2, _epsilon, _one }) s.Dispose();
    }
}
