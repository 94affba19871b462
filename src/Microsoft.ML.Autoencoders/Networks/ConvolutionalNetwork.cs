using Microsoft.ML.Autoencoders.Ops;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Networks;

/// <summary>Convolution + max-pool encoder, convolution + upsampling decoder, on flat channel-major image rows.</summary>
internal sealed class ConvolutionalNetwork : AutoencoderNetwork
{
    private readonly ModuleList<Conv2d> _encoder = new();
    private readonly ModuleList<Conv2d> _decoder = new();
    private readonly Conv2d _output;
    private readonly int _channels, _kernel;
    private readonly int[] _filters, _heights, _widths;
    private readonly Activation _activation, _outputActivation;

    /// <summary>Spatial size before each pooling and after the last: size, ceil(size/2), ...</summary>
    public static int[] Sizes(int size, int blocks)
    {
        var sizes = new int[blocks + 1];
        sizes[0] = size;
        for (int i = 1; i <= blocks; i++) sizes[i] = (sizes[i - 1] + 1) / 2;
        return sizes;
    }

    /// <summary>The code's width for images of these dimensions.</summary>
    public static int CodeSize(int height, int width, int[] filters) => filters[^1] * Sizes(height, filters.Length)[^1] * Sizes(width, filters.Length)[^1];

    public ConvolutionalNetwork(int channels, int height, int width, int[] filters, int kernelSize, Activation activation, Activation outputActivation)
        : base(nameof(ConvolutionalNetwork))
    {
        (_channels, _kernel, _filters, _activation, _outputActivation) = (channels, kernelSize, filters, activation, outputActivation);
        _heights = Sizes(height, filters.Length);
        _widths = Sizes(width, filters.Length);
        for (int i = 0; i < filters.Length; i++)
            _encoder.Add(Conv(i == 0 ? channels : filters[i - 1], filters[i]));
        // Decoder block i works at the size of encoder level n - i and mirrors the filters.
        for (int i = 0; i < filters.Length; i++)
            _decoder.Add(Conv(i == 0 ? filters[^1] : filters[^i], filters[^(i + 1)]));
        _output = Conv(filters[0], channels);
        RegisterComponents();
    }

    private Conv2d Conv(int input, int output) => nn.Conv2d(input, output, _kernel, padding: _kernel / 2);

    public override T Encode<T>(IOps<T> ops, T x)
    {
        x = ops.Reshape(x, -1, _channels, _heights[0], _widths[0]);
        foreach (var conv in _encoder)
            x = ops.MaxPool2(ops.Activate(ops.Conv2d(x, conv.weight!, conv.bias!), _activation));
        return ops.Reshape(x, -1, _filters[^1] * _heights[^1] * _widths[^1]);
    }

    public override T Decode<T>(IOps<T> ops, T z)
    {
        int n = _encoder.Count;
        z = ops.Reshape(z, -1, _filters[^1], _heights[n], _widths[n]);
        for (int i = 0; i < n; i++)
            z = ops.Upsample2(ops.Activate(ops.Conv2d(z, _decoder[i].weight!, _decoder[i].bias!), _activation), _heights[n - 1 - i], _widths[n - 1 - i]);
        z = ops.Activate(ops.Conv2d(z, _output.weight!, _output.bias!), _outputActivation);
        return ops.Reshape(z, -1, _channels * _heights[0] * _widths[0]);
    }
}
