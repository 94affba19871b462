using Microsoft.ML.Autoencoders;

namespace Microsoft.ML;

/// <summary>The autoencoders on <c>mlContext.Transforms</c>.</summary>
public static class AutoencoderCatalog
{
    /// <summary>A dense undercomplete autoencoder: the code column holds f(x), trained so that g(f(x)) ≈ x.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed of initialisation, shuffling and the validation split; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> Autoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 32, int[]? hiddenLayers = null,
        int epochs = 20, int? seed = null)
        => new(catalog, new AutoencoderOptions
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName,
            CodeSize = codeSize,
            HiddenLayers = hiddenLayers ?? Array.Empty<int>(),
            Epochs = epochs,
            Seed = seed,
        });

    /// <summary>A dense undercomplete autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> Autoencoder(this TransformsCatalog catalog, AutoencoderOptions options)
        => new(catalog, options);
}
