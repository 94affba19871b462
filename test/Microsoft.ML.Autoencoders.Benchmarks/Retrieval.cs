using System.Diagnostics;
using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 6's figures on Fashion-MNIST: semantic hashing with the binary-code autoencoder against
/// random-projection and sign-of-PCA hashing computed in the same run; precision@100, mean average precision and
/// query latency.</summary>
public static class Retrieval
{
    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var queryRows = FashionMnist.Load(train: false)[..1000];
        var train = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var dbFeatures = trainRows.Select(r => r.Features).ToArray();
        var queryFeatures = queryRows.Select(r => r.Features).ToArray();
        var dbLabels = trainRows.Select(r => (int)r.Label).ToArray();
        var queryLabels = queryRows.Select(r => (int)r.Label).ToArray();
        var pcaFit = dbFeatures[..5000];
        Console.WriteLine($"## Semantic hashing on Fashion-MNIST: 60,000 indexed, 1,000 test queries, threads {threads}");
        Console.WriteLine("Binary-code autoencoder 784-512-bits, noise 4, BCE, 10 epochs, batch 256; sign-of-PCA fitted on 5,000 rows.");
        Console.WriteLine("| bits | method | precision@100 | mAP | query latency (ms, encode + search) | distinct codes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int bits in new[] { 16, 32, 64 })
        {
            using var model = ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions
            {
                CodeSize = bits, HiddenLayers = new[] { 512 }, Epochs = 10, BatchSize = 256, ValidationFraction = 0, EarlyStoppingPatience = 0,
                Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid, Seed = 1, Threads = threads,
            }).Fit(train);
            var index = model.BuildIndex(train);
            var watch = Stopwatch.StartNew();
            var nearest = queryFeatures[..200].Select(q => index.Nearest(q, 100)).ToList();
            double latency = watch.Elapsed.TotalMilliseconds / 200;
            Report(bits, "binary-code autoencoder", index, model.Codes(FashionMnist.ToDataView(ml, queryRows)), dbLabels, queryLabels, latency);
            Report(bits, "random projections", HammingIndex.FromCodes(Baselines.RandomProjectionCodes(pcaFit, dbFeatures, bits, seed: 1), bits),
                Baselines.RandomProjectionCodes(pcaFit, queryFeatures, bits, seed: 1), dbLabels, queryLabels, null);
            Report(bits, "sign of PCA", HammingIndex.FromCodes(Baselines.SignOfPcaCodes(pcaFit, dbFeatures, bits), bits),
                Baselines.SignOfPcaCodes(pcaFit, queryFeatures, bits), dbLabels, queryLabels, null);
        }
    }

    private static void Report(int bits, string method, HammingIndex index, ulong[][] queries, int[] dbLabels, int[] queryLabels, double? latency)
    {
        var top = queries.Select(q => index.NearestToCode(q, 100)).ToList();
        double precision = Metrics.PrecisionAtK(top, dbLabels, queryLabels, 100);
        var rankings = queries[..200].Select(q => index.NearestToCode(q, index.Count)).ToList();
        double map = Metrics.MeanAveragePrecision(rankings, dbLabels, queryLabels[..200]);
        Console.WriteLine($"| {bits} | {method} | {precision:F3} | {map:F3} | {(latency is double l ? l.ToString("F2") : "-")} | {index.DistinctCodes} |");
    }
}
