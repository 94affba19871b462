using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Where scoring time goes: the same exported graph run by ONNX Runtime on a preloaded float array (1,024 rows
/// a call), through our batched Transform (an IDataView in, an IDataView out), and through the saved first-party chain.</summary>
public static class Scoring
{
    // A pass over 10,000 rows takes a few milliseconds: the best of many is the machine's figure, not its noise.
    private const int Passes = 30;

    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var testRows = FashionMnist.Load(train: false);
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        Console.WriteLine("## Scoring the 784-32 code of 10,000 Fashion-MNIST rows (best of 30 passes for the float-array scorers, 3 for the IDataView ones)");
        Console.WriteLine("| hidden layers | ONNX Runtime on a float array | our Encode (float array) | our Transform (IDataView) | saved chain (one row a call) |");
        Console.WriteLine("|---|---|---|---|---|");
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
            // Interleaved passes, so both scorers see the same moments of a shared machine.
            double raw = 0, encode = 0;
            for (int pass = 0; pass < Passes; pass++)
            {
                var watch = Stopwatch.StartNew();
                Raw();
                raw = Math.Max(raw, testRows.Length / watch.Elapsed.TotalSeconds);
                watch.Restart();
                model.Encode(input, codes);
                encode = Math.Max(encode, testRows.Length / watch.Elapsed.TotalSeconds);
            }
            var chain = Foundation.SavedChain(ml, model, test.Schema);
            double ours = Foundation.RowsPerSecond(() => model.Transform(test), "Code", testRows.Length);
            double saved = Foundation.RowsPerSecond(() => chain.Transform(test), "Code", testRows.Length);
            Console.WriteLine($"| {(hidden.Length == 0 ? "none" : string.Join("-", hidden))} | {raw:F0} | {encode:F0} ({encode / raw:F2}x) | {ours:F0} | {saved:F0} |");
            (chain as IDisposable)?.Dispose();   // ML.NET deletes its temp copy of the graph on Dispose
        }
    }
}
