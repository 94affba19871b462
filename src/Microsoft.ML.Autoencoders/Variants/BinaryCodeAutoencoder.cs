using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the binary-code autoencoder for semantic hashing (docs/methods.md#binary-code-autoencoder-semantic-hashing): a sigmoid code layer
/// with Gaussian noise added before the sigmoid during training, so pre-activations are pushed to saturation; at
/// inference the code is binarised, b_j = [z_j > 0.5].</summary>
public sealed class BinaryCodeAutoencoderOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new BinaryCodeVariant(this);

    /// <summary>Defaults suited to retrieval: 32 bits behind one hidden layer.</summary>
    public BinaryCodeAutoencoderOptions() => HiddenLayers = new[] { 256 };

    /// <summary>Standard deviation of the noise added to the code's pre-activations during training.</summary>
    public double NoiseStdDev { get; set; } = 4;

    /// <summary>A UInt64 column holding the code's bits (bit j = code unit j); null: none. Needs at most 64 bits.</summary>
    public string? HashColumnName { get; set; } = DefaultHashColumnName;

    /// <summary>The default of <see cref="HashColumnName"/>.</summary>
    public const string DefaultHashColumnName = "Hash";

    internal override void Validate()
    {
        base.Validate();
        Check.Option(NoiseStdDev >= 0 && double.IsFinite(NoiseStdDev), nameof(NoiseStdDev), NoiseStdDev, "a finite number of 0 or more");
        if (HashColumnName is not null)
            Check.Option(CodeSize <= 64, nameof(CodeSize), CodeSize, $"at most 64 bits while {nameof(HashColumnName)} is set (a UInt64 holds 64); set it to null for longer codes");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; the binary code applies its own noisy sigmoid, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

}

internal sealed class BinaryCodeVariant(BinaryCodeAutoencoderOptions options) : DenseVariant(options)
{
    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch)
    {
        var preActivation = network.Encode(batch.Input);
        var noisy = network.training && options.NoiseStdDev > 0 ? preActivation.Plus(randn_like(preActivation).Times(options.NoiseStdDev)) : preActivation;
        return TrainingLoss.Reconstruction(Losses.Mean(options.Loss, network.Decode(noisy.sigmoid()), batch.Target));
    }

    /// <summary>The code's bits and, when asked for, the hash (thresholded values, compared leniently in the parity check).</summary>
    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = base.OutputColumns(inputSize, learned).ToList();
        columns[0] = columns[0] with { Thresholded = true };
        if (options.HashColumnName is { } hash) columns.Add(OutputColumn.Scalar(hash, OutputType.UInt64, thresholded: true));
        return columns;
    }

    /// <summary>b_j = [sigmoid(a_j) &gt; 0.5] = [a_j &gt; 0]; the decoder reconstructs from the bits.</summary>
    protected override Dictionary<string, T> Outputs<T>(IOps<T> ops, DenseAutoencoderNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var bits = ops.Step(network.Encode(ops, x), 0);
        var outputs = CodeAndReconstruction(ops, bits, () => network.Decode(ops, bits), x);
        if (options.HashColumnName is { } h) outputs[h] = ops.PackBits(bits, options.CodeSize);
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
