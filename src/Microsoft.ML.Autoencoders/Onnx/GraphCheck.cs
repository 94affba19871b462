using Google.Protobuf;
using Microsoft.ML.Autoencoders.Onnx.Proto;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>Checks an ONNX model read from a file against what <see cref="OnnxGraph"/> writes, before ONNX Runtime sees
/// it, so a crafted file can make a session neither run code this library never writes nor allocate more than the
/// network it holds needs (docs/conventions.md#loading-files-from-elsewhere):
/// <list type="bullet">
/// <item>exactly the fields the writer writes, in its encoding: no functions, externally stored data, subgraphs;</item>
/// <item>the default domain at <see cref="OnnxGraph.Opset"/> or below, and only the writer's operators with the
/// writer's attributes, so nothing sized by the data (ConstantOfShape, Expand, Tile) and no control flow;</item>
/// <item>every node computes on the rows (its first input derives from the graph input) and reads its weights, shapes
/// and bounds from the file's constants, so nothing is folded into a constant at load;</item>
/// <item>shapes followed from the input: broadcasting never widens a value, a Reshape keeps a row's size, a Slice only
/// narrows, a Resize only doubles and follows a convolution; only weighted layers (Gemm, MatMul, Conv), whose weights
/// the file holds, widen a row;</item>
/// <item>the outputs with the shapes the state declares.</item>
/// </list>
/// Any difference is an <see cref="InvalidDataException"/> naming it.</summary>
internal static class GraphCheck
{
    /// <summary>Each operator the writer emits, with the attributes it writes.</summary>
    private static readonly Dictionary<string, string[]> Operators = new()
    {
        ["Identity"] = [], ["Relu"] = [], ["Tanh"] = [], ["Sigmoid"] = [], ["Log"] = [], ["Add"] = [], ["Sub"] = [], ["Mul"] = [],
        ["Greater"] = [], ["Clip"] = [], ["MatMul"] = [], ["Slice"] = [], ["Reshape"] = [], ["LeakyRelu"] = ["alpha"],
        ["Gemm"] = ["transB"], ["Conv"] = ["kernel_shape", "pads", "strides"], ["MaxPool"] = ["kernel_shape", "strides", "ceil_mode"],
        ["Resize"] = ["mode", "coordinate_transformation_mode", "nearest_mode"], ["ReduceMean"] = ["axes", "keepdims"],
        ["ReduceMax"] = ["axes", "keepdims"], ["Softmax"] = ["axis"], ["ArgMax"] = ["axis", "keepdims"], ["Cast"] = ["to"],
    };

    /// <summary>Largest node count read back: a 1,000-layer network writes about 3,000.</summary>
    private const int MaxNodes = 20_000;

    /// <summary>Reads a model keeping only the fields the writer's schema knows (what <see cref="Check"/> expects).</summary>
    public static readonly MessageParser<ModelProto> Reader = ModelProto.Parser.WithDiscardUnknownFields(true);

