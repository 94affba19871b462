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

    /// <summary>A sparse autoencoder: reconstruction loss plus an L1 (ReLU code) or KL (sigmoid code) sparsity penalty.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="sparsityWeight">lambda of the L1 penalty.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> SparseAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 32, double sparsityWeight = 1e-4,
        int[]? hiddenLayers = null, int epochs = 20, int? seed = null)
        => new(catalog, new SparseAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, CodeSize = codeSize,
            SparsityWeight = sparsityWeight, HiddenLayers = hiddenLayers ?? Array.Empty<int>(), Epochs = epochs, Seed = seed,
        });

    /// <summary>A sparse autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> SparseAutoencoder(this TransformsCatalog catalog, SparseAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A denoising autoencoder: trained to reconstruct clean rows from corrupted copies; the reconstruction
    /// column holds the denoised estimate.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="reconstructionColumnName">The denoised rows.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="corruption">How training inputs are corrupted.</param>
    /// <param name="noiseLevel">sigma for Gaussian noise, the probability for masking and salt-and-pepper.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> DenoisingAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", string reconstructionColumnName = "Reconstruction",
        int codeSize = 32, Corruption corruption = Corruption.Gaussian, double noiseLevel = 0.2, int[]? hiddenLayers = null,
        int epochs = 20, int? seed = null)
        => new(catalog, new DenoisingAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ReconstructionColumnName = reconstructionColumnName,
            CodeSize = codeSize, Corruption = corruption, NoiseLevel = noiseLevel, HiddenLayers = hiddenLayers ?? Array.Empty<int>(),
            Epochs = epochs, Seed = seed,
        });

    /// <summary>A denoising autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> DenoisingAutoencoder(this TransformsCatalog catalog, DenoisingAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A contractive autoencoder: reconstruction loss plus lambda times the squared Frobenius norm of the
    /// encoder's Jacobian; sigmoid code, tied weights. Its transformer gives tangent vectors of the data manifold.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="contractionWeight">lambda, the weight of the Jacobian penalty.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<ContractiveAutoencoderTransformer> ContractiveAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 32, double contractionWeight = 0.1,
        int[]? hiddenLayers = null, int epochs = 20, int? seed = null)
        => new(catalog, new ContractiveAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, CodeSize = codeSize,
            ContractionWeight = contractionWeight, HiddenLayers = hiddenLayers ?? Array.Empty<int>(), Epochs = epochs, Seed = seed,
        });

    /// <summary>A contractive autoencoder with every option.</summary>
    public static AutoencoderEstimator<ContractiveAutoencoderTransformer> ContractiveAutoencoder(this TransformsCatalog catalog, ContractiveAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A binary-code autoencoder for semantic hashing: codeSize bits per row, plus a UInt64 hash column.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The 0/1 code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Bits per code.</param>
    /// <param name="noiseStdDev">Noise added before the code sigmoid during training.</param>
    /// <param name="hashColumnName">The UInt64 column of the code's bits; null: none (needed for more than 64 bits).</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them. Null: one layer of 256.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<BinaryCodeTransformer> BinaryCodeAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 32, double noiseStdDev = 4,
        string? hashColumnName = "Hash", int[]? hiddenLayers = null, int epochs = 20, int? seed = null)
        => new(catalog, new BinaryCodeAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, CodeSize = codeSize, NoiseStdDev = noiseStdDev,
            HashColumnName = hashColumnName, HiddenLayers = hiddenLayers ?? new[] { 256 }, Epochs = epochs, Seed = seed,
        });

    /// <summary>A binary-code autoencoder with every option.</summary>
    public static AutoencoderEstimator<BinaryCodeTransformer> BinaryCodeAutoencoder(this TransformsCatalog catalog, BinaryCodeAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A variational autoencoder: the code column holds the posterior mean; the transformer decodes and generates.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The posterior-mean column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Dimension of the latent space.</param>
    /// <param name="beta">Weight of the KL term.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them. Null: one layer of 128.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<VariationalAutoencoderTransformer> VariationalAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 2, double beta = 1,
        int[]? hiddenLayers = null, int epochs = 20, int? seed = null)
        => new(catalog, new VariationalAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, CodeSize = codeSize, Beta = beta,
            HiddenLayers = hiddenLayers ?? new[] { 128 }, Epochs = epochs, Seed = seed,
        });

    /// <summary>A variational autoencoder with every option.</summary>
    public static AutoencoderEstimator<VariationalAutoencoderTransformer> VariationalAutoencoder(this TransformsCatalog catalog, VariationalAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A convolutional autoencoder on images stored as vectors (channel-major); the code is the last encoder
    /// block's output, flattened.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single holding channels × height × width values.</param>
    /// <param name="imageHeight">Image height in pixels.</param>
    /// <param name="imageWidth">Image width in pixels.</param>
    /// <param name="channels">Channels per pixel.</param>
    /// <param name="filters">Filters of each encoder block; null: 16, 8, 8.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> ConvolutionalAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int imageHeight = 28, int imageWidth = 28,
        int channels = 1, int[]? filters = null, int epochs = 20, int? seed = null)
        => new(catalog, new ConvolutionalAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ImageHeight = imageHeight, ImageWidth = imageWidth,
            Channels = channels, Filters = filters ?? new[] { 16, 8, 8 }, Epochs = epochs, Seed = seed,
        });

    /// <summary>A convolutional autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> ConvolutionalAutoencoder(this TransformsCatalog catalog, ConvolutionalAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A stacked autoencoder: greedy layer-wise pretraining of each layer, then end-to-end fine-tuning.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; null: 128, 64.</param>
    /// <param name="pretrainEpochs">Epochs of each layer's pretraining.</param>
    /// <param name="epochs">Maximum epochs of fine-tuning.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> StackedAutoencoder(this TransformsCatalog catalog,
        string outputColumnName = "Code", string inputColumnName = "Features", int codeSize = 32, int[]? hiddenLayers = null,
        int pretrainEpochs = 10, int epochs = 20, int? seed = null)
        => new(catalog, new StackedAutoencoderOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, CodeSize = codeSize,
            HiddenLayers = hiddenLayers ?? new[] { 128, 64 }, PretrainEpochs = pretrainEpochs, Epochs = epochs, Seed = seed,
        });

    /// <summary>A stacked autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> StackedAutoencoder(this TransformsCatalog catalog, StackedAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>AAnet: archetypal analysis in a learned latent space; the output column holds each row's K archetype
    /// weights (non-negative within the simplex, summing to 1).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The archetype-weights column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="archetypeCount">K, the number of archetypes.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; null: 64, 32.</param>
    /// <param name="epochs">Maximum passes over the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<ArchetypalAnalysisTransformer> ArchetypalAnalysis(this TransformsCatalog catalog,
        string outputColumnName = "ArchetypeWeights", string inputColumnName = "Features", int archetypeCount = 4,
        int[]? hiddenLayers = null, int epochs = 20, int? seed = null)
        => new(catalog, new ArchetypalAnalysisOptions
        {
            OutputColumnName = outputColumnName, InputColumnName = inputColumnName, ArchetypeCount = archetypeCount,
            HiddenLayers = hiddenLayers ?? new[] { 64, 32 }, Epochs = epochs, Seed = seed,
        });

    /// <summary>AAnet with every option.</summary>
    public static AutoencoderEstimator<ArchetypalAnalysisTransformer> ArchetypalAnalysis(this TransformsCatalog catalog, ArchetypalAnalysisOptions options)
        => new(catalog, options);

    /// <summary>SAUCIE: a 2-d embedding, clusters, denoised/imputed values and, with a batch column, batch correction,
    /// from one network (Amodio et al. 2019).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="embeddingColumnName">The 2-d embedding column.</param>
    /// <param name="inputColumnName">A known-size vector of Single (e.g. log-normalised expression, or PCA of it).</param>
    /// <param name="clusterColumnName">The cluster key column; null: no clustering.</param>
    /// <param name="batchColumnName">A text, key or integer column naming each row's batch; null: no batch correction.</param>
    /// <param name="epochs">Maximum passes over the data (per stage).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<SaucieTransformer> Saucie(this TransformsCatalog catalog,
        string embeddingColumnName = "Embedding", string inputColumnName = "Features", string? clusterColumnName = "Cluster",
        string? batchColumnName = null, int epochs = 50, int? seed = null)
        => new(catalog, new SaucieOptions
        {
            EmbeddingColumnName = embeddingColumnName, InputColumnName = inputColumnName, ClusterColumnName = clusterColumnName,
            BatchColumnName = batchColumnName, Epochs = epochs, Seed = seed,
        });

    /// <summary>SAUCIE with every option.</summary>
    public static AutoencoderEstimator<SaucieTransformer> Saucie(this TransformsCatalog catalog, SaucieOptions options)
        => new(catalog, options);
}
