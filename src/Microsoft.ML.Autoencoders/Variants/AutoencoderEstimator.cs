using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Training;

namespace Microsoft.ML.Autoencoders;

/// <summary>Trains an autoencoder variant on the input column; made by the catalog methods such as
/// <c>mlContext.Transforms.Autoencoder(...)</c>.</summary>
public sealed class AutoencoderEstimator<TTransformer> : IEstimator<TTransformer> where TTransformer : AutoencoderTransformer
{
    private readonly TransformsCatalog _catalog;
    private readonly AutoencoderOptions _options;

    internal AutoencoderEstimator(TransformsCatalog catalog, AutoencoderOptions options)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        ArgumentNullException.ThrowIfNull(options);
        // A copy: changes the caller makes to the options later do not reach this estimator.
        _options = options.Clone();
        _options.CreateVariant().Validate();
    }

    /// <summary>Trains on every row of the input column and returns the fitted transformer.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var variant = _options.Clone().CreateVariant();
        var state = TrainingEngine.Train(MLNetEnvironment.Of(_catalog), variant, input);
        return (TTransformer)variant.CreateTransformer(_catalog, state);
    }

    /// <summary>The input schema plus the output columns the variant declares (no training, torch or ONNX Runtime involved).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        DataReader.Check(inputSchema, _options.InputColumnName);
        var variant = _options.CreateVariant();
        (variant as IGroupedVariant)?.CheckGroupColumn(inputSchema);
        return ColumnTypes.Append(inputSchema, variant.OutputColumns(inputSize: 1));
    }
}
