namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The contractive encoder's local stretching: the Jacobian's singular values, and the tangent vectors that go with them.</summary>
[TestClass]
public sealed class ContractiveSpectrumTests
{
    [TestMethod]
    public void Singular_values_are_those_of_the_Jacobian_largest_first_and_the_top_tangent_is_stretched_by_the_largest()
    {
        var ml = new MLContext(1);
        using var model = ml.Transforms.ContractiveAutoencoder(new ContractiveAutoencoderOptions { CodeSize = 5, Epochs = 2, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, TestData.Digits.X[..300]));
        var point = TestData.Digits.X[400];
        var values = model.JacobianSingularValues(point);
        Assert.AreEqual(5, values.Length);
        for (int i = 1; i < values.Length; i++) Assert.IsTrue(values[i] <= values[i - 1], "largest first");
        var jacobian = model.EncoderJacobian(point);
        // ||J||_F^2 is the sum of the squared singular values.
        double frobenius = jacobian.Sum(r => r.Sum(v => v * v));
        Assert.AreEqual(frobenius, values.Sum(s => s * s), 1e-9 * Math.Max(1, frobenius));
        // The top tangent vector is the direction the Jacobian stretches most: |J v| is the largest singular value.
        var v = model.TangentVectors(point, 1)[0];
        double stretched = Math.Sqrt(jacobian.Sum(r => Math.Pow(r.Zip(v).Sum(p => p.First * p.Second), 2)));
        Assert.AreEqual(values[0], stretched, 1e-4 * Math.Max(1, values[0]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.TangentVectors(point, 6));
    }
}
