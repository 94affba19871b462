using Microsoft.ML.Autoencoders.Onnx;
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
    private readonly ConvolutionalAutoencoderOptions _options;
    private readonly int[] _heights, _widths;

    /// <summary>Spatial size before each pooling and after the last: size, ceil(size/2), ...</summary>
    public static int[] Sizes(int size, int blocks)
    {
        var sizes = new int[blocks + 1];
        sizes[0] = size;
        for (int i = 1; i <= blocks; i++) sizes[i] = (sizes[i - 1] + 1) / 2;
        return sizes;
    }

    public ConvolutionalNetwork(ConvolutionalAutoencoderOptions options) : base(nameof(ConvolutionalNetwork))
    {
        _options = options;
        var filters = options.Filters;
        _heights = Sizes(options.ImageHeight, filters.Length);
        _widths = Sizes(options.ImageWidth, filters.Length);
        int padding = options.KernelSize / 2;
        for (int i = 0; i < filters.Length; i++)
            _encoder.Add(nn.Conv2d(i == 0 ? options.Channels : filters[i - 1], filters[i], options.KernelSize, padding: padding));
        // Decoder block i works at the size of encoder level n - i and mirrors the filters.
        for (int i = 0; i < filters.Length; i++)
            _decoder.Add(nn.Conv2d(i == 0 ? filters[^1] : filters[^i], filters[^(i + 1)], options.KernelSize, padding: padding));
        _output = nn.Conv2d(filters[0], options.Channels, options.KernelSize, padding: padding);
        RegisterComponents();
    }

    public override Tensor Encode(Tensor x)
    {
        x = x.reshape(-1, _options.Channels, _options.ImageHeight, _options.ImageWidth);
        foreach (var conv in _encoder)
            x = nn.functional.max_pool2d(Activations.Apply(_options.Activation, conv.forward(x)), 2, 2, ceil_mode: true);
        return x.flatten(1);
    }

    public override Tensor Decode(Tensor z)
    {
        int n = _encoder.Count;
        z = z.reshape(-1, _options.Filters[^1], _heights[n], _widths[n]);
        for (int i = 0; i < n; i++)
        {
            z = Activations.Apply(_options.Activation, _decoder[i].forward(z));
            z = nn.functional.interpolate(z, scale_factor: new double[] { 2, 2 }, mode: InterpolationMode.Nearest);
            z = z.narrow(2, 0, _heights[n - 1 - i]).narrow(3, 0, _widths[n - 1 - i]);
        }
        return Activations.Apply(_options.OutputActivation, _output.forward(z)).flatten(1);
    }

    public override string EmitEncoder(OnnxGraph graph, string x)
    {
        x = graph.Node("Reshape", new[] { x, graph.Int64Constant(-1, _options.Channels, _options.ImageHeight, _options.ImageWidth) });
        foreach (var conv in _encoder)
        {
            x = Activations.Emit(graph, _options.Activation, EmitConv(graph, conv, x));
            x = graph.Node("MaxPool", new[] { x }, OnnxGraph.Ints("kernel_shape", 2, 2), OnnxGraph.Ints("strides", 2, 2), OnnxGraph.Int("ceil_mode", 1));
        }
        return graph.Node("Flatten", new[] { x }, OnnxGraph.Int("axis", 1));
    }

    public override string EmitDecoder(OnnxGraph graph, string z)
    {
        int n = _encoder.Count;
        z = graph.Node("Reshape", new[] { z, graph.Int64Constant(-1, _options.Filters[^1], _heights[n], _widths[n]) });
        for (int i = 0; i < n; i++)
        {
            z = Activations.Emit(graph, _options.Activation, EmitConv(graph, _decoder[i], z));
            // Nearest upsampling as torch does it: output pixel (r, c) takes input pixel (floor(r/2), floor(c/2)).
            z = graph.Node("Resize", new[] { z, "", graph.Constant(new float[] { 1, 1, 2, 2 }, 4) },
                OnnxGraph.String("mode", "nearest"), OnnxGraph.String("coordinate_transformation_mode", "asymmetric"), OnnxGraph.String("nearest_mode", "floor"));
            z = graph.Node("Slice", new[] { z, graph.Int64Constant(0, 0), graph.Int64Constant(_heights[n - 1 - i], _widths[n - 1 - i]), graph.Int64Constant(2, 3) });
        }
        z = Activations.Emit(graph, _options.OutputActivation, EmitConv(graph, _output, z));
        return graph.Node("Flatten", new[] { z }, OnnxGraph.Int("axis", 1));
    }

    private string EmitConv(OnnxGraph graph, Conv2d conv, string x)
    {
        var w = conv.weight!;
        int k = _options.KernelSize, p = k / 2;
        return graph.Node("Conv", new[] { x, graph.Constant(DenseStack.ToArray(w), w.shape), graph.Constant(DenseStack.ToArray(conv.bias!), w.shape[0]) },
            OnnxGraph.Ints("kernel_shape", k, k), OnnxGraph.Ints("pads", p, p, p, p), OnnxGraph.Ints("strides", 1, 1));
    }
}
