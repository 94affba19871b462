using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Where scoring time goes (issue 25): the same exported graph run by ONNX Runtime on a preloaded float array
/// (1,024 rows a call), reading the source view alone, our batched Transform (an IDataView in, an IDataView out),
/// <c>Encode</c> on a float array, and the saved first-party chain. Transform's floor is reading the source and then
/// ONNX Runtime alone: 1 / (1/read + 1/onnx) rows/s.</summary>
public static class Scoring
{
    // A pass over 10,000 rows takes a few milliseconds: the best of many is the machine's figure, not its noise. Cold:
    // the first three passes, as a short Transform call sees them (tier-0 code, before the JIT's call counting ends).
    private const int Passes = 30, ColdPasses = 3;

    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var testRows = FashionMnist.Load(train: false);
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        Console.WriteLine($"## Scoring the code of 10,000 Fashion-MNIST rows, rows/s, best of {Passes} passes (cold: best of the first {ColdPasses}); threads {threads}");
        Console.WriteLine("| hidden layers | read the source | ONNX Runtime alone | floor | Transform, cold | Transform | Transform / floor | Encode (float array) | Encode / ONNX Runtime | saved chain, cold |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var hidden in new[] { Array.Empty<int>(), new[] { 128, 64 } })
        {
            using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 32, HiddenLayers = hidden, Epochs = 1, Seed = 1, Threads = threads }).Fit(test);
            using var onnx = new MemoryStream();
            model.ExportOnnx(onnx);
            using var session = new InferenceSession(onnx.ToArray());
            var input = testRows.SelectMany(r => r.Features).ToArray();
            var codes = new float[testRows.Length * 32];
            void Raw()
            {
                for (int start = 0; start < testRows.Length; start += 1024)
                {
                    int n = Math.Min(1024, testRows.Length - start);
                    using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, new Memory<float>(input, start * 784, n * 784), new long[] { n, 784 });
                    using var results = session.Run(new RunOptions(), new[] { "Features" }, new[] { value }, new[] { "Code" });
                    results[0].GetTensorDataAsSpan<float>().ToArray();
                }
            }
            var chain = Foundation.SavedChain(ml, model, test.Schema);
            double coldTransform = Foundation.RowsPerSecond(() => model.Transform(test), "Code", testRows.Length, ColdPasses);
            double saved = Foundation.RowsPerSecond(() => chain.Transform(test), "Code", testRows.Length, ColdPasses);
            // Interleaved passes, so every scorer sees the same moments of a shared machine.
            double raw = 0, encode = 0, read = 0, transform = 0;
            for (int pass = 0; pass < Passes; pass++)
            {
                raw = Math.Max(raw, Rate(Raw));
                encode = Math.Max(encode, Rate(() => model.Encode(input, codes)));
                read = Math.Max(read, Foundation.RowsPerSecond(() => test, "Features", testRows.Length, 1));
                transform = Math.Max(transform, Foundation.RowsPerSecond(() => model.Transform(test), "Code", testRows.Length, 1));
            }
            double floor = 1 / (1 / read + 1 / raw);
            Console.WriteLine($"| {(hidden.Length == 0 ? "none" : string.Join("-", hidden))} | {read:F0} | {raw:F0} | {floor:F0} | {coldTransform:F0} | {transform:F0} | {transform / floor:F2} | {encode:F0} | {encode / raw:F2} | {saved:F0} |");
            (chain as IDisposable)?.Dispose();   // ML.NET deletes its temp copy of the graph on Dispose
            double Rate(Action pass)
            {
                var watch = Stopwatch.StartNew();
                pass();
                return testRows.Length / watch.Elapsed.TotalSeconds;
            }
        }
    }
}
