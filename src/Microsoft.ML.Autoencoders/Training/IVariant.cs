using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>What makes one autoencoder differ from another, as the engine sees it: its network, its loss, how its
/// input is corrupted and which outputs it produces (docs/architecture.md#the-variant-contract). The engine owns
/// everything else.</summary>
internal interface IVariant
{
    AutoencoderOptions Options { get; }

    /// <summary>Throws, naming the column, when the network cannot take rows of <paramref name="inputSize"/> values.</summary>
    void CheckInputSize(int inputSize, string column);

    AutoencoderNetwork CreateNetwork(int inputSize);

    /// <summary>Called once with the training rows before training, e.g. to take their range.</summary>
    void Prepare(TrainingData train);

    /// <summary>The network's training input made from clean rows; the rows themselves unless the variant denoises.</summary>
    Tensor Corrupt(Tensor clean);

    /// <summary>Called before each epoch (1-based) of the main phase, for schedules such as a KL warm-up.</summary>
    void BeginEpoch(int epoch);

    TrainingLoss Objective(AutoencoderNetwork network, Minibatch batch);

    /// <summary>Runs before the main phase, e.g. greedy layer-wise pretraining, as phases of <paramref name="session"/>.</summary>
    void Pretrain(TrainingSession session, AutoencoderNetwork network, TrainingData train, TrainingData? validation);

    /// <summary>Learned arrays besides the weights (e.g. archetypes, cluster patterns), from the trained network and
    /// every row; they go into the saved state, from which <see cref="Outputs"/> reads them.</summary>
    Dictionary<string, float[]> Learn(AutoencoderNetwork network, TrainingData rows);

    /// <summary>The output columns for rows of <paramref name="inputSize"/> values; <paramref name="learned"/> is empty
    /// before training.</summary>
    IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned);

    /// <summary>The output columns' values for rows <paramref name="x"/>, by column name: the one definition that
    /// yields both the torch outputs and the ONNX graph.</summary>
    Dictionary<string, T> Outputs<T>(IOps<T> ops, AutoencoderNetwork network, T x, IReadOnlyDictionary<string, float[]> learned);

    /// <summary>The latent width when the fitted model keeps its decoder as a graph of its own (for generation); null: none.</summary>
    int? DecoderInputSize { get; }
}

/// <summary>A variant that reads a group for each row besides the input (SAUCIE's batches). The engine then orders
/// each epoch so that every minibatch holds each group in proportion.</summary>
internal interface IGroupedVariant
{
    /// <summary>Throws, naming the column, when the input schema lacks a usable group column.</summary>
    void CheckGroupColumn(SchemaShape inputSchema);

    /// <summary>Each row's group (null when the options read none); throws, naming the column and the group, on groups the variant cannot use.</summary>
    RowGroups? ReadGroups(IDataView data, int rows);
}

/// <summary>Each row's group id (0..<c>Names.Length</c>-1), the groups' names and the reference group.</summary>
internal sealed record RowGroups(int[] Ids, string[] Names, int Reference);
