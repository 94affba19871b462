using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>What makes one autoencoder differ from another, as the engine sees it: its network, its loss, how its
/// input is corrupted and which outputs it produces (docs/architecture.md#the-variant-contract). The engine owns
/// everything else. The defaults are those of the plain dense autoencoder.</summary>
internal abstract class TrainingVariant(AutoencoderOptions options)
{
    public AutoencoderOptions Options => options;

    /// <summary>Throws, naming the column, when the network cannot take rows of <paramref name="inputSize"/> values.</summary>
    public virtual void CheckInputSize(int inputSize, string column) { }

    /// <summary>Facts of the training rows that the network is built from (a scale, a class count), taken once before
    /// it is built. They are saved with the model's learned arrays, so <see cref="CreateNetwork"/> gets them back when a
    /// saved model's network is rebuilt. None by default.</summary>
    public virtual Dictionary<string, float[]> Prepare(TrainingData train) => new();

    /// <summary>The network for rows of <paramref name="inputSize"/> values; <paramref name="arrays"/> holds at least
    /// what <see cref="Prepare"/> returned (a saved model's learned arrays when it is rebuilt).</summary>
    public abstract AutoencoderNetwork CreateNetwork(int inputSize, IReadOnlyDictionary<string, float[]> arrays);

    /// <summary>The main phase: its objective, the corruption of its input, its schedule (read from
    /// <see cref="Minibatch.Progress"/>) and whether it needs the reference group in numbers. Anything it takes from the
    /// training rows lives in the phase, not in the variant, which stays as constructed.</summary>
    public virtual TrainingPhase MainPhase(AutoencoderNetwork network, TrainingData train)
        => new(TrainingSession.MainPhase, network, batch => Objective(network, batch), options.Epochs);

    public abstract TrainingLoss Objective(AutoencoderNetwork network, Minibatch batch);

    /// <summary>Runs before the main phase, e.g. greedy layer-wise pretraining, as phases of <paramref name="session"/>.</summary>
    public abstract void Pretrain(TrainingSession session, AutoencoderNetwork network, TrainingData train, TrainingData? validation);

    /// <summary>Learned arrays besides the weights (e.g. archetypes, cluster patterns), from the trained network and
    /// every row; they go into the saved state, from which <see cref="Outputs"/> reads them.</summary>
    public abstract Dictionary<string, float[]> Learn(AutoencoderNetwork network, TrainingData rows);

    /// <summary>The output columns for rows of <paramref name="inputSize"/> values (<paramref name="learned"/> is empty
    /// before training): the code, then the reconstruction and the per-row error when asked for.</summary>
    public virtual IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = new List<OutputColumn> { OutputColumn.Vector(options.OutputColumnName, options.CodeSize) };
        if (options.ReconstructionColumnName is { } r) columns.Add(OutputColumn.Vector(r, inputSize));
        if (options.ReconstructionErrorColumnName is { } e) columns.Add(OutputColumn.Scalar(e));
        return columns;
    }

    /// <summary>The output columns' values for rows <paramref name="x"/>, by column name: the one definition that
    /// yields both the torch outputs and the ONNX graph.</summary>
    public abstract Dictionary<string, T> Outputs<T>(IOps<T> ops, AutoencoderNetwork network, T x, IReadOnlyDictionary<string, float[]> learned);

    /// <summary>The names key output columns' keys stand for, by column (see ModelState.KeyNames), given the training
    /// rows' groups; none by default.</summary>
    public virtual Dictionary<string, string[]> KeyNames(RowGroups? groups) => new();

    /// <summary>The latent width when the fitted model keeps its decoder as a graph of its own (for generation); null: none.</summary>
    public virtual int? DecoderInputSize => null;

    /// <summary>Outputs holding <paramref name="code"/> and, when asked for, the reconstruction and the per-row error.</summary>
    protected Dictionary<string, T> CodeAndReconstruction<T>(IOps<T> ops, T code, Func<T> reconstruct, T x)
    {
        var outputs = new Dictionary<string, T> { [options.OutputColumnName] = code };
        if (options.ReconstructionColumnName is null && options.ReconstructionErrorColumnName is null) return outputs;
        var reconstruction = reconstruct();
        if (options.ReconstructionColumnName is { } r) outputs[r] = reconstruction;
        if (options.ReconstructionErrorColumnName is { } e) outputs[e] = Losses.PerRow(ops, options.Loss, reconstruction, x);
        return outputs;
    }
}

/// <summary>A variant that reads a group for each row besides the input (SAUCIE's batches, the classifier's classes). The engine then orders
/// each epoch so that every minibatch holds each group in proportion, or the reference group and a few others in
/// numbers when there are too many groups for that (<see cref="MinibatchOrder"/>).</summary>
internal interface IGroupedVariant
{
    /// <summary>Throws, naming the column, when the input schema lacks a usable group column.</summary>
    void CheckGroupColumn(SchemaShape inputSchema);

    /// <summary>Each row's group (null when the options read none); throws, naming the column and the group, on groups the variant cannot use.</summary>
    RowGroups? ReadGroups(IDataView data, int rows);
}

/// <summary>Each row's group id (0..<c>Names.Length</c>-1), the groups' names and the reference group, which every
/// minibatch must hold in numbers (SAUCIE's reference batch; null when the groups only stratify, as classes do).</summary>
internal sealed record RowGroups(int[] Ids, string[] Names, int? Reference);
