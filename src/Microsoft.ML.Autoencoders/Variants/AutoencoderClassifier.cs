using System.Text.Json.Serialization;
using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using Microsoft.ML.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of the autoencoder classifier on <c>mlContext.MulticlassClassification.Trainers</c>: an encoder
/// (pretrained on unlabelled rows, or new) with a softmax layer on its code, trained end to end on labelled rows with
/// cross-entropy: the last step of greedy layer-wise pretraining (docs/methods.md#supervised-fine-tuning).</summary>
public sealed class AutoencoderClassifierOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new ClassifierVariant(this);

    /// <summary>The score column as ML.NET's multiclass trainers name it.</summary>
    public AutoencoderClassifierOptions() => OutputColumnName = AutoencoderClassifier.ScoreColumnName;

    /// <summary>The label: a scalar key column (UInt32, as <c>MapValueToKey</c> makes it), one class per key value.</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>A fitted autoencoder whose encoder starts the classifier (its layers and code size are used, and trained
    /// further); null: the encoder of <see cref="AutoencoderOptions.HiddenLayers"/> and
    /// <see cref="AutoencoderOptions.CodeSize"/>, from scratch.</summary>
    [JsonIgnore]
    public AutoencoderTransformer? PretrainedEncoder { get; set; }

    /// <summary>With a <see cref="PretrainedEncoder"/>: the encoder's learning rate as a multiple of
    /// <see cref="AutoencoderOptions.LearningRate"/>, in (0, 1]; the new head learns at the full rate. A smaller rate
    /// keeps what pretraining learned from being overwritten by the first, large gradients of an untrained head
    /// (docs/methods.md#supervised-fine-tuning). Default 0.1.</summary>
    public double EncoderLearningRateFactor { get; set; } = 0.1;

    /// <summary>With a <see cref="PretrainedEncoder"/>: epochs that train only the head, the encoder frozen, before
    /// the whole network trains; 0 for none. Default 10.</summary>
    public int FrozenEncoderEpochs { get; set; } = 10;

    /// <summary>A fitted classifier holds the encoder's trained weights itself, not the pretrained model.</summary>
    private protected override void DropFitState() => PretrainedEncoder = null;

    internal override void Validate()
    {
        base.Validate();
        if (string.IsNullOrEmpty(LabelColumnName))
            throw new ArgumentException($"Option {nameof(LabelColumnName)} is empty; expected the name of a key column.", nameof(LabelColumnName));
        if (OutputColumnName != AutoencoderClassifier.ScoreColumnName)
            throw new ArgumentException($"Option {nameof(OutputColumnName)} is '{OutputColumnName}'; a multiclass classifier's score column is '{AutoencoderClassifier.ScoreColumnName}'.", nameof(OutputColumnName));
        if (ReconstructionColumnName is not null || ReconstructionErrorColumnName is not null)
            throw new ArgumentException($"A classifier has no reconstruction; expected {nameof(ReconstructionColumnName)} and {nameof(ReconstructionErrorColumnName)} null.", nameof(ReconstructionColumnName));
        Check.Option(EncoderLearningRateFactor > 0 && EncoderLearningRateFactor <= 1, nameof(EncoderLearningRateFactor), EncoderLearningRateFactor, "a factor in (0, 1]");
        Check.Option(FrozenEncoderEpochs >= 0, nameof(FrozenEncoderEpochs), FrozenEncoderEpochs, "0 or more");
        if (PretrainedEncoder?.State.Options is AutoencoderClassifierOptions)
            throw new ArgumentException($"Option {nameof(PretrainedEncoder)} is a classifier; expected an autoencoder (its encoder is what is reused).", nameof(PretrainedEncoder));
        if (PretrainedEncoder is { } encoder && encoder.State.Options.InputColumnName != InputColumnName)
            throw new ArgumentException($"Option {nameof(PretrainedEncoder)} reads column '{encoder.State.Options.InputColumnName}', this classifier '{InputColumnName}'; expected the same input.", nameof(PretrainedEncoder));
    }
}

/// <summary>Names of the classifier's columns, as ML.NET's multiclass trainers have them.</summary>
public static class AutoencoderClassifier
{
    /// <summary>The vector of class probabilities, in the label's key order.</summary>
    public const string ScoreColumnName = FirstPartyChain.ScoreColumn;

    /// <summary>The predicted class, a key of the label's cardinality.</summary>
    public const string PredictedLabelColumnName = FirstPartyChain.PredictedLabelColumn;
}

