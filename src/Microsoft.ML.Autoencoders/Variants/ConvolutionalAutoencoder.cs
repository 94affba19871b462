using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Training;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the convolutional autoencoder (docs/methods.md#convolutional-autoencoder). Rows are images stored as vectors of
/// <see cref="Channels"/> × <see cref="ImageHeight"/> × <see cref="ImageWidth"/> values, channel-major (planar, as ML.NET's
/// ExtractPixels writes by default). The encoder is one block per entry of <see cref="Filters"/> (convolution with same
/// padding, activation, 2×2 max-pooling that rounds odd sizes up); the code is the last block's output, flattened.
/// The decoder mirrors it with convolution, activation and 2× nearest upsampling cropped to the encoder's sizes, then a
/// last convolution to <see cref="Channels"/> with <see cref="AutoencoderOptions.OutputActivation"/>.
/// <see cref="AutoencoderOptions.CodeSize"/> and <see cref="AutoencoderOptions.HiddenLayers"/> are not used.</summary>
public sealed class ConvolutionalAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new ConvolutionalVariant(this);

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

    internal override void Validate()
    {
        Check.Option(ImageHeight is >= 1 and <= MaxWidth, nameof(ImageHeight), ImageHeight, $"from 1 to {MaxWidth}");
        Check.Option(ImageWidth is >= 1 and <= MaxWidth, nameof(ImageWidth), ImageWidth, $"from 1 to {MaxWidth}");
        Check.Option(Channels is >= 1 and <= MaxWidth, nameof(Channels), Channels, $"from 1 to {MaxWidth}");
        if (Filters is null || Filters.Length == 0)
            throw new ArgumentException($"Option {nameof(Filters)} is empty; expected one filter count per encoder block.", nameof(Filters));
        for (int i = 0; i < Filters.Length; i++)
            Check.Option(Filters[i] is >= 1 and <= MaxWidth, $"{nameof(Filters)}[{i}]", Filters[i], $"a filter count from 1 to {MaxWidth}");
        // Options of the dense base that this network has no use for: a value set there would be ignored silently.
        if (CodeSize != DefaultCodeSize)
            throw new ArgumentException($"Option {nameof(CodeSize)} is {CodeSize}, but the convolutional autoencoder's code is its last filter count times the pooled image ({nameof(Filters)}, {nameof(ImageHeight)}, {nameof(ImageWidth)}); leave {nameof(CodeSize)} unset.", nameof(CodeSize));
        if (HiddenLayers is { Length: > 0 })
            throw new ArgumentException($"Option {nameof(HiddenLayers)} has {HiddenLayers.Length} layer(s), but the convolutional autoencoder's layers are its {nameof(Filters)}; leave {nameof(HiddenLayers)} empty.", nameof(HiddenLayers));
        Check.Option(KernelSize is >= 1 and <= 63 && KernelSize % 2 == 1, nameof(KernelSize), KernelSize, "an odd number from 1 to 63");
        base.Validate();
    }


    private protected override void CloneArrays() => Filters = (int[])Filters.Clone();
}

internal sealed class ConvolutionalVariant(ConvolutionalAutoencoderOptions options) : AutoencoderVariant<ConvolutionalNetwork>(options)
{
    private int InputSize => options.Channels * options.ImageHeight * options.ImageWidth;

    public override void CheckInputSize(int inputSize, string column)
    {
        if (inputSize != InputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"Input column '{column}' has vectors of size {inputSize}, but Channels × ImageHeight × ImageWidth = {options.Channels} × {options.ImageHeight} × {options.ImageWidth} = {InputSize}.");
    }

    public override ConvolutionalNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays)
        => new(options.Channels, options.ImageHeight, options.ImageWidth, options.Filters, options.KernelSize, options.Activation, options.OutputActivation);

    protected override TrainingLoss Objective(ConvolutionalNetwork network, Minibatch batch)
        => TrainingLoss.Reconstruction(Losses.Mean(options.Loss, network.forward(batch.Input), batch.Target));

    /// <summary>The code is the last block's output, flattened.</summary>
    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = base.OutputColumns(inputSize, learned).ToList();
        columns[0] = columns[0] with { Width = ConvolutionalNetwork.CodeSize(options.ImageHeight, options.ImageWidth, options.Filters) };
        return columns;
    }
}
