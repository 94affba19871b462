using Microsoft.ML.Data;
using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Each network's torch form and ONNX form, made from the one definition of its outputs, agree on random
/// inputs and random weights, without a Fit: every variant, with every optional output switched on.</summary>
[TestClass]
public sealed class NetworkParityTests
{
    public static IEnumerable<object[]> Variants()
    {
        yield return new object[] { "dense, MSE, deep", new AutoencoderOptions { CodeSize = 3, HiddenLayers = new[] { 6, 4 }, Activation = Activation.Tanh, ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "dense, BCE, leaky", new AutoencoderOptions { CodeSize = 3, Activation = Activation.LeakyRelu, CodeActivation = Activation.Relu, HiddenLayers = new[] { 5 }, Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "sparse", new SparseAutoencoderOptions { CodeSize = 4, ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "denoising", new DenoisingAutoencoderOptions { CodeSize = 4, ReconstructionColumnName = "R" } };
        yield return new object[] { "contractive, tied", new ContractiveAutoencoderOptions { CodeSize = 4, HiddenLayers = new[] { 5 }, ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "contractive, untied", new ContractiveAutoencoderOptions { CodeSize = 4, TiedWeights = false, ReconstructionColumnName = "R" } };
        yield return new object[] { "stacked", new StackedAutoencoderOptions { CodeSize = 3, HiddenLayers = new[] { 6, 4 }, ReconstructionColumnName = "R" } };
        yield return new object[] { "binary code", new BinaryCodeAutoencoderOptions { CodeSize = 40, HiddenLayers = new[] { 8 }, ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "binary code, 64 bits", new BinaryCodeAutoencoderOptions { CodeSize = 64, HiddenLayers = new[] { 8 } } };
        yield return new object[] { "variational", new VariationalAutoencoderOptions { CodeSize = 2, HiddenLayers = new[] { 6 }, LogVarianceColumnName = "LogVar", ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "variational, no hidden layer", new VariationalAutoencoderOptions { CodeSize = 2, HiddenLayers = Array.Empty<int>() } };
        yield return new object[] { "AAnet", new ArchetypalAnalysisOptions { ArchetypeCount = 3, HiddenLayers = new[] { 6 }, DistanceColumnName = "D", ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "SAUCIE, clusters", new SaucieOptions { HiddenLayers = new[] { 8, 6 }, MinClusterSize = 2, ReconstructionErrorColumnName = "E" } };
        yield return new object[] { "SAUCIE, no clusters", new SaucieOptions { HiddenLayers = new[] { 8 }, ClusterColumnName = null } };
        yield return new object[] { "SAUCIE, no pattern reaches MinClusterSize", new SaucieOptions { HiddenLayers = new[] { 8, 6 }, MinClusterSize = 1000 } };
        yield return new object[] { "SAUCIE, two stages", new SaucieOptions { HiddenLayers = new[] { 8, 6 }, BatchColumnName = "Batch", MinClusterSize = 2 } };
        yield return new object[] { "convolutional", new ConvolutionalAutoencoderOptions { ImageHeight = 7, ImageWidth = 5, Channels = 2, Filters = new[] { 3, 2 }, ReconstructionColumnName = "R", ReconstructionErrorColumnName = "E" } };
    }

    [TestMethod]
    [DynamicData(nameof(Variants))]
    public void Torch_and_onnx_forms_agree(string name, AutoencoderOptions options)
        => AssertTorchAndOnnxAgree(options, options is ConvolutionalAutoencoderOptions c ? c.Channels * c.ImageHeight * c.ImageWidth : 10);

    /// <summary>Random weights and rows; learned arrays (archetypes, cluster patterns) learned from those rows.</summary>
    internal static void AssertTorchAndOnnxAgree(AutoencoderOptions options, int inputSize)
    {
        random.manual_seed(1);
        var variant = options.CreateVariant();
        using var scope = NewDisposeScope();
        using var network = variant.CreateNetwork(inputSize, new Dictionary<string, float[]>());
        network.eval();
        var rand = new Random(2);
        var values = Enumerable.Range(0, 40 * inputSize).Select(_ => (float)rand.NextDouble()).ToArray();
        var store = new MemoryRows(inputSize);
        for (int i = 0; i < 40; i++) store.Append(values.AsSpan(i * inputSize, inputSize));
        store.Complete();
        var rows = new TrainingData(store, null);
        var learned = variant.Learn(network, rows);
        var outputs = variant.OutputColumns(inputSize, learned);
        var state = new ModelState { Options = options, InputSize = inputSize, Outputs = outputs, History = Array.Empty<EpochMetrics>(), BestEpoch = 0, Arrays = learned };
        state.WithGraph(TrainingEngine.Graph(variant, network, inputSize, outputs, learned));
        if (variant.DecoderInputSize is int latent)
        {
            state.Graphs[ModelState.DecoderGraph] = TrainingEngine.DecoderGraph(network, latent, inputSize);
            var z = Enumerable.Range(0, 5 * latent).Select(_ => (float)(rand.NextDouble() * 2 - 1)).ToArray();
            using var decoder = OnnxScorer.Decoder(state, latent);
            var decoded = decoder.RunSingle(z, 5, 0);
            using var noGradient = no_grad();
            Assert.IsNull(TrainingEngine.Disagreement(OutputColumn.Vector("decoded", inputSize), network.Decode(tensor(z, new long[] { 5, latent })), decoded, tolerance: 1e-5), "decoder graph");
        }
        using var noGrad = no_grad();
        var expected = variant.Outputs(TorchOps.Instance, network, rows.Chunk(0, rows.Count), learned);
        using var scorer = new OnnxScorer(state);
        var actual = scorer.Run(values, rows.Count);
        Assert.AreEqual(outputs.Count, expected.Count, "every declared output is computed");
        for (int c = 0; c < outputs.Count; c++)
        {
            Assert.AreEqual(expected[outputs[c].Name].numel(), actual[c]!.Length, outputs[c].Name);
            Assert.IsNull(TrainingEngine.Disagreement(outputs[c] with { Thresholded = false }, expected[outputs[c].Name], actual[c]!, tolerance: 1e-5), outputs[c].Name);
        }
    }

    [TestMethod]
    public void Our_Transform_gives_the_column_types_of_the_saved_chain_and_a_key_column_feeds_MapKeyToValue()
    {
        var ml = new MLContext(1);
        var rows = TestData.CellTypes(n: 200, types: 2, dims: 8, batches: 1, seed: 1).X;
        var data = TestData.ToDataView(ml, rows);
        var estimators = new IEstimator<AutoencoderTransformer>[]
        {
            ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 3, Epochs = 1, Seed = 1, ReconstructionErrorColumnName = "Error" }),
            // Names the saved chain's own steps might have used.
            ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions { ArchetypeCount = 2, Epochs = 1, Seed = 1, ReconstructionErrorColumnName = "Value", DistanceColumnName = "Positive" }),
            ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions { CodeSize = 8, HiddenLayers = new[] { 8 }, Epochs = 1, Seed = 1 }),
            ml.Transforms.Saucie(new SaucieOptions { HiddenLayers = new[] { 8, 6 }, Epochs = 2, Seed = 1, MinClusterSize = 5 }),
        };
        foreach (var estimator in estimators)
        {
            using var model = estimator.Fit(data);
            var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, data.Schema, path);
                var chain = ml.Model.Load(path, out _);
                var ours = model.Transform(data).Schema;
                var theirs = chain.Transform(data).Schema;
                CollectionAssert.AreEqual(theirs.Where(c => !c.IsHidden).Select(c => c.Name).ToList(), ours.Where(c => !c.IsHidden).Select(c => c.Name).ToList());
                foreach (var column in ours.Skip(data.Schema.Count).Where(c => !c.IsHidden))
                    Assert.AreEqual(theirs[column.Name].Type, column.Type, column.Name);
                // One value a row is a scalar, as ML.NET's evaluators and filters expect (a hash stays a one-slot vector).
                if (ours.GetColumnOrNull("Error") is { } error) Assert.AreEqual(NumberDataViewType.Single, error.Type);
                if (ours.GetColumnOrNull("Cluster") is { } cluster) Assert.IsInstanceOfType<KeyDataViewType>(cluster.Type);
                ((IDisposable)chain).Dispose();
            }
            finally
            {
                File.Delete(path);
            }
        }
        var pipeline = ml.Transforms.Saucie(new SaucieOptions { HiddenLayers = new[] { 8, 6 }, Epochs = 1, Seed = 1, MinClusterSize = 5 })
            .Append(ml.Transforms.Conversion.MapKeyToValue("ClusterId", "Cluster"));
        var shape = pipeline.GetOutputSchema(TestData.Shape(data.Schema));
        Assert.IsTrue(shape.Any(c => c.Name == "ClusterId"));
    }
}