/// <summary>An autoencoder's network with a linear layer on its code: the encoder's logits for each class.</summary>
internal sealed class ClassifierNetwork : AutoencoderNetwork
{
    private readonly AutoencoderNetwork _autoencoder;
    private readonly Linear _head;

    public ClassifierNetwork(AutoencoderNetwork autoencoder, int codeSize, int classes) : base(nameof(ClassifierNetwork))
    {
        _autoencoder = autoencoder;
        _head = nn.Linear(codeSize, classes);
        RegisterComponents();
    }

    public T Logits<T>(IOps<T> ops, T x) => Head(ops, _autoencoder.Encode(ops, x));
    public T Head<T>(IOps<T> ops, T code) => ops.Linear(code, _head.weight!, _head.bias);

    /// <summary>The new layer, which the frozen-encoder phase trains alone.</summary>
    public Linear HeadLayer => _head;

    /// <summary>The encoder's parameters (the pretrained ones).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> EncoderParameters => _autoencoder.parameters();
    public override T Encode<T>(IOps<T> ops, T x) => _autoencoder.Encode(ops, x);
    public override T Decode<T>(IOps<T> ops, T z) => _autoencoder.Decode(ops, z);
}

/// <summary>The classifier as a variant: its classes are the label's key values, read as the engine reads groups, so
/// every minibatch holds each class in proportion.</summary>
internal sealed class ClassifierVariant(AutoencoderClassifierOptions options) : AutoencoderVariant<ClassifierNetwork>(options), IGroupedVariant
{
    private const string Classes = "classes";

    /// <summary>The predicted label's keys stand for the label's key values (as text), as ML.NET's classifiers keep them.</summary>
    public override Dictionary<string, string[]> KeyNames(RowGroups? groups) => new() { [AutoencoderClassifier.PredictedLabelColumnName] = groups!.Names };

    /// <summary>The class count: every value of the training label's key, present or not.</summary>
    public override Dictionary<string, float[]> Prepare(TrainingData train) => new() { [Classes] = new float[] { train.Groups!.Names.Length } };

    public override void CheckInputSize(int inputSize, string column)
    {
        if (options.PretrainedEncoder is { } encoder && encoder.InputSize != inputSize)
            throw new ArgumentException($"Column '{column}' has {inputSize} values a row; the {nameof(options.PretrainedEncoder)} was trained on {encoder.InputSize}.", nameof(options.PretrainedEncoder));
    }

