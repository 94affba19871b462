using Microsoft.ML.Autoencoders.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Ops;

/// <summary>The operations written as ONNX nodes into <see cref="Graph"/>; weights become constants. A parameter of
/// <paramref name="network"/> is named as the module names it, without its fields' underscores
/// (<c>encoder.layers.0.weight</c>), and written once however often it is used (tied weights), so a graph viewer shows
/// the network's own names; other constants get the graph's counter names. Each weight written is reported to
/// <paramref name="onWeight"/> with its name (how a saved graph's weights find their way back into a network, see
/// TrainingEngine.Restore).</summary>
internal sealed class OnnxOps(OnnxGraph graph, nn.Module? network = null, Action<Tensor, string>? onWeight = null) : IOps<string>
{
    private readonly Dictionary<Tensor, string> _names = ByParameter(network);
    private readonly Dictionary<Tensor, string> _written = new(ReferenceEqualityComparer.Instance);

    public OnnxGraph Graph => graph;

    /// <summary>Each parameter's name; a parameter reachable under two names (a shared module) keeps the first.</summary>
    private static Dictionary<Tensor, string> ByParameter(nn.Module? network)
    {
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        if (network is not null) foreach (var (name, parameter) in ParameterNames(network)) names.TryAdd(parameter, name);
        return names;
    }

    /// <summary>The network's parameters by the names its graph gives them.</summary>
    public static IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> ParameterNames(nn.Module network)
        => network.named_parameters().Select(p => (string.Join(".", p.name.Split('.').Select(part => part.TrimStart('_'))), p.parameter));

    public string Linear(string x, Tensor weight, Tensor? bias, bool transposed = true)
    {
        var inputs = new List<string> { x, Constant(weight) };
        if (bias is not null) inputs.Add(Constant(bias));
        return graph.Node("Gemm", inputs.ToArray(), OnnxGraph.Int("transB", transposed ? 1 : 0));
    }

    public string Activate(string x, Activation activation, double leakySlope = TorchOps.LeakySlope) => activation switch
    {
        Activation.Identity => x,
        Activation.Relu => graph.Node("Relu", new[] { x }),
        Activation.LeakyRelu => graph.Node("LeakyRelu", new[] { x }, OnnxGraph.Float("alpha", (float)leakySlope)),
        Activation.Tanh => graph.Node("Tanh", new[] { x }),
        Activation.Sigmoid => graph.Node("Sigmoid", new[] { x }),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    public string Conv2d(string x, Tensor weight, Tensor bias)
    {
        long k = weight.shape[2], p = k / 2;
        return graph.Node("Conv", new[] { x, Constant(weight), Constant(bias) },
            OnnxGraph.Ints("kernel_shape", k, k), OnnxGraph.Ints("pads", p, p, p, p), OnnxGraph.Ints("strides", 1, 1));
    }

    public string MaxPool2(string x)
        => graph.Node("MaxPool", new[] { x }, OnnxGraph.Ints("kernel_shape", 2, 2), OnnxGraph.Ints("strides", 2, 2), OnnxGraph.Int("ceil_mode", 1));

    public string Upsample2(string x, int height, int width)
    {
        // Output pixel (r, c) takes input pixel (floor(r/2), floor(c/2)), as torch's nearest mode.
        var up = graph.Node("Resize", new[] { x, "", graph.Constant(new float[] { 1, 1, 2, 2 }, 4) },
            OnnxGraph.String("mode", "nearest"), OnnxGraph.String("coordinate_transformation_mode", "asymmetric"), OnnxGraph.String("nearest_mode", "floor"));
        return graph.Node("Slice", new[] { up, graph.Int64Constant(0, 0), graph.Int64Constant(height, width), graph.Int64Constant(2, 3) });
    }

    public string Reshape(string x, params long[] shape) => graph.Node("Reshape", new[] { x, graph.Int64Constant(shape) });
    public string Add(string a, string b) => graph.Node("Add", new[] { a, b });
    public string Sub(string a, string b) => graph.Node("Sub", new[] { a, b });
    public string Mul(string a, string b) => graph.Node("Mul", new[] { a, b });
    public string Log(string x) => graph.Node("Log", new[] { x });

    public string Affine(string x, float scale, float offset)
        => Add(Mul(x, graph.Constant(new[] { scale })), graph.Constant(new[] { offset }));

    public string Clip(string x, float min, float max) => graph.Node("Clip", new[] { x, graph.Constant(new[] { min }), graph.Constant(new[] { max }) });
    public string RowMean(string x) => graph.Node("ReduceMean", new[] { x }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
    public string RowMax(string x) => graph.Node("ReduceMax", new[] { x }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));

    public string Softmax(string x) => graph.Node("Softmax", new[] { x }, OnnxGraph.Int("axis", 1));
    public string ArgMax(string x)
        => graph.Node("Cast", new[] { graph.Node("ArgMax", new[] { x }, OnnxGraph.Int("axis", 1), OnnxGraph.Int("keepdims", 0)) }, OnnxGraph.Int("to", 1));

    public string Step(string x, float threshold)
        => graph.Node("Cast", new[] { graph.Node("Greater", new[] { x, graph.Constant(new[] { threshold }) }) }, OnnxGraph.Int("to", 1));

    public string PackBits(string bits, int width)
    {
        // ONNX Runtime sums int64 through double, which drops bits past the 53rd: each 16 bits are summed exactly in
        // Single (integers below 2^16), then shifted and added in UInt64, whose Mul and Add are exact.
        string? hash = null;
        for (int start = 0; start < width; start += 16)
        {
            int n = Math.Min(16, width - start);
            var group = graph.Node("Slice", new[] { bits, graph.Int64Constant(start), graph.Int64Constant(start + n), graph.Int64Constant(1) });
            var value = graph.Node("MatMul", new[] { group, graph.Constant(Enumerable.Range(0, n).Select(j => (float)(1 << j)).ToArray(), n) });
            var shifted = Mul(graph.Node("Cast", new[] { value }, OnnxGraph.Int("to", 13)), graph.UInt64Constant(1UL << start));
            hash = hash is null ? shifted : Add(hash, shifted);
        }
        return hash!;
    }

    private string Constant(Tensor t)
    {
        if (_written.TryGetValue(t, out var written)) return written;
        var name = graph.Constant(TorchOps.ToArray(t), t.shape, _names.GetValueOrDefault(t));
        if (_names.ContainsKey(t)) _written[t] = name;
        onWeight?.Invoke(t, name);
        return name;
    }
}
