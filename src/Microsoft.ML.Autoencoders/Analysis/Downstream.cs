namespace Microsoft.ML.Autoencoders.Analysis;

/// <summary>How well features serve a downstream supervised learner: the measure of a featurizer.</summary>
public static class Downstream
{
    /// <summary>Micro-accuracy on <paramref name="test"/> of ML.NET's <c>SdcaMaximumEntropy</c> (min-max normalised features, at most 30 passes) trained on
    /// <paramref name="train"/>, with <paramref name="featurizer"/> (already fitted, e.g. an autoencoder trained on
    /// unlabeled rows; null: the raw column) applied first.</summary>
    public static double MulticlassAccuracy(MLContext mlContext, ITransformer? featurizer, string featureColumnName, string labelColumnName,
        IDataView train, IDataView test, int? seed = null)
    {
        var trainFeatures = featurizer?.Transform(train) ?? train;
        var classifier = mlContext.Transforms.Conversion.MapValueToKey("__label", labelColumnName)
            .Append(mlContext.Transforms.NormalizeMinMax("__features", featureColumnName))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("__label", "__features", maximumNumberOfIterations: 30))
            .Fit(trainFeatures);
        var predictions = classifier.Transform(featurizer?.Transform(test) ?? test);
        return mlContext.MulticlassClassification.Evaluate(predictions, "__label").MicroAccuracy;
    }
}
