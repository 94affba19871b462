using MathNet.Numerics.LinearAlgebra;

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

    [TestMethod]
    public void A_linear_encoder_has_its_weight_matrix_singular_values_everywhere_also_after_reload()
    {
        // z = W x + b: the Jacobian is W at every point, and column i of W is Encode(e_i) - Encode(0) (up to float rounding).
        var ml = new MLContext(1);
        var rand = new Random(2);
        var rows = Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 5).Select(_ => (float)TestData.Gaussian(rand)).ToArray()).ToArray();
        var data = TestData.ToDataView(ml, rows);
        using var model = ml.Transforms.ContractiveAutoencoder(new ContractiveAutoencoderOptions
        {
            CodeSize = 3, CodeActivation = Activation.Identity, Epochs = 2, Seed = 1, Threads = 1,
        }).Fit(data);
        var inputs = new float[6 * 5];
        for (int i = 0; i < 5; i++) inputs[(i + 1) * 5 + i] = 1;
        var codes = new float[6 * 3];
        model.Encode(inputs, codes);
        var weight = Matrix<double>.Build.Dense(3, 5, (j, i) => (double)codes[(i + 1) * 3 + j] - codes[j]);
        var expected = weight.Svd(computeVectors: false).S.ToArray();
        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        using var reloaded = (ContractiveAutoencoderTransformer)AutoencoderTransformer.Load(new MLContext(), path);
        File.Delete(path);
        foreach (var point in new[] { rows[0], rows[1].Select(v => 10 * v).ToArray() })
        {
            var values = model.JacobianSingularValues(point);
            Console.WriteLine($"singular values of W {string.Join(", ", expected.Select(v => v.ToString("F5")))}; at the point {string.Join(", ", values.Select(v => v.ToString("F5")))}");
            Assert.AreEqual(3, values.Length);
            for (int j = 0; j < 3; j++) Assert.AreEqual(expected[j], values[j], 1e-3 * expected[0], $"singular value {j}");
            CollectionAssert.AreEqual(values, reloaded.JacobianSingularValues(point), "same after typed reload");
        }
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.JacobianSingularValues(new float[4])).Message, "4 values; the model takes 5");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.JacobianSingularValues(new[] { 0f, 0f, float.NaN, 0f, 0f })).Message, "value 2 is NaN");
        Assert.ThrowsExactly<ArgumentNullException>(() => model.JacobianSingularValues(null!));
    }

    [TestMethod]
    public void After_contractive_training_fewer_singular_values_exceed_1_than_in_a_plain_autoencoder()
    {
        // A circle of radius 0.3 in R^10: to spread its points over the code, an encoder must stretch the tangent.
        // Measured (50 points, 8 values each): contractive 0 of 400 above 1 (largest 0.48), reconstruction loss 0.0022;
        // plain 50 of 400, one per point, the tangent (largest 1.28), loss 0.0001; the data's variance is 0.009 a
        // feature. Here the tied weights do most of it: tied without the penalty, the largest was 0.49.
        var ml = new MLContext(1);
        var rand = new Random(3);
        var basis = LinearAlgebra.Orthonormalize(Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 10).Select(_ => TestData.Gaussian(rand)).ToArray()).ToArray());
        float[] Point(double t) => Enumerable.Range(0, 10)
            .Select(f => (float)(0.3 * Math.Cos(t) * basis[0][f] + 0.3 * Math.Sin(t) * basis[1][f] + 0.01 * TestData.Gaussian(rand))).ToArray();
        var rows = Enumerable.Range(0, 650).Select(_ => Point(rand.NextDouble() * 2 * Math.PI)).ToArray();
        var train = TestData.ToDataView(ml, rows[..600]);
        (int Above1, double Largest, double Loss) Spectrum(double weight, bool tied)
        {
            using var model = ml.Transforms.ContractiveAutoencoder(new ContractiveAutoencoderOptions
            {
                CodeSize = 8, Epochs = 30, BatchSize = 32, LearningRate = 3e-3, Seed = 1, Threads = 1, EarlyStoppingPatience = 0, ValidationFraction = 0,
                ContractionWeight = weight, TiedWeights = tied,
            }).Fit(train);
            var values = rows[600..].SelectMany(model.JacobianSingularValues).ToArray();
            return (values.Count(v => v > 1), values.Max(), model.TrainingHistory[^1].Terms[Training.TrainingLoss.ReconstructionTerm]);
        }
        // The contractive autoencoder with tied weights and a weight suited to this scale (0.1 reconstructs nothing
        // here); the plain one has the same layers with neither.
        var contractive = Spectrum(1e-3, tied: true);
        var plain = Spectrum(0, tied: false);
        string measured = $"above 1: contractive {contractive.Above1} of 400 (largest {contractive.Largest:F2}, loss {contractive.Loss:F4}), plain {plain.Above1} (largest {plain.Largest:F2}, loss {plain.Loss:F4})";
        Console.WriteLine(measured);
        Assert.IsTrue(contractive.Above1 < 200, "most below 1: " + measured);
        Assert.IsTrue(contractive.Above1 < plain.Above1, "fewer above 1 than plain: " + measured);
        Assert.IsTrue(contractive.Loss < 0.5 * 0.009, "the contractive one still reconstructs: " + measured);
    }
}
