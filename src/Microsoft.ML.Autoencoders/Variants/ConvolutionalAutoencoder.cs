using Microsoft.ML.Autoencoders.Networks;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the convolutional autoencoder (METHODS.md section 5). Rows are images stored as vectors of
/// <see cref="Channels"/> × <see cref="ImageHeight"/> × <see cref="ImageWidth"/> values, channel-major (planar, as ML.NET's
/// ExtractPixels writes by default). The encoder is one block per entry of <see cref="Filters"/> (convolution with same
/// padding, activation, 2×2 max-pooling that rounds odd sizes up); the code is the last block's output, flattened.
/// The decoder mirrors it with convolution, activation and 2× nearest upsampling cropped to the encoder's sizes, then a
/// last convolution to <see cref="Channels"/> with <see cref="AutoencoderOptions.OutputActivation"/>.
/// <see cref="AutoencoderOptions.CodeSize"/> and <see cref="AutoencoderOptions.HiddenLayers"/> are not used.</summary>
public sealed class ConvolutionalAutoencoderOptions : AutoencoderOptions
{
    /// <summary>The classic MNIST setting: 28×28×1 images, filters 16-8-8, 3×3 kernels, ReLU, sigmoid output
    /// (a 4×4×8 = 128-value code).</summary>
    public ConvolutionalAutoencoderOptions()
    {
        OutputActivation = Activation.Sigmoid;
    }

    /// <summary>Image height in pixels.</summary>
    public int ImageHeight { get; set; } = 28;

    /// <summary>Image width in pixels.</summary>
    public int ImageWidth { get; set; } = 28;

    /// <summary>Channels per pixel (1 for grey, 3 for RGB).</summary>
    public int Channels { get; set; } = 1;

    /// <summary>Convolution filters of each encoder block, input side first.</summary>
    public int[] Filters { get; set; } = { 16, 8, 8 };

    /// <summary>Side of the square convolution kernels; odd, so same padding is symmetric.</summary>
    public int KernelSize { get; set; } = 3;

    /// <summary>The code's size for these image dimensions.</summary>
    internal int ConvolutionalCodeSize => Filters[^1] * ConvolutionalNetwork.Sizes(ImageHeight, Filters.Length)[^1] * ConvolutionalNetwork.Sizes(ImageWidth, Filters.Length)[^1];

    internal override void Validate()
    {
        Require(ImageHeight >= 1, nameof(ImageHeight), ImageHeight, "at least 1");
        Require(ImageWidth >= 1, nameof(ImageWidth), ImageWidth, "at least 1");
        Require(Channels >= 1, nameof(Channels), Channels, "at least 1");
        if (Filters is null || Filters.Length == 0)
            throw new ArgumentException($"Option {nameof(Filters)} is empty; expected one filter count per encoder block.", nameof(Filters));
        for (int i = 0; i < Filters.Length; i++)
            Require(Filters[i] >= 1, $"{nameof(Filters)}[{i}]", Filters[i], "a filter count of at least 1");
        Require(KernelSize >= 1 && KernelSize % 2 == 1, nameof(KernelSize), KernelSize, "an odd number of at least 1");
        base.Validate();
    }

    internal override AutoencoderVariant CreateVariant() => new ConvolutionalVariant(this);

    private protected override void CloneArrays() => Filters = (int[])Filters.Clone();
}

internal sealed class ConvolutionalVariant(ConvolutionalAutoencoderOptions options) : AutoencoderVariant(options)
{
    public override int TemplateInputSize => options.Channels * options.ImageHeight * options.ImageWidth;

    public override int CodeSize(int inputSize) => options.ConvolutionalCodeSize;

    public override void CheckInputSize(int inputSize, string column)
    {
        if (inputSize != TemplateInputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"Input column '{column}' has vectors of size {inputSize}, but Channels × ImageHeight × ImageWidth = {options.Channels} × {options.ImageHeight} × {options.ImageWidth} = {TemplateInputSize}.");
    }

    public override AutoencoderNetwork CreateNetwork(int inputSize) => new ConvolutionalNetwork(options);
}
