using Google.Protobuf;
using Microsoft.ML.Autoencoders.Onnx.Proto;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>Builds an ONNX graph node by node; every value gets a unique name, the batch dimension is symbolic.</summary>
internal sealed class OnnxGraph
{
    /// <summary>The opset the exporter writes (ReduceMean still takes its axes as an attribute there).</summary>
    public const int Opset = 17;
    private const string BatchDimension = "batch";
    private readonly GraphProto _graph = new() { Name = "autoencoder" };
    private int _counter;

    /// <summary>Declares a float graph input of shape [batch, dims...].</summary>
    public string Input(string name, params long[] dims)
    {
        _graph.Input.Add(ValueInfo(name, dims));
        return name;
    }

    /// <summary>Declares a graph output of shape [batch, dims...] named <paramref name="name"/>, fed by <paramref name="value"/>.</summary>
    public void Output(string value, string name, long[] dims, OutputType type = OutputType.Single)
    {
        _graph.Node.Add(NewNode("Identity", new[] { value }, name));
        _graph.Output.Add(ValueInfo(name, dims, type == OutputType.UInt64 ? TensorProto.Types.DataType.Uint64 : TensorProto.Types.DataType.Float));
    }

    /// <summary>Adds a float constant of the given shape.</summary>
    public string Constant(float[] data, params long[] dims)
    {
        var name = NextName("w");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan())) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 constant (shapes, axes).</summary>
    public string Int64Constant(params long[] data)
    {
        var name = NextName("i");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(data.Length);
        tensor.Int64Data.AddRange(data);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a UInt64 scalar constant.</summary>
    public string UInt64Constant(ulong value)
    {
        var name = NextName("u");
        _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Uint64, RawData = ByteString.CopyFrom(BitConverter.GetBytes(value)) });
        return name;
    }

    /// <summary>Adds a node with one output and returns that output's name.</summary>
    public string Node(string opType, string[] inputs, params AttributeProto[] attributes)
    {
        var output = NextName(opType.ToLowerInvariant());
        var node = NewNode(opType, inputs, output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, I = value, Type = AttributeProto.Types.AttributeType.Int };
    public static AttributeProto Float(string name, float value) => new() { Name = name, F = value, Type = AttributeProto.Types.AttributeType.Float };
    public static AttributeProto String(string name, string value) => new() { Name = name, S = ByteString.CopyFromUtf8(value), Type = AttributeProto.Types.AttributeType.String };
    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    /// <summary>The serialised model, with <paramref name="metadata"/> as its metadata properties.</summary>
    public byte[] ToModel(IReadOnlyDictionary<string, string> metadata)
    {
        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = "Microsoft.ML.Autoencoders",
            ProducerVersion = typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        foreach (var (key, value) in metadata)
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return model.ToByteArray();
    }

    /// <summary>The operators this writer emits (through OnnxOps and <see cref="Output"/>): a graph read back holds no
    /// other, so no operator that sizes its output from the data (ConstantOfShape, Expand, Tile), no control flow and no
    /// custom domain reaches ONNX Runtime from a file.</summary>
    private static readonly HashSet<string> WrittenOperators = new()
    {
        "Identity", "Gemm", "MatMul", "Relu", "LeakyRelu", "Tanh", "Sigmoid", "Conv", "MaxPool", "Resize", "Slice", "Reshape",
        "Add", "Sub", "Mul", "Log", "Clip", "ReduceMean", "ReduceMax", "Softmax", "ArgMax", "Cast", "Greater",
    };

    /// <summary>Largest node count read back: a 1,000-layer network writes about 3,000.</summary>
    private const int MaxNodes = 20_000;

    /// <summary>Checks a model read from a file against what this writer writes, before ONNX Runtime sees it: exactly
    /// the fields this writer writes, in its encoding (so no local functions, externally stored data, subgraphs or other
    /// fields ONNX Runtime would read); the default domain at <see cref="Opset"/> or below; only
    /// <see cref="WrittenOperators"/>, each reading values defined before it; initializers of the types and sizes their
    /// shapes say; a Resize only doubling; the outputs with the shapes <paramref name="outputs"/> declare. Throws
    /// <see cref="InvalidDataException"/> naming what differs (docs/conventions.md#loading-files-from-elsewhere).</summary>
    public static ModelProto CheckReadBack(byte[] bytes, string what, IReadOnlyList<(string Name, long[] Dims)> outputs)
    {
        InvalidDataException Bad(string message) => new($"{what} {message}");
        // Fields this writer's schema does not know are dropped here; what is left must be the whole file.
        var model = ModelProto.Parser.WithDiscardUnknownFields(true).ParseFrom(bytes);
        if (!model.ToByteArray().AsSpan().SequenceEqual(bytes))
            throw Bad("holds fields or an encoding this library never writes (such as functions, externally stored data or subgraphs).");
        if (model.OpsetImport.Any(o => o.Domain is not ("" or "ai.onnx") || o.Version > Opset))
            throw Bad($"imports {string.Join(", ", model.OpsetImport.Select(o => $"'{o.Domain}' {o.Version}"))}; this library writes the default domain at opset {Opset}.");
        var graph = model.Graph ?? throw Bad("has no graph.");
        if (graph.Node.Count > MaxNodes) throw Bad($"has {graph.Node.Count} nodes; this library writes at most {MaxNodes}.");
        var defined = new HashSet<string>(graph.Input.Select(i => i.Name)) { "" };
        var initializers = new Dictionary<string, TensorProto>();
        foreach (var t in graph.Initializer)
        {
            long count = t.Dims.Aggregate(1L, (n, d) => n < 0 || d < 0 || d > int.MaxValue ? -1 : checked(n * d));
            long held = (TensorProto.Types.DataType)t.DataType switch
            {
                TensorProto.Types.DataType.Float => t.RawData.Length > 0 ? t.RawData.Length / 4 : t.FloatData.Count,
                TensorProto.Types.DataType.Int64 => t.RawData.Length > 0 ? t.RawData.Length / 8 : t.Int64Data.Count,
                TensorProto.Types.DataType.Uint64 => t.RawData.Length / 8,
                _ => -2,
            };
            if (held == -2 || count < 0 || held != count || !defined.Add(t.Name))
                throw Bad($"has an initializer '{t.Name}' of type {t.DataType} and shape [{string.Join(", ", t.Dims)}] holding {held} values (or named twice); this library writes float, int64 and uint64 constants that hold what their shape says.");
            initializers[t.Name] = t;
        }
        foreach (var node in graph.Node)
        {
            if (!string.IsNullOrEmpty(node.Domain) || !WrittenOperators.Contains(node.OpType))
                throw Bad($"has a node '{node.Name}' of type '{node.Domain}{(node.Domain.Length > 0 ? "." : "")}{node.OpType}', which this library never writes.");
            if (node.Input.FirstOrDefault(i => !defined.Contains(i)) is { } missing)
                throw Bad($"has a node '{node.Name}' reading '{missing}', which no input, initializer or earlier node defines.");
            if (node.OpType == "Resize" && !(node.Input.Count == 3 && initializers.TryGetValue(node.Input[2], out var scales)
                && Floats(scales).SequenceEqual(new float[] { 1, 1, 2, 2 })))
                throw Bad($"has a Resize node '{node.Name}' that does not double the image; this library writes only that.");
            foreach (var output in node.Output)
                if (!defined.Add(output)) throw Bad($"defines '{output}' twice.");
        }
        var declared = graph.Output.Select(o => (o.Name, Dims: o.Type?.TensorType?.Shape?.Dim.Skip(1).Select(d => d.DimValue).ToArray() ?? Array.Empty<long>())).ToList();
        if (!declared.Select(o => o.Name).SequenceEqual(outputs.Select(o => o.Name)) || declared.Zip(outputs).Any(p => !p.First.Dims.SequenceEqual(p.Second.Dims)))
            throw Bad($"declares outputs {Describe(declared)}; its state declares {Describe(outputs)}.");
        if (declared.FirstOrDefault(o => !defined.Contains(o.Name)) is { Name: { } unmade })
            throw Bad($"declares output '{unmade}', which no node makes.");
        return model;
    }

    private static IEnumerable<float> Floats(TensorProto t)
        => t.RawData.Length > 0 ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData;

    private static string Describe(IEnumerable<(string Name, long[] Dims)> outputs)
        => string.Join(", ", outputs.Select(o => $"{o.Name} [batch{string.Concat(o.Dims.Select(d => $", {d}"))}]"));

    // The prefix keeps internal value names apart from the column names used as graph inputs and outputs.
    private string NextName(string prefix) => $"_ae/{prefix}_{_counter++}";

    private static NodeProto NewNode(string opType, string[] inputs, string output)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto ValueInfo(string name, long[] dims, TensorProto.Types.DataType type = TensorProto.Types.DataType.Float)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = BatchDimension });
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
