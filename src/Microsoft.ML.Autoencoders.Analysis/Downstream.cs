using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Microsoft.ML.Autoencoders.Analysis;

/// <summary>The supervised task a featurizer is judged by.</summary>
public enum DownstreamTask
{
    /// <summary>Any scalar label; metric: micro-accuracy.</summary>
    MulticlassClassification,
    /// <summary>A Boolean label; metric: area under the ROC curve.</summary>
    BinaryClassification,
    /// <summary>A Single label; metric: R².</summary>
    Regression,
}

/// <summary>How well features serve a downstream supervised learner: the measure of a featurizer.</summary>
public static class Downstream
{
    private const string Features = "__downstream_features", Label = "__downstream_label";

    /// <summary>Micro-accuracy on <paramref name="test"/> of ML.NET's <c>SdcaMaximumEntropy</c> (min-max normalised features,
    /// at most 30 passes) trained on <paramref name="train"/>, with <paramref name="featurizer"/> (already fitted, e.g. an
    /// autoencoder trained on unlabeled rows; null: the raw column) applied first.</summary>
    public static double MulticlassAccuracy(MLContext mlContext, ITransformer? featurizer, string featureColumnName, string labelColumnName,
        IDataView train, IDataView test)
        => Evaluate(mlContext, DownstreamTask.MulticlassClassification, featurizer, featureColumnName, labelColumnName, train, test);

    /// <summary>The task's metric (higher is better) on <paramref name="test"/> of a learner trained on <paramref name="train"/>
    /// after <paramref name="featurizer"/>. The learner is <paramref name="trainer"/> (reading columns named by
    /// <see cref="FeatureColumn"/> and <see cref="LabelColumn"/>) or the linear default: SDCA maximum entropy, SDCA logistic
    /// regression or SDCA regression, at most 30 passes on one thread, on min-max normalised features. With a seeded
    /// <paramref name="mlContext"/> of its own, the result is repeatable.</summary>
    public static double Evaluate(MLContext mlContext, DownstreamTask task, ITransformer? featurizer, string featureColumnName, string labelColumnName,
        IDataView train, IDataView test, Func<MLContext, IEstimator<ITransformer>>? trainer = null)
    {
        CheckLabel(train.Schema, labelColumnName, task);
        var trainFeatures = featurizer?.Transform(train) ?? train;
        var testFeatures = featurizer?.Transform(test) ?? test;
        var t = mlContext.Transforms;
        IEstimator<ITransformer> prepare = task == DownstreamTask.MulticlassClassification
            ? t.Conversion.MapValueToKey(Label, labelColumnName).Append(t.NormalizeMinMax(Features, featureColumnName))
            : t.CopyColumns(Label, labelColumnName).Append(t.NormalizeMinMax(Features, featureColumnName));
        // One thread: SDCA's multi-threaded updates make results vary from run to run.
        var learner = trainer?.Invoke(mlContext) ?? task switch
        {
            DownstreamTask.MulticlassClassification => mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy(new SdcaMaximumEntropyMulticlassTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = 30, NumberOfThreads = 1 }),
            DownstreamTask.BinaryClassification => (IEstimator<ITransformer>)mlContext.BinaryClassification.Trainers.SdcaLogisticRegression(new SdcaLogisticRegressionBinaryTrainer.Options
            { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = 30, NumberOfThreads = 1 }),
            _ => mlContext.Regression.Trainers.Sdca(new SdcaRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features, MaximumNumberOfIterations = 30, NumberOfThreads = 1 }),
        };
        var predictions = prepare.Append(learner).Fit(trainFeatures).Transform(testFeatures);
        return task switch
        {
            DownstreamTask.MulticlassClassification => mlContext.MulticlassClassification.Evaluate(predictions, Label).MicroAccuracy,
            DownstreamTask.BinaryClassification => mlContext.BinaryClassification.Evaluate(predictions, Label).AreaUnderRocCurve,
            _ => mlContext.Regression.Evaluate(predictions, Label).RSquared,
        };
    }

    /// <summary>The column names a custom trainer reads.</summary>
    public static string FeatureColumn => Features;

    /// <inheritdoc cref="FeatureColumn"/>
    public static string LabelColumn => Label;

    /// <summary>Throws unless the label column exists and suits the task.</summary>
    public static void CheckLabel(DataViewSchema schema, string labelColumnName, DownstreamTask task)
    {
        var column = schema.GetColumnOrNull(labelColumnName)
            ?? throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Label column '{labelColumnName}' was not found in the data.");
        var type = column.Type;
        bool fits = task switch
        {
            DownstreamTask.BinaryClassification => type == BooleanDataViewType.Instance,
            DownstreamTask.Regression => type == NumberDataViewType.Single,
            _ => type is not VectorDataViewType,
        };
        if (!fits)
            throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Label column '{labelColumnName}' is {type}; {task} expects " + task switch
            {
                DownstreamTask.BinaryClassification => "a Boolean label.",
                DownstreamTask.Regression => "a Single label.",
                _ => "a scalar label (text, key or number).",
            });
    }
}