    public override ClassifierNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays)
    {
        int classes = ClassCount(arrays);
        if (options.PretrainedEncoder is not { } encoder) return new(new DenseAutoencoderNetwork(inputSize, options), options.CodeSize, classes);
        var pretrained = encoder.State;
        return new(TrainingEngine.Restore(pretrained, pretrained.Options.CreateVariant(), nameof(options.PretrainedEncoder)), encoder.CodeSize, classes);
    }

    /// <summary>The class count of <paramref name="arrays"/> (1 before training); a model file is untrusted, so it must be
    /// one whole number from 2.</summary>
    private static int ClassCount(IReadOnlyDictionary<string, float[]> arrays)
    {
        if (!arrays.TryGetValue(Classes, out var k)) return 1;
        if (k.Length != 1 || !(k[0] >= 2 && k[0] <= 1 << 20) || k[0] != Math.Floor(k[0]))
            throw new InvalidDataException($"The model's class count is [{string.Join(", ", k)}]; expected one whole number from 2.");
        return (int)k[0];
    }

    protected override TrainingLoss Objective(ClassifierNetwork network, Minibatch batch) => Loss(network.Logits(TorchOps.Instance, batch.Input), batch);

    private static TrainingLoss Loss(Tensor logits, Minibatch batch)
    {
        var crossEntropy = nn.functional.cross_entropy(logits, batch.Groups!.Ids);
        return new TrainingLoss(crossEntropy, new Dictionary<string, Tensor> { ["cross-entropy"] = crossEntropy });
    }

    /// <summary>A pretrained encoder first stays frozen while the new head learns (FrozenEncoderEpochs): its codes
    /// are computed without gradients, and Adam moves only the head.</summary>
    protected override void Pretrain(TrainingSession session, ClassifierNetwork network, TrainingData train, TrainingData? validation)
    {
        if (options.PretrainedEncoder is null || options.FrozenEncoderEpochs == 0) return;
        session.Run(new TrainingPhase("head", network.HeadLayer, batch =>
        {
            Tensor code;
            using (no_grad()) code = network.Encode(TorchOps.Instance, batch.Input);
            return Loss(network.Head(TorchOps.Instance, code), batch);
        }, options.FrozenEncoderEpochs, EpochsOption: nameof(options.FrozenEncoderEpochs), WarmUp: true), train, validation);
    }

    /// <summary>Then the whole network, a pretrained encoder at EncoderLearningRateFactor of the rate.</summary>
    protected override TrainingPhase MainPhase(ClassifierNetwork network, TrainingData train) => options.PretrainedEncoder is null
        ? base.MainPhase(network, train)
        : base.MainPhase(network, train) with { LearningRateFactors = network.EncoderParameters.ToDictionary<Parameter, Parameter, double>(p => p, _ => options.EncoderLearningRateFactor, ReferenceEqualityComparer.Instance) };


    /// <summary><c>Score</c>, the class probabilities, and <c>PredictedLabel</c>, the most probable class as a key.</summary>
    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        int classes = ClassCount(learned);
        return new[]
        {
            OutputColumn.Vector(AutoencoderClassifier.ScoreColumnName, classes),
            OutputColumn.Scalar(AutoencoderClassifier.PredictedLabelColumnName, OutputType.Key, thresholded: true, keyCount: classes),
        };
    }

    protected override Dictionary<string, T> Outputs<T>(IOps<T> ops, ClassifierNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var logits = network.Logits(ops, x);
        return new()
        {
            [AutoencoderClassifier.ScoreColumnName] = ops.Softmax(logits),
            [AutoencoderClassifier.PredictedLabelColumnName] = ops.Affine(ops.ArgMax(logits), 1, 1),
        };
    }

    /// <summary>The key's values as text (ML.NET keeps a label's original values there), or null when it has none or
    /// they do not name the classes apart.</summary>
    private static string[]? KeyValueNames(DataViewSchema.Column column, int classes)
    {
        if (column.Annotations.Schema.GetColumnOrNull("KeyValues") is not { Type: VectorDataViewType { ItemType: var item } }) return null;
        var read = typeof(ClassifierVariant).GetMethod(nameof(ReadKeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(item.RawType);
        var names = (string[])read.Invoke(null, new object[] { column })!;
        return names.Length == classes && names.All(n => n.Length > 0) && names.Distinct().Count() == classes ? names : null;
    }

    private static string[] ReadKeyValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.Annotations.GetValue("KeyValues", ref values);
        return values.DenseValues().Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray();
    }

    // ---- The label, read as groups ---------------------------------------------------------------------------------

    public void CheckGroupColumn(SchemaShape inputSchema)
    {
        var found = inputSchema.Where(c => c.Name == options.LabelColumnName).Cast<SchemaShape.Column?>().FirstOrDefault();
        if (found is not SchemaShape.Column column) throw LabelError("not found in the data");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || !column.IsKey || column.ItemType.RawType != typeof(uint))
            throw LabelError($"{column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}");
    }

    private ArgumentOutOfRangeException LabelError(string found)
        => new(nameof(options.LabelColumnName), $"{nameof(options.LabelColumnName)}: column '{options.LabelColumnName}' is {found}; expected a scalar UInt32 key column, as MapValueToKey makes it.");

    /// <summary>Each row's class (its key minus one); the classes are all the key's values, present or not.</summary>
    public RowGroups ReadGroups(IDataView data, int rows)
    {
        var column = data.Schema.GetColumnOrNull(options.LabelColumnName) ?? throw LabelError("not found in the data");
        if (column.Type is not KeyDataViewType { RawType: var raw } keyType || raw != typeof(uint)) throw LabelError(column.Type.ToString()!);
        int classes = checked((int)keyType.Count);
        if (classes < 2)
            throw new InvalidOperationException($"Label column '{options.LabelColumnName}' has {classes} class; a classifier needs at least two.");
        var ids = new int[rows];
        int row = 0;
        using (var cursor = data.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<uint>(column);
            uint key = 0;
            for (; cursor.MoveNext() && row < rows; row++)
            {
                getter(ref key);
                if (key == 0 || key > classes)
                    throw new InvalidOperationException($"Label column '{options.LabelColumnName}', row {row} has {(key == 0 ? "a missing label" : $"key {key}")}; expected a key from 1 to {classes}.");
                ids[row] = (int)key - 1;
            }
        }
        if (row != rows)
            throw new InvalidOperationException($"Label column '{options.LabelColumnName}' has {row} rows; the features have {rows}.");
        var names = KeyValueNames(column, classes) ?? Enumerable.Range(1, classes).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        // Validation rows are matched to the training rows' classes by name (TrainingEngine.ReadValidation), so their key
        // may list the classes in another order without changing the model's.
        return new RowGroups(ids, names, Reference: null);
    }
}
