using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class MetricsTests
{
    [TestMethod]
    public void Roc_auc_matches_counting_pairs()
    {
        var scores = new[] { 0.1, 0.4, 0.35, 0.8, 0.4 };
        var labels = new[] { false, false, true, true, true };
        // Pairs (positive, negative): 0.35>0.1, 0.35<0.4, 0.8>both, 0.4>0.1, 0.4=0.4 (half): (1+0+2+1+0.5)/6.
        Assert.AreEqual(4.5 / 6, Metrics.AreaUnderRocCurve(scores, labels), 1e-12);
        Assert.AreEqual(1, Metrics.AreaUnderRocCurve(new[] { 0.0, 1 }, new[] { false, true }));
        Assert.ThrowsExactly<ArgumentException>(() => Metrics.AreaUnderRocCurve(new[] { 0.0 }, new[] { true }));
    }
}
