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
    private readonly HashSet<string> _names = new();

    /// <summary>Declares a float graph input of shape [batch, dims...].</summary>
    public string Input(string name, params long[] dims)
    {
        _names.Add(name);
        _graph.Input.Add(ValueInfo(name, dims));
        return name;
    }

    /// <summary>Declares a graph output of shape [batch, dims...] named <paramref name="name"/>, fed by <paramref name="value"/>.</summary>
    public void Output(string value, string name, long[] dims, OutputType type = OutputType.Single)
    {
        _graph.Node.Add(NewNode("Identity", new[] { value }, name));
        _graph.Output.Add(ValueInfo(name, dims, type == OutputType.UInt64 ? TensorProto.Types.DataType.Uint64 : TensorProto.Types.DataType.Float));
    }

    /// <summary>Adds a float constant of the given shape, named <paramref name="name"/> unless the graph already has a
    /// value of that name (then, like other constants, by the counter).</summary>
    public string Constant(float[] data, long[] dims, string? name)
    {
        name = name is not null && _names.Add(name) ? name : NextName("w");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(System.Runtime.InteropServices.MemoryMarshal.AsBytes(data.AsSpan())) };
        tensor.Dims.AddRange(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds a float constant of the given shape, named by the counter.</summary>
    public string Constant(float[] data, params long[] dims) => Constant(data, dims, null);

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
