using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>A variant: its options, network, loss, corruption and outputs (docs/architecture.md#the-variant-contract).
/// Each options class creates its variant (<see cref="AutoencoderOptions.CreateVariant"/>), so adding a variant is one
/// file (docs/architecture.md#adding-a-variant).</summary>
internal abstract class AutoencoderVariant(AutoencoderOptions options) : TrainingVariant(options)
{
    private static readonly IReadOnlyDictionary<string, float[]> NothingLearned = new Dictionary<string, float[]>();

    /// <summary>Throws when an option is out of range or two output columns share a name.</summary>
    public void Validate()
    {
        Options.Validate();
        var names = ColumnNames(1).ToList();
        if (names.Distinct().Count() != names.Count)
            throw new ArgumentException($"Output column names must differ from each other; found {string.Join(", ", names.Select(o => $"'{o}'"))}.", nameof(AutoencoderOptions.OutputColumnName));
        if (Options.InputColumnName == MLNet.FirstPartyChain.ScoreColumn && OutputColumns(1).Any(c => c.IsMLNetScalar))
            throw new ArgumentException($"Option {nameof(AutoencoderOptions.InputColumnName)} is '{MLNet.FirstPartyChain.ScoreColumn}', the column the scalar outputs pass through (docs/conventions.md#column-types); rename the input column.", nameof(AutoencoderOptions.InputColumnName));
    }

    /// <summary>The output columns declared before training.</summary>
    public IReadOnlyList<OutputColumn> OutputColumns(int inputSize) => OutputColumns(inputSize, NothingLearned);

    /// <summary>The columns a fitted model adds.</summary>
    public IEnumerable<string> ColumnNames(int inputSize) => OutputColumns(inputSize).Select(c => c.Name);

    /// <summary>The width of the code for rows of <paramref name="inputSize"/> values.</summary>
    public int CodeSize(int inputSize) => OutputColumns(inputSize)[0].Width;

    /// <summary>The typed transformer of a fitted model of this variant.</summary>
    public virtual AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new(catalog, state);
}

/// <summary>A variant written against its own network type; the engine's untyped calls are narrowed here, once.</summary>
internal abstract class AutoencoderVariant<TNetwork>(AutoencoderOptions options) : AutoencoderVariant(options) where TNetwork : AutoencoderNetwork
{
    /// <summary>The network; <paramref name="arrays"/> holds what <see cref="TrainingVariant.Prepare"/> took from the rows.</summary>
    public abstract TNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays);
    protected abstract TrainingLoss Objective(TNetwork network, Minibatch batch);
    protected virtual TrainingPhase MainPhase(TNetwork network, TrainingData train) => base.MainPhase(network, train);

    /// <summary>The code, the reconstruction and the per-row error, by default.</summary>
    protected virtual Dictionary<string, T> Outputs<T>(IOps<T> ops, TNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var code = network.Encode(ops, x);
        return CodeAndReconstruction(ops, code, () => network.Decode(ops, code), x);
    }

    protected virtual void Pretrain(TrainingSession session, TNetwork network, TrainingData train, TrainingData? validation) { }
    protected virtual Dictionary<string, float[]> Learn(TNetwork network, TrainingData rows) => new();

    public sealed override AutoencoderNetwork CreateNetwork(int inputSize, IReadOnlyDictionary<string, float[]> arrays) => Network(inputSize, arrays);
    public sealed override TrainingPhase MainPhase(AutoencoderNetwork network, TrainingData train) => MainPhase((TNetwork)network, train);
    public sealed override TrainingLoss Objective(AutoencoderNetwork network, Minibatch batch) => Objective((TNetwork)network, batch);
    public sealed override void Pretrain(TrainingSession session, AutoencoderNetwork network, TrainingData train, TrainingData? validation) => Pretrain(session, (TNetwork)network, train, validation);
    public sealed override Dictionary<string, float[]> Learn(AutoencoderNetwork network, TrainingData rows) => Learn((TNetwork)network, rows);
    public sealed override Dictionary<string, T> Outputs<T>(IOps<T> ops, AutoencoderNetwork network, T x, IReadOnlyDictionary<string, float[]> learned) => Outputs(ops, (TNetwork)network, x, learned);
}

/// <summary>The dense undercomplete or deep autoencoder (docs/methods.md#undercomplete-and-deep-autoencoders); the
/// base of the variants that change only its loss, its input or its outputs.</summary>
internal class DenseVariant(AutoencoderOptions options) : AutoencoderVariant<DenseAutoencoderNetwork>(options)
{
    public override DenseAutoencoderNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays) => new(inputSize, Options);

    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch)
        => TrainingLoss.Reconstruction(Losses.Mean(Options.Loss, network.forward(batch.Input), batch.Target));
}
