using Microsoft.ML.Autoencoders.Networks;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class ConvolutionalAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new ConvolutionalAutoencoderOptions
    {
        ImageHeight = 8, ImageWidth = 8, Filters = new[] { 4, 4 }, Epochs = 2, BatchSize = 64, Seed = seed, Threads = 1,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.ConvolutionalAutoencoder((ConvolutionalAutoencoderOptions)options);

    [TestMethod]
    [DataRow(28, 28, 1, new[] { 16, 8, 8 }, 128)]
    [DataRow(8, 8, 1, new[] { 4, 4 }, 16)]
    [DataRow(7, 5, 2, new[] { 3, 2 }, 8)]
    public void Code_size_follows_from_the_image_size_and_filters(int height, int width, int channels, int[] filters, int expected)
    {
        var options = new ConvolutionalAutoencoderOptions { ImageHeight = height, ImageWidth = width, Channels = channels, Filters = filters };
        Assert.AreEqual(expected, options.CreateVariant().CodeSize(height * width * channels));
        using var network = (ConvolutionalNetwork)options.CreateVariant().CreateNetwork(height * width * channels, new Dictionary<string, float[]>());
        using var scope = NewDisposeScope();
        var x = rand(3, channels * height * width);
        Assert.AreEqual(expected, network.Encode(x).shape[1]);
        CollectionAssert.AreEqual(new long[] { 3, channels * height * width }, network.forward(x).shape);
    }

    [TestMethod]
    [DataRow(28, 28, 1, new[] { 16, 8, 8 }, 3)]
    [DataRow(7, 5, 2, new[] { 3, 2 }, 3)]
    [DataRow(9, 6, 3, new[] { 4, 3, 2 }, 5)]
    public void Onnx_graph_equals_the_torch_forward_pass(int height, int width, int channels, int[] filters, int kernel)
        => NetworkParityTests.AssertTorchAndOnnxAgree(new ConvolutionalAutoencoderOptions
        {
            ImageHeight = height, ImageWidth = width, Channels = channels, Filters = filters, KernelSize = kernel,
            ReconstructionColumnName = "Reconstruction",
        }, height * width * channels);

    // libtorch's CPU convolution left NaN in the padding of its blocked layouts for channel counts like 8 and 1, and the
    // 16-8-8 network on 28x28 images diverged in its first epoch at the default thread count (docs/upstream/).
    [TestMethod]
    [DataRow(null)]
    [DataRow(2)]
    public void Textbook_network_on_28x28_images_trains_at_any_thread_count(int? threads)
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.FashionTrain;
        using var model = ml.Transforms.ConvolutionalAutoencoder(new ConvolutionalAutoencoderOptions
        {
            ImageHeight = 28, ImageWidth = 28, Filters = new[] { 16, 8, 8 }, Loss = ReconstructionLoss.BinaryCrossEntropy,
            OutputActivation = Activation.Sigmoid, BatchSize = 128, Epochs = 4, Seed = 1, Threads = threads,
            ReconstructionErrorColumnName = "Error",
        }).Fit(TestData.ToDataView(ml, x[..2000]));
        Assert.IsTrue(model.TrainingHistory.All(e => double.IsFinite(e.TrainLoss) && double.IsFinite(e.ValidationLoss!.Value)), string.Join("; ", model.TrainingHistory));
        var errors = TestData.Column(model.Transform(TestData.ToDataView(ml, TestData.FashionTest.X[..300])), "Error").Select(r => (double)r[0]).ToArray();
        // Before training the loss is ln 2 = 0.693 a pixel; 4 epochs of 15 steps reach 0.476 at any thread count.
        Assert.IsTrue(errors.Average() < 0.52, $"test BCE {errors.Average():F4}");
    }

    // The zero channels TorchOps adds around oneDNN change nothing: values and gradients equal a float64 convolution
    // (libtorch computes float64 without oneDNN, so the reference has no blocked layout of its own).
    [TestMethod]
    [DataRow(1, 16, 28)]
    [DataRow(16, 1, 28)]
    [DataRow(16, 8, 14)]
    [DataRow(8, 8, 7)]
    [DataRow(3, 5, 9)]
    [DataRow(5, 3, 6)]
    [DataRow(20, 17, 5)]
    public void Channel_padding_changes_no_value_and_no_gradient(int inputs, int outputs, int size)
    {
        using var scope = NewDisposeScope();
        var generator = new TorchSharp.torch.Generator(7);
        var x = rand(new long[] { 32, inputs, size, size }, generator: generator);
        var weight = randn(new long[] { outputs, inputs, 3, 3 }, generator: generator).requires_grad_();
        var bias = randn(new long[] { outputs }, generator: generator).requires_grad_();
        var input = x.clone().requires_grad_();
        var upstream = randn(new long[] { 32, outputs, size, size }, generator: generator);
        var y = Microsoft.ML.Autoencoders.Ops.TorchOps.Instance.Conv2d(input, weight, bias);
        (y * upstream).sum().backward();

        var x64 = x.to_type(ScalarType.Float64).requires_grad_();
        var w64 = weight.detach().to_type(ScalarType.Float64).requires_grad_();
        var b64 = bias.detach().to_type(ScalarType.Float64).requires_grad_();
        var y64 = nn.functional.conv2d(x64, w64, b64, padding: new long[] { 1, 1 });
        (y64 * upstream.to_type(ScalarType.Float64)).sum().backward();

        CollectionAssert.AreEqual(y64.shape, y.shape);
        foreach (var (name, ours, reference) in new[] { ("output", y, y64), ("input gradient", input.grad!, x64.grad!), ("weight gradient", weight.grad!, w64.grad!), ("bias gradient", bias.grad!, b64.grad!) })
        {
            double error = (ours.to_type(ScalarType.Float64) - reference).abs().max().item<double>(), scale = reference.abs().max().item<double>();
            // Garbage or NaN in a padded channel moves a value by its own size; summation order (which differs between CPUs'
            // kernels) by far less than 1e-4 of the largest.
            Assert.IsTrue(error <= 1e-4 * Math.Max(1, scale), $"{name}: largest difference {error:E2} of {scale:E2}");
        }
    }

    [TestMethod]
    public void Bad_image_options_are_named()
    {
        var ml = new MLContext(1);
        void Bad(Action<ConvolutionalAutoencoderOptions> change, string text)
        {
            var options = new ConvolutionalAutoencoderOptions();
            change(options);
            StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.ConvolutionalAutoencoder(options)).Message, text);
        }
        Bad(o => o.Filters = Array.Empty<int>(), "Filters");
        Bad(o => o.Filters = new[] { 8, 0 }, "Filters[1]");
        Bad(o => o.KernelSize = 4, "KernelSize");
        Bad(o => o.KernelSize = 0, "KernelSize");
        Bad(o => o.ImageHeight = 0, "ImageHeight");
        Bad(o => o.Channels = 0, "Channels");
        // Options of the dense base the network has no use for are refused rather than ignored.
        Bad(o => o.CodeSize = 10, "leave CodeSize unset");
        Bad(o => o.HiddenLayers = new[] { 64 }, "leave HiddenLayers empty");
        // The estimator keeps its own copy of Filters: a later change by the caller cannot bypass validation.
        var options = (ConvolutionalAutoencoderOptions)SmallOptions(1);
        var estimator = ml.Transforms.ConvolutionalAutoencoder(options);
        options.Filters[0] = 0;
        using (var model = estimator.Fit(TestData.ToDataView(ml, Rows)))
            Assert.AreEqual(4, ((ConvolutionalAutoencoderOptions)model.Options).Filters[0]);
        // 28 x 28 x 1 = 784 does not match the digits' 64 values.
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.ConvolutionalAutoencoder(new ConvolutionalAutoencoderOptions { Epochs = 1 }).Fit(TestData.ToDataView(ml, Rows)));
        StringAssert.Contains(e.Message, "size 64");
        StringAssert.Contains(e.Message, "784");
    }
}
