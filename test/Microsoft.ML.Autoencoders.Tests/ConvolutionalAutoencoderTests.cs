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
        using var network = (ConvolutionalNetwork)options.CreateVariant().CreateNetwork(height * width * channels);
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