    /// <summary>Checks <paramref name="model"/>, read by <see cref="Reader"/> from <paramref name="bytes"/>;
    /// <paramref name="what"/> starts each error message.</summary>
    public static void Check(ModelProto model, byte[] bytes, string what, IReadOnlyList<(string Name, long[] Dims)> outputs)
    {
        InvalidDataException Bad(string message) => new($"{what} {message}");
        // The reader dropped the fields this writer's schema does not know; what is left must be the whole file.
        if (!model.ToByteArray().AsSpan().SequenceEqual(bytes))
            throw Bad("holds fields or an encoding this library never writes (such as functions, externally stored data or subgraphs).");
        if (model.OpsetImport.Any(o => o.Domain is not ("" or "ai.onnx") || o.Version > OnnxGraph.Opset))
            throw Bad($"imports {string.Join(", ", model.OpsetImport.Select(o => $"'{o.Domain}' {o.Version}"))}; this library writes the default domain at opset {OnnxGraph.Opset}.");
        var graph = model.Graph ?? throw Bad("has no graph.");
        if (graph.Node.Count > MaxNodes) throw Bad($"has {graph.Node.Count} nodes; this library writes at most {MaxNodes}.");
        if (graph.Input.Count != 1 || graph.Input[0].Type?.TensorType?.Shape?.Dim is not { Count: >= 2 } inputDims || inputDims.Skip(1).Any(d => d.DimValue < 1))
            throw Bad("does not take one input of shape [batch, width].");

        // Shapes of a row (the batch dimension left out) of the values computed on the rows; constants apart.
        var rows = new Dictionary<string, long[]> { [graph.Input[0].Name] = inputDims.Skip(1).Select(d => d.DimValue).ToArray() };
        var constants = new Dictionary<string, TensorProto>();
        foreach (var t in graph.Initializer)
        {
            long count = t.Dims.Any(d => d < 0 || d > int.MaxValue) ? -1 : Size(t.Dims);
            bool holds = (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => t.FloatData.Count == 0 && t.Int64Data.Count == 0 && t.RawData.Length == count * 4,
                TensorProto.Types.DataType.Int64 => t.RawData.Length == 0 && t.FloatData.Count == 0 && t.Int64Data.Count == count,
                TensorProto.Types.DataType.Uint64 => t.FloatData.Count == 0 && t.Int64Data.Count == 0 && t.RawData.Length == count * 8,
                _ => false,
            };
            if (!holds || count < 0 || rows.ContainsKey(t.Name) || !constants.TryAdd(t.Name, t))
                throw Bad($"has an initializer '{t.Name}' of type {t.DataType} and shape [{string.Join(", ", t.Dims)}] that does not hold what its shape says the way this library writes it (or is named twice).");
        }
        int resizes = 0, convolutions = 0;
        foreach (var node in graph.Node)
        {
            string at = $"a node '{node.Name}' ({node.OpType})";
            if (!string.IsNullOrEmpty(node.Domain) || !Operators.TryGetValue(node.OpType, out var attributes))
                throw Bad($"has a node '{node.Name}' of type '{node.Domain}{(node.Domain.Length > 0 ? "." : "")}{node.OpType}', which this library never writes.");
            var names = node.Attribute.Select(a => a.Name).ToList();
            if (names.Except(attributes).FirstOrDefault() is var extra && extra is not null || names.Distinct().Count() != names.Count)
                throw Bad($"has {at} with an attribute this library does not write for it ('{extra}', or one twice).");
            if (node.Output.Count != 1 || rows.ContainsKey(node.Output[0]) || constants.ContainsKey(node.Output[0]))
                throw Bad($"has {at} that does not define one new value.");
            if (node.Input.Count == 0 || !rows.TryGetValue(node.Input[0], out var x))
                throw Bad($"has {at} whose first input '{node.Input.FirstOrDefault()}' is not computed from the rows (an input no earlier node defines, or a constant).");
            TensorProto Constant(int i) => i < node.Input.Count && constants.TryGetValue(node.Input[i], out var c) ? c
                : throw Bad($"has {at} whose input {i} is not one of the file's constants.");
            long Int(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? throw Bad($"has {at} without its attribute '{name}'.");
            long[] Ints(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray() ?? throw Bad($"has {at} without its attribute '{name}'.");
            string Text(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.S.ToStringUtf8() ?? "";
            void Require(bool condition, string expected) { if (!condition) throw Bad($"has {at} on a row of shape [{string.Join(", ", x)}] that is not {expected}, as this library writes it."); }
            long[] y;
            switch (node.OpType)
            {
                case "Identity" or "Relu" or "Tanh" or "Sigmoid" or "Log" or "LeakyRelu" or "Softmax" or "Cast":
                    Require(node.Input.Count == 1, "one input");
                    if (node.OpType == "Softmax") Require(Int("axis") == 1 && x.Length == 1, "a softmax over the features");
                    if (node.OpType == "Cast") Require(Int("to") is 1 or 13, "a cast to float or uint64");
                    y = x;
                    break;
                case "Clip":
                    Require(node.Input.Count == 3 && Constant(1).Dims.Count <= 1 && Constant(2).Dims.Count <= 1, "a clip between two constants");
                    y = x;
                    break;
                case "Add" or "Sub" or "Mul" or "Greater":
                    Require(node.Input.Count == 2, "of two inputs");
                    // The other operand, a row value or a constant, broadcasts into this one: never widens it.
                    bool isConstant = !rows.TryGetValue(node.Input[1], out var r);
                    long[] other = isConstant ? Constant(1).Dims.ToArray() : r!;
                    var full = isConstant ? x.Prepend(0L).ToArray() : x;   // a constant also aligns with the batch (0: not 1)
                    Require(other.Length <= full.Length && Enumerable.Reverse(other).Zip(Enumerable.Reverse(full)).All(p => p.First == 1 || p.First == p.Second),
                        $"one whose second operand [{string.Join(", ", other)}] broadcasts into it");
                    y = x;
                    break;
                case "Gemm":
                {
                    var w = Constant(1);
                    long transposed = Int("transB");
                    Require(x.Length == 1 && w.Dims.Count == 2 && transposed is 0 or 1 && w.Dims[(int)transposed] == x[0], "a layer of the row's width");
                    long width = w.Dims[(int)(1 - transposed)];
                    Require(node.Input.Count == 2 || node.Input.Count == 3 && Size(Constant(2).Dims) == width, "a layer with a bias of its width");
                    y = [width];
                    break;
                }
                case "MatMul":
                {
                    var w = Constant(1);
                    // A vector makes one value a row (the binary code's bit packing).
                    Require(node.Input.Count == 2 && x.Length == 1 && w.Dims.Count is 1 or 2 && w.Dims[0] == x[0], "a product with a matrix or vector of the row's width");
                    y = w.Dims.Count == 2 ? [w.Dims[1]] : [];
                    break;
                }
                case "Conv":
                {
                    var (w, b) = (Constant(1), Constant(2));
                    long k = w.Dims.Count == 4 ? w.Dims[2] : 0;
                    Require(node.Input.Count == 3 && x.Length == 3 && w.Dims.Count == 4 && w.Dims[1] == x[0] && w.Dims[3] == k && k % 2 == 1
                        && b.Dims.SequenceEqual([w.Dims[0]]) && Ints("kernel_shape").SequenceEqual([k, k]) && Ints("pads").SequenceEqual([k / 2, k / 2, k / 2, k / 2])
                        && Ints("strides").SequenceEqual([1L, 1L]), "a same-size convolution of the row's channels");
                    convolutions++;
                    y = [w.Dims[0], x[1], x[2]];
                    break;
                }
                case "MaxPool":
                    Require(x.Length == 3 && Ints("kernel_shape").SequenceEqual([2L, 2L]) && Ints("strides").SequenceEqual([2L, 2L]) && Int("ceil_mode") == 1, "a 2x2 max pooling");
                    y = [x[0], (x[1] + 1) / 2, (x[2] + 1) / 2];
                    break;
                case "Resize":
                    // Each convolution of the decoder is followed by one doubling; more would widen a row for free.
                    Require(node.Input.Count == 3 && node.Input[1] == "" && x.Length == 3 && ++resizes <= convolutions
                        && Floats(Constant(2)).SequenceEqual([1f, 1f, 2f, 2f]) && Text("mode") == "nearest"
                        && Text("coordinate_transformation_mode") == "asymmetric" && Text("nearest_mode") == "floor", "a nearest doubling after a convolution");
                    y = [x[0], 2 * x[1], 2 * x[2]];
                    break;
                case "Slice":
                {
                    Require(node.Input.Count == 4, "a slice by constants");
                    var (starts, ends, axes) = (Constant(1).Int64Data, Constant(2).Int64Data, Constant(3).Int64Data);
                    Require(starts.Count == ends.Count && ends.Count == axes.Count && axes.All(a => a >= 1 && a <= x.Length) && axes.Distinct().Count() == axes.Count
                        && Enumerable.Range(0, axes.Count).All(i => starts[i] >= 0 && ends[i] >= starts[i]), "a narrowing slice of the row");
                    y = (long[])x.Clone();
                    for (int i = 0; i < axes.Count; i++)
                        y[axes[i] - 1] = Math.Max(0, Math.Min(ends[i], x[axes[i] - 1]) - Math.Min(starts[i], x[axes[i] - 1]));
                    break;
                }
                case "Reshape":
                {
                    var shape = Constant(1).Int64Data;
                    Require(node.Input.Count == 2 && shape.Count >= 1 && shape[0] == -1 && shape.Skip(1).All(d => d >= 1)
                        && Size(shape.Skip(1)) == Size(x), "a reshape that keeps the batch and the row's size");
                    y = shape.Skip(1).ToArray();
                    break;
                }
                default: // ReduceMean, ReduceMax, ArgMax: over the features (axis 1), dropped.
                    Require(node.Input.Count == 1 && x.Length >= 1 && Int("keepdims") == 0
                        && (node.OpType == "ArgMax" ? Int("axis") == 1 : Ints("axes").SequenceEqual([1L])), "a reduction over the features");
                    y = x[1..];
                    break;
            }
            rows[node.Output[0]] = y;
        }
        var declared = graph.Output.Select(o => (o.Name, Dims: o.Type?.TensorType?.Shape?.Dim is { Count: >= 1 } d && d[0].DimValue == 0 && d[0].DimParam.Length > 0
            ? d.Skip(1).Select(v => v.DimValue).ToArray() : null)).ToList();
        if (!declared.Select(o => o.Name).SequenceEqual(outputs.Select(o => o.Name)) || declared.Zip(outputs).Any(p => p.First.Dims is null || !p.First.Dims.SequenceEqual(p.Second.Dims)))
            throw Bad($"declares outputs {Describe(declared)}; its state declares {Describe(outputs.Select(o => (o.Name, (long[]?)o.Dims)))}.");
        foreach (var (name, dims) in declared)
            if (!rows.TryGetValue(name, out var made) || Size(made) != Size(dims!))
                throw Bad($"declares output '{name}' of [batch{string.Concat(dims!.Select(d => $", {d}"))}], which no node makes{(made is null ? "" : $" (it computes [batch{string.Concat(made.Select(d => $", {d}"))}])")}.");
    }

    /// <summary>The number of values of a shape.</summary>
    private static long Size(IEnumerable<long> dims) => dims.Aggregate(1L, (n, d) => checked(n * d));

    private static IEnumerable<float> Floats(TensorProto t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray();

    private static string Describe(IEnumerable<(string Name, long[]? Dims)> outputs)
        => string.Join(", ", outputs.Select(o => $"{o.Name} [batch{(o.Dims is null ? ", ?" : string.Concat(o.Dims.Select(d => $", {d}")))}]"));
}
