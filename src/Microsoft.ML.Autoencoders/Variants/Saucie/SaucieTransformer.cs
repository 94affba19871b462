using Microsoft.ML.Autoencoders.Onnx;

namespace Microsoft.ML.Autoencoders;

/// <summary>A fitted SAUCIE model: embedding, clusters (a key column), corrected and denoised values; the analysis
/// package adds the sample-level analysis (<c>AnalyzeSamples</c>).</summary>
public sealed class SaucieTransformer : AutoencoderTransformer
{
    internal SaucieTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state) { }

    /// <summary>Number of clusters (after any merging); 0 without clustering.</summary>
    public int ClusterCount => SaucieClusters.Count(State.Arrays);
}
