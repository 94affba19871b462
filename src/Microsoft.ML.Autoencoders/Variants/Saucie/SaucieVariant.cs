using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>SAUCIE (docs/methods.md#saucie). With batch correction and clustering both asked for, Fit runs the
/// authors' two stages: the correcting stage as a phase of its own, then the main stage on its corrected output.</summary>
internal sealed class SaucieVariant(SaucieOptions options) : AutoencoderVariant<SaucieNetwork>(options), IGroupedVariant
{
    public const string ClusterEntropyTerm = "cluster entropy", IntraClusterTerm = "intra-cluster", BatchTerm = "batch";
    private const double ZScoreWeight = 0.01;

    private bool TwoStages => options.Clustering && options.BatchCorrection;

    private const string InputScale = "inputScale";

    /// <summary>Takes the training rows' root mean square deviation, the unit the stages and their penalties work in;
    /// checks that the reference batch kept rows to compare with after the validation split.</summary>
    public override Dictionary<string, float[]> Prepare(TrainingData train)
    {
        if (train.Groups is { Reference: int reference } groups && groups.Ids.Count(id => id == reference) is var kept and < 2)
            throw new InvalidOperationException($"The reference batch '{groups.Names[reference]}' of column '{options.BatchColumnName}' has {kept} training row(s) left after ValidationFraction's split; expected at least 2. Choose a larger ReferenceBatch or a smaller ValidationFraction.");
        return new() { [InputScale] = new[] { (float)train.RootMeanSquareDeviation() } };
    }

    /// <summary>The network in the unit of the scale Prepare took (a model saved before SAUCIE scaled its input has none: 1).</summary>
    public override SaucieNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays)
    {
        double scale = arrays.TryGetValue(InputScale, out var found) ? found.FirstOrDefault(float.NaN) : 1;
        if (!(scale > 0 && double.IsFinite(scale)))
            throw new InvalidDataException($"The model's SAUCIE input scale is {scale}; expected one positive finite value.");
        return new(inputSize, options, TwoStages, scale);
    }

    // ---- Batches: the groups the engine reads ----------------------------------------------------------------------

    public void CheckGroupColumn(SchemaShape inputSchema)
    {
        if (!options.BatchCorrection) return;
        var found = inputSchema.Where(c => c.Name == options.BatchColumnName).Cast<SchemaShape.Column?>().FirstOrDefault();
        if (found is not SchemaShape.Column column)
            throw new ArgumentOutOfRangeException(nameof(SaucieOptions.BatchColumnName), $"{nameof(SaucieOptions.BatchColumnName)}: column '{options.BatchColumnName}' was not found in the data; expected a scalar text, key or integer column.");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !CategoryReader.IsCategorical(column.ItemType))
            throw new ArgumentOutOfRangeException(nameof(SaucieOptions.BatchColumnName), $"{nameof(SaucieOptions.BatchColumnName)}: column '{options.BatchColumnName}' is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected a scalar text, key or integer column.");
    }

    /// <summary>Each row's batch; the reference is <see cref="SaucieOptions.ReferenceBatch"/> or the largest batch.
    /// A batch needs two rows (its z-scores need a spread); with batches too small or too many for every minibatch to
    /// hold each, minibatches hold the reference and a few batches each (<see cref="MinibatchOrder"/>).</summary>
    public RowGroups? ReadGroups(IDataView data, int rows)
    {
        if (!options.BatchCorrection) return null;
        // Checked at Fit, not in the options: a model saved with a smaller BatchSize still loads.
        if (options.BatchSize < 2 * MinibatchOrder.GroupRows)
            throw new ArgumentOutOfRangeException(nameof(SaucieOptions.BatchSize), $"BatchSize is {options.BatchSize}; expected at least {2 * MinibatchOrder.GroupRows} with batch correction (a minibatch holds the reference and other batches, {MinibatchOrder.GroupRows} rows each).");
        var (codes, names) = CategoryReader.Read(data, options.BatchColumnName!, nameof(SaucieOptions.BatchColumnName));
        if (names.Length < 2)
            throw new InvalidOperationException($"Batch column '{options.BatchColumnName}' holds one batch ('{names[0]}'); batch correction needs at least two. Set BatchColumnName to null to train without it.");
        var counts = new int[names.Length];
        foreach (var c in codes) counts[c]++;
        int reference = Array.IndexOf(counts, counts.Max());
        if (options.ReferenceBatch is { } name)
        {
            reference = Array.IndexOf(names, name);
            if (reference < 0)
                throw new ArgumentOutOfRangeException(nameof(SaucieOptions.ReferenceBatch), $"ReferenceBatch '{name}' is not a batch of column '{options.BatchColumnName}'; its batches are {string.Join(", ", names.Select(n => $"'{n}'"))}.");
        }
        for (int b = 0; b < names.Length; b++)
            if (counts[b] < 2)
                throw new InvalidOperationException($"Batch '{names[b]}' of column '{options.BatchColumnName}' has {counts[b]} row of {rows}; expected at least 2 rows per batch (its z-scores need a spread). Leave it out or merge it with a like batch.");
        return new RowGroups(codes, names, reference);
    }

    // ---- Training ------------------------------------------------------------------------------------------------

    /// <summary>With two stages, the correcting stage is trained first, as its own phase.</summary>
    protected override void Pretrain(TrainingSession session, SaucieNetwork network, TrainingData train, TrainingData? validation)
    {
        if (!TwoStages) return;
        var corrector = network.Corrector!;
        session.Run(new TrainingPhase("batch correction", corrector, batch => StageLoss(corrector, network.Scaled(TorchOps.Instance, batch.Target), batch.Groups, batchTerms: true, clusterTerms: false), options.EpochsFor(train.Count), NeedsReference: true,
            EpochsOption: options.Steps is null ? nameof(options.Epochs) : nameof(options.Steps)), train, validation);
    }

    /// <summary>One stage with batch correction compares batches with the reference; in two stages the main one does not.</summary>
    protected override TrainingPhase MainPhase(SaucieNetwork network, TrainingData train)
        => base.MainPhase(network, train) with
        {
            NeedsReference = options.BatchCorrection && !TwoStages,
            Epochs = options.EpochsFor(train.Count),
            EpochsOption = options.Steps is null ? nameof(options.Epochs) : nameof(options.Steps),
        };

    protected override TrainingLoss Objective(SaucieNetwork network, Minibatch batch)
    {
        // In two stages the main stage learns the corrected data of the frozen correcting stage; batches no longer matter to it.
        Tensor stageInput;
        using (no_grad()) stageInput = network.StageInput(TorchOps.Instance, network.Scaled(TorchOps.Instance, batch.Target));
        return StageLoss(network.Main, stageInput, batch.Groups, batchTerms: options.BatchCorrection && !TwoStages, options.Clustering);
    }

    private TrainingLoss StageLoss(SaucieStage stage, Tensor x, GroupIds? groups, bool batchTerms, bool clusterTerms)
    {
        var (embedding, clustering, reconstruction) = stage.Run(TorchOps.Instance, x);
        TrainingLoss loss;
        if (batchTerms && groups is not null)
        {
            loss = TrainingLoss.Reconstruction(SauciePenalties.BatchReconstruction(reconstruction, x, groups.Ids, (int)groups.Reference!, groups.Count, ZScoreWeight))
                .Add(BatchTerm, options.BatchWeight, SauciePenalties.BatchMmd(embedding, groups.Ids, (int)groups.Reference!, groups.Count));
        }
        else loss = TrainingLoss.Reconstruction(nn.functional.mse_loss(reconstruction, x));
        if (!clusterTerms) return loss;
        loss = loss.Add(ClusterEntropyTerm, options.ClusterWeight, SauciePenalties.InformationDimension(clustering));
        return options.IntraClusterWeight > 0 ? loss.Add(IntraClusterTerm, options.IntraClusterWeight, SauciePenalties.WithinClusterDistance(clustering, x)) : loss;
    }

    protected override Dictionary<string, float[]> Learn(SaucieNetwork network, TrainingData rows)
        => options.Clustering ? SaucieClusters.Learn(network, rows, options.MinClusterSizeFor(rows.Count), options.ClusterMergeNeighbours, options.ClusterMergeDistance) : new();

    // ---- Outputs -------------------------------------------------------------------------------------------------

    /// <summary>The embedding, the corrected (and denoised) data, its error, and the cluster key column.</summary>
    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = base.OutputColumns(inputSize, learned).ToList();
        if (options.Clustering) columns.Add(OutputColumn.Scalar(options.ClusterColumnName!, OutputType.Key, thresholded: true, keyCount: SaucieClusters.Count(learned)));
        return columns;
    }

    protected override Dictionary<string, T> Outputs<T>(IOps<T> ops, SaucieNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var (embedding, clustering, corrected) = network.Run(ops, x);
        var outputs = CodeAndReconstruction(ops, embedding, () => corrected, x);
        if (options.Clustering) outputs[options.ClusterColumnName!] = SaucieClusters.Ids(ops, clustering, learned);
        return outputs;
    }

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new SaucieTransformer(catalog, state);
}
