using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the binary-code autoencoder for semantic hashing (METHODS.md section 6): a sigmoid code layer
/// with Gaussian noise added before the sigmoid during training, so pre-activations are pushed to saturation; at
/// inference the code is binarised, b_j = [z_j > 0.5].</summary>
public sealed class BinaryCodeAutoencoderOptions : AutoencoderOptions
{
    /// <summary>Defaults suited to retrieval: 32 bits behind one hidden layer.</summary>
    public BinaryCodeAutoencoderOptions() => HiddenLayers = new[] { 256 };

    /// <summary>Standard deviation of the noise added to the code's pre-activations during training.</summary>
    public double NoiseStdDev { get; set; } = 4;

    /// <summary>A UInt64 column holding the code's bits (bit j = code unit j); null: none. Needs at most 64 bits.</summary>
    public string? HashColumnName { get; set; } = "Hash";

    internal override void Validate()
    {
        base.Validate();
        Require(NoiseStdDev >= 0 && double.IsFinite(NoiseStdDev), nameof(NoiseStdDev), NoiseStdDev, "a finite number of 0 or more");
        if (HashColumnName is not null)
            Require(CodeSize <= 64, nameof(CodeSize), CodeSize, $"at most 64 bits while {nameof(HashColumnName)} is set (a UInt64 holds 64); set it to null for longer codes");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; the binary code applies its own noisy sigmoid, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

    internal override AutoencoderVariant CreateVariant() => new BinaryCodeVariant(this);
}

internal sealed class BinaryCodeVariant(BinaryCodeAutoencoderOptions options) : AutoencoderVariant(options)
{
    public override Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, IDictionary<string, Tensor> terms)
    {
        var preActivation = network.Encode(input);
        var noisy = network.training && options.NoiseStdDev > 0 ? preActivation + options.NoiseStdDev * randn_like(preActivation) : preActivation;
        var reconstruction = Losses.Reconstruction(Options.Loss, network.Decode(noisy.sigmoid()), x);
        terms["reconstruction"] = reconstruction;
        return reconstruction;
    }

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize)
    {
        var columns = base.OutputColumns(inputSize).ToList();
        columns[0] = columns[0] with { Discrete = true };
        if (options.HashColumnName is { } hash) columns.Add(new(hash, 0, OutputType.UInt64, Discrete: true));
        return columns;
    }

    public override Dictionary<string, Tensor> TorchOutputs(AutoencoderNetwork network, Tensor x)
    {
        var bits = (network.Encode(x) > 0).to_type(ScalarType.Float32);
        var outputs = new Dictionary<string, Tensor> { [Options.OutputColumnName] = bits };
        if (WantsReconstruction) AddReconstruction(outputs, network.Decode(bits), x);
        if (options.HashColumnName is { } h)
            outputs[h] = bits.to_type(ScalarType.Float64).matmul(pow(2.0, arange(options.CodeSize, ScalarType.Float64, device: x.device)));
        return outputs;
    }

    public override Dictionary<string, string> EmitOutputs(OnnxGraph graph, AutoencoderNetwork network, string x)
    {
        var positive = graph.Node("Greater", new[] { network.EmitEncoder(graph, x), graph.Constant(new[] { 0f }) });
        var bits = graph.Node("Cast", new[] { positive }, OnnxGraph.Int("to", 1));
        var outputs = new Dictionary<string, string> { [Options.OutputColumnName] = bits };
        if (WantsReconstruction) AddReconstruction(outputs, graph, network.EmitDecoder(graph, bits), x);
        if (options.HashColumnName is { } h)
        {
            // Distinct powers of two never carry, so the int64 sum is the bit pattern (bit 63 as long.MinValue).
            var weights = graph.Int64Constant(Enumerable.Range(0, options.CodeSize).Select(j => unchecked((long)(1UL << j))).ToArray());
            var terms = graph.Node("Mul", new[] { graph.Node("Cast", new[] { positive }, OnnxGraph.Int("to", 7)), weights });
            var sum = graph.Node("ReduceSum", new[] { terms, graph.Int64Constant(1) }, OnnxGraph.Int("keepdims", 0));
            outputs[h] = graph.Node("Cast", new[] { sum }, OnnxGraph.Int("to", 13));
        }
        return outputs;
    }

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new BinaryCodeTransformer(catalog, state);
}

/// <summary>A fitted binary-code autoencoder: the code column holds 0/1 bits; <see cref="BuildIndex"/> makes a
/// Hamming-distance retrieval index over a data set.</summary>
public sealed class BinaryCodeTransformer : AutoencoderTransformer
{
    internal BinaryCodeTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state) { }

    /// <summary>The code of every row of <paramref name="data"/>, bits packed into 64-bit words as in <see cref="HammingIndex"/>.</summary>
    public ulong[][] Codes(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataReader.CheckSize(data.Schema, State.Options.InputColumnName, InputSize);
        var rows = DataReader.ReadMatrix(data, State.Options.InputColumnName, out int count, out _);
        return Codes(rows, count);
    }

    /// <summary>The code of each row, bits packed into 64-bit words (bit j of the code is bit j % 64 of word j / 64).</summary>
    internal ulong[][] Codes(float[] rows, int count)
    {
        var bits = Score(rows, count, 0);
        int words = (CodeSize + 63) / 64;
        var codes = new ulong[count][];
        for (int i = 0; i < count; i++)
        {
            codes[i] = new ulong[words];
            for (int j = 0; j < CodeSize; j++)
                if (bits[i * CodeSize + j] > 0.5f) codes[i][j / 64] |= 1UL << (j % 64);
        }
        return codes;
    }

    /// <summary>The code of one row of features.</summary>
    public ulong[] Code(float[] features)
    {
        CheckRow(features, nameof(features));
        return Codes((float[])features.Clone(), 1)[0];
    }

    /// <summary>Encodes every row of <paramref name="data"/> into a Hamming index; results are row positions in it.</summary>
    public HammingIndex BuildIndex(IDataView data) => new(this, Codes(data), CodeSize);
}
