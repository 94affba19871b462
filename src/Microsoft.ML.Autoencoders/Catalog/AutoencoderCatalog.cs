using Microsoft.ML.Autoencoders;

namespace Microsoft.ML;

/// <summary>The autoencoders on <c>mlContext.Transforms</c>. Each has a simple overload, whose omitted (null)
/// arguments keep the defaults of the variant's options class, and an overload taking those options.</summary>
public static class AutoencoderCatalog
{
    /// <summary>The options with the simple overload's arguments set; defaults live in the options class alone.</summary>
    private static T Simple<T>(T options, string? outputColumnName, string? inputColumnName, int? epochs, int? seed, Action<T> set) where T : AutoencoderOptions
    {
        options.OutputColumnName = outputColumnName ?? options.OutputColumnName;
        options.InputColumnName = inputColumnName ?? options.InputColumnName;
        options.Epochs = epochs ?? options.Epochs;
        options.Seed = seed;
        set(options);
        return options;
    }

    /// <summary>A dense undercomplete autoencoder: the code column holds f(x), trained so that g(f(x)) ≈ x.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; the decoder mirrors them.</param>
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed of initialisation, shuffling and the validation split; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> Autoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null,
        int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new AutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o => { o.CodeSize = codeSize ?? o.CodeSize; o.HiddenLayers = hiddenLayers ?? o.HiddenLayers; }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> SparseAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null,
        double? sparsityWeight = null, int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new SparseAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.CodeSize = codeSize ?? o.CodeSize; o.SparsityWeight = sparsityWeight ?? o.SparsityWeight;
                o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> DenoisingAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null,
        string reconstructionColumnName = AutoencoderOptions.DefaultReconstructionColumnName, int? codeSize = null, Corruption? corruption = null,
        double? noiseLevel = null, int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new DenoisingAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.ReconstructionColumnName = reconstructionColumnName; o.CodeSize = codeSize ?? o.CodeSize;
                o.Corruption = corruption ?? o.Corruption; o.NoiseLevel = noiseLevel ?? o.NoiseLevel;
                o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<ContractiveAutoencoderTransformer> ContractiveAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null,
        double? contractionWeight = null, int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new ContractiveAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.CodeSize = codeSize ?? o.CodeSize; o.ContractionWeight = contractionWeight ?? o.ContractionWeight;
                o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<BinaryCodeTransformer> BinaryCodeAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null,
        double? noiseStdDev = null, string? hashColumnName = BinaryCodeAutoencoderOptions.DefaultHashColumnName, int[]? hiddenLayers = null, int? epochs = null,
        int? seed = null)
        => new(catalog, Simple(new BinaryCodeAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.CodeSize = codeSize ?? o.CodeSize; o.NoiseStdDev = noiseStdDev ?? o.NoiseStdDev;
                o.HashColumnName = hashColumnName; o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<VariationalAutoencoderTransformer> VariationalAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null, double? beta = null,
        int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new VariationalAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.CodeSize = codeSize ?? o.CodeSize; o.Beta = beta ?? o.Beta;
                o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> ConvolutionalAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? imageHeight = null,
        int? imageWidth = null, int? channels = null, int[]? filters = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new ConvolutionalAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.ImageHeight = imageHeight ?? o.ImageHeight; o.ImageWidth = imageWidth ?? o.ImageWidth;
                o.Channels = channels ?? o.Channels; o.Filters = filters ?? o.Filters;
            }));

    /// <summary>A convolutional autoencoder with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> ConvolutionalAutoencoder(this TransformsCatalog catalog, ConvolutionalAutoencoderOptions options)
        => new(catalog, options);

    /// <summary>A stacked autoencoder: greedy layer-wise pretraining of each layer, then end-to-end fine-tuning.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The code column.</param>
    /// <param name="inputColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code.</param>
    /// <param name="hiddenLayers">Encoder hidden widths, input side first; null: 128, 64.</param>
    /// <param name="pretrainEpochs">Epochs of each layer's pretraining; 0 skips it; null sizes them to the data.</param>
    /// <param name="epochs">Maximum epochs of fine-tuning; null sizes them to the data.</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> StackedAutoencoder(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? codeSize = null,
        int[]? hiddenLayers = null, int? pretrainEpochs = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new StackedAutoencoderOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.CodeSize = codeSize ?? o.CodeSize; o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
                o.PretrainEpochs = pretrainEpochs ?? o.PretrainEpochs;
            }));

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
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<ArchetypalAnalysisTransformer> ArchetypalAnalysis(this TransformsCatalog catalog,
        string? outputColumnName = null, string? inputColumnName = null, int? archetypeCount = null,
        int[]? hiddenLayers = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new ArchetypalAnalysisOptions(), outputColumnName, inputColumnName, epochs, seed,
            o =>
            {
                o.ArchetypeCount = archetypeCount ?? o.ArchetypeCount; o.HiddenLayers = hiddenLayers ?? o.HiddenLayers;
            }));

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
    /// <param name="epochs">Maximum passes over the data per stage; null keeps the authors' 50 (set SaucieOptions.Epochs = null for the data-sized length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<SaucieTransformer> Saucie(this TransformsCatalog catalog,
        string? embeddingColumnName = null, string? inputColumnName = null, string? clusterColumnName = SaucieOptions.DefaultClusterColumnName,
        string? batchColumnName = null, int? epochs = null, int? seed = null)
        => new(catalog, Simple(new SaucieOptions(), embeddingColumnName, inputColumnName, epochs, seed,
            o => { o.ClusterColumnName = clusterColumnName; o.BatchColumnName = batchColumnName; }));

    /// <summary>SAUCIE with every option.</summary>
    public static AutoencoderEstimator<SaucieTransformer> Saucie(this TransformsCatalog catalog, SaucieOptions options)
        => new(catalog, options);

    /// <summary>An autoencoder anomaly detector: <c>Score</c> (Single) is the row's reconstruction error and
    /// <c>PredictedLabel</c> (Boolean) is true above the (1 - <paramref name="contamination"/>) quantile of the training
    /// rows' scores; <c>mlContext.AnomalyDetection.Evaluate</c> takes its output.</summary>
    /// <param name="catalog">The anomaly detection trainers.</param>
    /// <param name="featureColumnName">A known-size vector of Single.</param>
    /// <param name="codeSize">Width of the code; null keeps the default.</param>
    /// <param name="contamination">The expected share of anomalies among the training rows, in [0, 1).</param>
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderAnomalyDetector Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog,
        string featureColumnName = "Features", int? codeSize = null, double contamination = AutoencoderAnomalyDetectorOptions.DefaultContamination, int? epochs = null, int? seed = null)
        => Autoencoder(catalog, Simple(new AutoencoderAnomalyDetectorOptions { Contamination = contamination }, null, featureColumnName, epochs, seed,
            o => o.CodeSize = codeSize ?? o.CodeSize));

    /// <summary>The autoencoder anomaly detector with every option.</summary>
    public static AutoencoderAnomalyDetector Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, AutoencoderAnomalyDetectorOptions options)
        => Autoencoder(catalog, (AutoencoderOptions)options);

    /// <summary>An anomaly detector on any variant's network (e.g. <see cref="DenoisingAutoencoderOptions"/> or
    /// <see cref="VariationalAutoencoderOptions"/>): its reconstruction error becomes <c>Score</c> (leave
    /// <c>ReconstructionErrorColumnName</c> null or set it to "Score").</summary>
    /// <param name="catalog">The anomaly detection trainers.</param>
    /// <param name="networkOptions">The variant's options.</param>
    /// <param name="contamination">The expected share of anomalies among the training rows, in [0, 1); null: 0.05, or
    /// the options' own <see cref="AutoencoderAnomalyDetectorOptions.Contamination"/>.</param>
    /// <param name="keepCode">Whether the output keeps the code column besides Score and PredictedLabel; null: no, or the
    /// options' own <see cref="AutoencoderAnomalyDetectorOptions.KeepCode"/>.</param>
    public static AutoencoderAnomalyDetector Autoencoder(this AnomalyDetectionCatalog.AnomalyDetectionTrainers catalog, AutoencoderOptions networkOptions, double? contamination = null, bool? keepCode = null)
    {
        ArgumentNullException.ThrowIfNull(networkOptions);
        var own = networkOptions as AutoencoderAnomalyDetectorOptions;
        if (own is not null && contamination is { } given && given != own.Contamination)
            throw new ArgumentException($"Contamination is given twice, {given} as an argument and {own.Contamination} in the options; give it once.", nameof(contamination));
        if (own is not null && keepCode is { } keep && keep != own.KeepCode)
            throw new ArgumentException($"KeepCode is given twice, {keep} as an argument and {own.KeepCode} in the options; give it once.", nameof(keepCode));
        return new(Autoencoders.MLNet.MLNetEnvironment.Transforms(catalog), networkOptions, contamination ?? own?.Contamination ?? AutoencoderAnomalyDetectorOptions.DefaultContamination,
            keepCode ?? own?.KeepCode ?? false);
    }
    /// <summary>A multiclass classifier from an autoencoder's encoder: a softmax layer on the code, trained end to end
    /// with the encoder on labelled rows (docs/methods.md#supervised-fine-tuning). Its output is ML.NET's multiclass
    /// columns, <c>Score</c> (class probabilities) and <c>PredictedLabel</c> (a key), so
    /// <c>mlContext.MulticlassClassification.Evaluate</c> takes it.</summary>
    /// <param name="catalog">The multiclass classification trainers.</param>
    /// <param name="labelColumnName">A scalar UInt32 key column (e.g. from MapValueToKey).</param>
    /// <param name="featureColumnName">A known-size vector of Single.</param>
    /// <param name="pretrainedEncoder">A fitted autoencoder (e.g. trained on many unlabelled rows) whose encoder starts the
    /// classifier; null: a new encoder.</param>
    /// <param name="epochs">Maximum passes over the data; null sizes them to the data (docs/conventions.md#training-length).</param>
    /// <param name="seed">Seed; null takes one from the MLContext.</param>
    public static AutoencoderEstimator<AutoencoderTransformer> AutoencoderClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string featureColumnName = "Features", AutoencoderTransformer? pretrainedEncoder = null, int? epochs = null, int? seed = null)
        => AutoencoderClassifier(catalog, Simple(new AutoencoderClassifierOptions(), null, featureColumnName, epochs, seed,
            o => { o.LabelColumnName = labelColumnName; o.PretrainedEncoder = pretrainedEncoder; }));

    /// <summary>The autoencoder classifier with every option.</summary>
    public static AutoencoderEstimator<AutoencoderTransformer> AutoencoderClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, AutoencoderClassifierOptions options)
        => new(Autoencoders.MLNet.MLNetEnvironment.Transforms(catalog), options);
}
