using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class BinaryCodeAutoencoderTests : EstimatorSuite
{
    protected override AutoencoderOptions SmallOptions(int seed) => new BinaryCodeAutoencoderOptions
    {
        CodeSize = 16, HiddenLayers = new[] { 32 }, Epochs = 3, BatchSize = 64, Seed = seed, Threads = 1,
        ReconstructionColumnName = "Reconstruction", ReconstructionErrorColumnName = "Error",
    };

    protected override IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options) => ml.Transforms.BinaryCodeAutoencoder((BinaryCodeAutoencoderOptions)options);

    private static BinaryCodeTransformer Train(MLContext ml, int bits, float[][] rows) => ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions
    {
        CodeSize = bits, HiddenLayers = new[] { 128 }, Epochs = 80, BatchSize = 64, LearningRate = 3e-3, Seed = 1, Threads = 1,
        Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, EarlyStoppingPatience = 0,
    }).Fit(TestData.ToDataView(ml, rows));

    private static double PrecisionAtK(ulong[][] database, int[] databaseLabels, ulong[][] queries, int[] queryLabels, int bits, int k)
    {
        var index = HammingIndex.FromCodes(database, bits);
        return Metrics.PrecisionAtK(queries.Select(q => index.NearestToCode(q, k)).ToList(), databaseLabels, queryLabels, k);
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void Bits_are_balanced_and_retrieval_beats_random_projection_hashing()
    {
        var ml = new MLContext(1);
        var (x, y) = TestData.Digits;
        var (database, queries) = (x[..1500], x[1500..]);
        const int bits = 16, k = 10;
        using var model = Train(ml, bits, database);
        var dbCodes = model.Codes(TestData.ToDataView(ml, database));
        var queryCodes = model.Codes(TestData.ToDataView(ml, queries));
        var onFraction = Enumerable.Range(0, bits).Select(j => dbCodes.Count(c => (c[0] >> j & 1) == 1) / (double)dbCodes.Length).ToArray();
        Console.WriteLine($"bit on-fractions: {string.Join(" ", onFraction.Select(f => f.ToString("F2")))}");
        Assert.IsTrue(onFraction.All(f => f >= 0.2 && f <= 0.8), "balanced bits");

        double ours = PrecisionAtK(dbCodes, y[..1500], queryCodes, y[1500..], bits, k);
        var baselines = Enumerable.Range(0, 5).Select(seed => PrecisionAtK(
            Baselines.RandomProjectionCodes(database, database, bits, seed), y[..1500],
            Baselines.RandomProjectionCodes(database, queries, bits, seed), y[1500..], bits, k)).ToArray();
        Console.WriteLine($"precision@{k} with {bits} bits: autoencoder {ours:F3}, random projections {string.Join(", ", baselines.Select(b => b.ToString("F3")))}");
        Assert.IsTrue(ours > baselines.Max() + 0.05);
    }

    [TestMethod]
    public void Hamming_index_equals_a_brute_force_scan_and_survives_save_and_load()
    {
        var ml = new MLContext(1);
        var (x, _) = TestData.Digits;
        using var model = (BinaryCodeTransformer)Create(ml, SmallOptions(1)).Fit(TestData.ToDataView(ml, x[..600]));
        var database = TestData.ToDataView(ml, x[..600]);
        var index = model.BuildIndex(database);
        Assert.AreEqual(600, index.Count);
        var codes = model.Codes(database);
        // The hash column holds the same bits as the code column.
        var scored = model.Transform(database);
        var bitsColumn = TestData.Column(scored, "Code");
        var hashColumn = scored.Schema["Hash"];
        using (var cursor = scored.GetRowCursor(new[] { hashColumn }))
        {
            var getter = cursor.GetGetter<VBuffer<ulong>>(hashColumn);
            var hash = default(VBuffer<ulong>);
            for (int i = 0; cursor.MoveNext(); i++)
            {
                getter(ref hash);
                Assert.AreEqual(codes[i][0], hash.GetValues()[0], $"row {i}");
                for (int j = 0; j < 16; j++) Assert.AreEqual((float)(codes[i][0] >> j & 1), bitsColumn[i][j]);
            }
        }

        using var stream = new MemoryStream();
        index.Save(stream);
        stream.Position = 0;
        var reloaded = HammingIndex.Load(stream, model);
        var fromCodes = HammingIndex.FromCodes(codes, 16);
        foreach (var query in x[1000..1020])
        {
            var q = model.Code(query);
            var brute = Enumerable.Range(0, 600).Select(r => (D: HammingIndex.Distance(codes[r], q), R: r)).OrderBy(p => p.D).ThenBy(p => p.R).ToList();
            CollectionAssert.AreEqual(brute.Take(25).Select(p => p.R).ToList(), index.Nearest(query, 25).ToList());
            CollectionAssert.AreEqual(brute.Where(p => p.D <= 2).Select(p => p.R).ToList(), index.WithinRadius(query, 2).ToList());
            CollectionAssert.AreEqual(brute.Where(p => p.D == 0).Select(p => p.R).ToList(), index.WithinRadius(query, 0).ToList());
            CollectionAssert.AreEqual(index.Nearest(query, 25).ToList(), reloaded.Nearest(query, 25).ToList());
            CollectionAssert.AreEqual(index.Nearest(query, 25).ToList(), fromCodes.NearestToCode(q, 25).ToList());
        }
        Assert.AreEqual(600, index.Nearest(x[0], 1000).Count, "k beyond the index returns every row");
    }

    [TestMethod]
    public void Bad_binary_code_options_and_queries_are_named()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions { CodeSize = 65 })).Message, "64 bits");
        ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions { CodeSize = 65, HashColumnName = null });
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions { NoiseStdDev = -1 })).Message, "NoiseStdDev");
        using var model = (BinaryCodeTransformer)Create(ml, SmallOptions(1)).Fit(TestData.ToDataView(ml, Rows));
        var index = model.BuildIndex(TestData.ToDataView(ml, Rows));
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => index.Nearest(Rows[0], 0)).Message, "k");
        StringAssert.Contains(Assert.Throws<ArgumentOutOfRangeException>(() => index.WithinRadius(Rows[0], -1)).Message, "radius");
        StringAssert.Contains(Assert.Throws<ArgumentException>(() => index.Nearest(new float[5], 3)).Message, "5 values");
    }
}
