using Microsoft.ML.Autoencoders.Onnx;
using static TorchSharp.torch;

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
        options.Validate();
        // A copy: changes the caller makes to the options later do not reach this estimator.
        _options = options.Clone();
    }

    /// <summary>Trains on every row of the input column and returns the fitted transformer.</summary>
    public TTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var variant = _options.Clone().CreateVariant();
        var state = TrainingEngine.Train(MLNetEnvironment.Of(_catalog), variant, input);
        return (TTransformer)variant.CreateTransformer(_catalog, state);
    }

    /// <summary>The input schema plus the output columns, taken from the first-party ONNX estimator the fitted model
    /// is made of (applied to a same-shaped graph with untrained weights).</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        DataReader.Check(inputSchema, _options.InputColumnName);
        var variant = _options.Clone().CreateVariant();
        variant.CheckSchema(inputSchema);
        int size = variant.TemplateInputSize;
        var state = new ModelState { Options = _options, InputSize = size, Outputs = variant.OutputColumns(size), History = Array.Empty<EpochMetrics>(), BestEpoch = 0 };
        lock (TorchRuntime.Gate)
        {
            using var scope = NewDisposeScope();
            using var network = variant.CreateNetwork(size);
            state.WithGraph(GraphExport.Build(variant, network, state));
        }
        return FirstPartyChain.Estimator(_catalog, state).GetOutputSchema(inputSchema);
    }
}
