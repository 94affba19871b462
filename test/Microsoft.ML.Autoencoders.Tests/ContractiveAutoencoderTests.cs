using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Autoencoders.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class ContractiveAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new ContractiveAutoencoderOptions
    {
        CodeSize = 8, HiddenLayers = new[] { 16 }, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1, ContractionWeight = 1e-3,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.ContractiveAutoencoder((ContractiveAutoencoderOptions)options);

    [TestCategory("Slow")]
    [TestMethod]
    public void The_encoder_Jacobian_is_clearly_smaller_than_a_plain_autoencoders_at_similar_reconstruction()
    {
        // Measured (digits, 64-16 sigmoid code, 60 epochs): plain error 0.0152, ||J||_F^2 5.21; contractive (1e-3, tied):
        // error 0.0156, ||J||_F^2 2.70.
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        var train = TestData.ToDataView(ml, x[..1400]);
        var test = TestData.ToDataView(ml, x[1400..]);
        using var contractive = ml.Transforms.ContractiveAutoencoder(new ContractiveAutoencoderOptions
        {
            CodeSize = 16, Epochs = 60, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1, EarlyStoppingPatience = 0,
            ContractionWeight = 1e-3, ReconstructionErrorColumnName = "Error",
        }).Fit(train);
        using var plain = ml.Transforms.Autoencoder(new AutoencoderOptions
        {
            CodeSize = 16, CodeActivation = Activation.Sigmoid, Epochs = 60, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1,
            EarlyStoppingPatience = 0, ReconstructionErrorColumnName = "Error",
        }).Fit(train);
        double Frobenius(AutoencoderTransformer t) => x[1400..1500].Average(r => t.EncoderJacobian(r).Sum(row => row.Sum(v => v * v)));
        double Error(AutoencoderTransformer t) => TestData.Column(t.Transform(test), "Error").Average(r => r[0]);
        Console.WriteLine($"contractive: error {Error(contractive):F4}, ||J||^2 {Frobenius(contractive):F3}; plain: error {Error(plain):F4}, ||J||^2 {Frobenius(plain):F3}");
        Assert.IsTrue(Error(contractive) < 1.15 * Error(plain));
        Assert.IsTrue(Frobenius(contractive) < 0.7 * Frobenius(plain));
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void Tangent_vectors_follow_a_circle_embedded_in_ten_dimensions_also_after_reload()
    {
        // Measured: over 20 points of the circle the top tangent vector is 2.3 degrees from the true tangent on
        // average, 5.5 at most.
        var ml = new MLContext(1);
        var rand = new Random(3);
        var basis = LinearAlgebra.Orthonormalize(Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, 10).Select(_ => TestData.Gaussian(rand)).ToArray()).ToArray());
        float[] Point(double t, double noise) => Enumerable.Range(0, 10)
            .Select(f => (float)(3 * Math.Cos(t) * basis[0][f] + 3 * Math.Sin(t) * basis[1][f] + noise * TestData.Gaussian(rand))).ToArray();
        var rows = Enumerable.Range(0, 1000).Select(_ => Point(rand.NextDouble() * 2 * Math.PI, 0.05)).ToArray();
        var options = new ContractiveAutoencoderOptions
        {
            CodeSize = 8, Epochs = 150, BatchSize = 64, LearningRate = 1e-2, Seed = 1, Threads = 1, ContractionWeight = 0.1,
            EarlyStoppingPatience = 0, ValidationFraction = 0,
        };
        var data = TestData.ToDataView(ml, rows);
        using var model = ml.Transforms.ContractiveAutoencoder(options).Fit(data);
        var path = Path.GetTempFileName();
        ml.Model.Save(model, data.Schema, path);
        using var reloaded = (ContractiveAutoencoderTransformer)AutoencoderTransformer.Load(new MLContext(), path);
        File.Delete(path);
        var angles = new List<double>();
        for (int i = 0; i < 20; i++)
        {
            double t = i * 2 * Math.PI / 20;
            var tangent = Enumerable.Range(0, 10).Select(f => -Math.Sin(t) * basis[0][f] + Math.Cos(t) * basis[1][f]).ToArray();
            var point = Point(t, 0);
            var v = model.TangentVectors(point, 1)[0];
            CollectionAssert.AreEqual(v, reloaded.TangentVectors(point, 1)[0], "same after typed reload");
            Assert.AreEqual(1, Math.Sqrt(v.Sum(q => q * q)), 1e-4, "unit length");
            angles.Add(LinearAlgebra.PrincipalAnglesDegrees(new[] { v.Select(q => (double)q).ToArray() }, new[] { tangent })[0]);
        }
        Console.WriteLine($"angle to the true tangent: mean {angles.Average():F1}, max {angles.Max():F1} degrees");
        Assert.IsTrue(angles.Max() < 15);
        var three = model.TangentVectors(Point(0, 0), 3);
        Assert.AreEqual(3, three.Length);
        Assert.AreEqual(0, LinearAlgebra.Dot(three[0].Select(q => (double)q).ToArray(), three[1].Select(q => (double)q).ToArray()), 1e-4, "orthogonal");
    }

    [TestMethod]
    public void Autograd_penalty_equals_the_closed_form_for_one_sigmoid_layer()
    {
        random.manual_seed(1);
        var options = new ContractiveAutoencoderOptions { CodeSize = 5, TiedWeights = true };
        using var network = new DenseAutoencoderNetwork(7, options, tied: true);
        using var scope = NewDisposeScope();
        var input = randn(4, 7).requires_grad_(true);
        var z = network.Encode(input);
        double closed = ContractiveVariant.ClosedFormPenalty(network, z).item<float>();
        double auto = ContractiveVariant.AutogradPenalty(z, input).item<float>();
        Assert.AreEqual(closed, auto, 1e-5 * Math.Max(1, closed));
    }

    [TestMethod]
    public void Bad_contractive_options_and_tangent_arguments_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ContractiveAutoencoder(new ContractiveAutoencoderOptions { ContractionWeight = -1 })).Message, "ContractionWeight");
        var options = (ContractiveAutoencoderOptions)SmallOptions(1);
        using var model = ml.Transforms.ContractiveAutoencoder(options).Fit(TestData.ToDataView(ml, Rows));
        var point = Rows[0];
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => model.TangentVectors(point, 0)).Message, "count");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => model.TangentVectors(point, options.CodeSize + 1)).Message, "count");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => model.TangentVectors(new float[3], 1)).Message, "3 values");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => model.TangentVectors(point.Select((v, i) => i == 2 ? float.NaN : v).ToArray(), 1)).Message, "value 2");
    }
}
