using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 4's figures: the classic Fashion-MNIST table (simple, sparse, deep, convolutional) with test
/// binary cross-entropy and seconds per epoch, against PyTorch (Debian python3-torch) and a hand-written TorchSharp loop
/// over preloaded tensors, in the same run; and encoding rows per second against PyTorch's batched inference.</summary>
public static class Classic
{
    private const int Epochs = 5;

    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var testRows = FashionMnist.Load(train: false);
        var train = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        T Common<T>(T o) where T : AutoencoderOptions
        {
            o.Activation = Activation.Relu; o.CodeActivation = Activation.Relu; o.OutputActivation = Activation.Sigmoid;
            o.Loss = ReconstructionLoss.BinaryCrossEntropy; o.Epochs = Epochs; o.BatchSize = 256; o.LearningRate = 1e-3;
            o.ValidationFraction = 0; o.EarlyStoppingPatience = 0; o.Seed = 1; o.Threads = threads; o.ReconstructionErrorColumnName = "Error";
            return o;
        }
        var models = new (string Name, string? Reference, int[]? HandSizes, Func<AutoencoderOptions> Options)[]
        {
            ("simple 784-32", "dense-32", new[] { 784, 32 }, () => Common(new AutoencoderOptions { CodeSize = 32 })),
            ("sparse 784-32, L1 1e-4", null, null, () => Common(new SparseAutoencoderOptions { CodeSize = 32, SparsityWeight = 1e-4 })),
            ("deep 784-128-64-32", "deep", new[] { 784, 128, 64, 32 }, () => Common(new AutoencoderOptions { CodeSize = 32, HiddenLayers = new[] { 128, 64 } })),
            ("convolutional 16-8-8", "conv", null, () => Common(new ConvolutionalAutoencoderOptions())),
        };
        Console.WriteLine($"## Classic table on Fashion-MNIST: BCE, Adam 1e-3, batch 256, {Epochs} epochs, threads {threads}");
        Console.WriteLine("s/epoch is the mean of epochs 2-5. Reference: PyTorch (Debian python3-torch) and a hand-written TorchSharp loop, same machine, same run.");
        Console.WriteLine("| model | test BCE | s/epoch | PyTorch test BCE | PyTorch s/epoch | hand TorchSharp s/epoch | ours / PyTorch | ours / hand | encode rows/s (ours) | encode rows/s (PyTorch) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        var trainMatrix = trainRows.SelectMany(r => r.Features).ToArray();
        // Warm-up: the first model a process trains pays JIT tiering and allocator growth; keep that out of the table.
        using (var warm = ml.Transforms.Autoencoder(Common(new AutoencoderOptions { CodeSize = 32, Epochs = 2 })).Fit(train)) { }
        HandWrittenLoop(trainMatrix[..(784 * 10_000)], new[] { 784, 32 }, threads);
        foreach (var (name, reference, handSizes, options) in models)
        {
            var o = options();
            using var model = o is ConvolutionalAutoencoderOptions c ? ml.Transforms.ConvolutionalAutoencoder(c).Fit(train)
                : o is SparseAutoencoderOptions s ? ml.Transforms.SparseAutoencoder(s).Fit(train) : ml.Transforms.Autoencoder(o).Fit(train);
            double testLoss = Foundation.MeanError(model.Transform(test));
            double seconds = model.TrainingHistory.Skip(1).Average(h => h.Seconds);
            double encode = Foundation.RowsPerSecond(() => model.Transform(test), "Code", testRows.Length);
            var torchRun = reference is null ? null : PyTorch(reference, threads);
            double? hand = handSizes is null ? null : HandWrittenLoop(trainMatrix, handSizes, threads);
            double? torchSeconds = torchRun?.GetProperty("epochs").EnumerateArray().Skip(1).Average(e => e.GetProperty("seconds").GetDouble());
            double? torchTest = torchRun?.GetProperty("epochs").EnumerateArray().Last().GetProperty("test").GetDouble();
            double? torchEncode = torchRun?.GetProperty("encode_rows_per_second").GetDouble();
            Console.WriteLine($"| {name} | {testLoss:F4} | {seconds:F2} | {F(torchTest, "F4")} | {F(torchSeconds, "F2")} | {F(hand, "F2")} | {F(seconds / torchSeconds, "F2")} | {F(seconds / hand, "F2")} | {encode:F0} | {F(torchEncode, "F0")} |");
        }
    }

    /// <summary>The textbook convolutional autoencoder as a user runs it: 16-8-8, BCE, batch 128, the default thread
    /// count unless <paramref name="threads"/> is above 0, the test set as validation data (its loss every epoch).</summary>
    public static void Convolutional(int threads, int epochs)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.Cache(FashionMnist.ToDataView(ml, FashionMnist.Load(train: true)));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, FashionMnist.Load(train: false)));
        string threadText = threads > 0 ? threads.ToString() : $"default ({get_num_threads()})";
        Console.WriteLine($"## Convolutional 16-8-8 on Fashion-MNIST: BCE, Adam 1e-3, batch 128, {epochs} epochs, threads {threadText}");
        Console.WriteLine("| epoch | train BCE | test BCE | s |");
        Console.WriteLine("|---|---|---|---|");
        using var model = ml.Transforms.ConvolutionalAutoencoder(new ConvolutionalAutoencoderOptions
        {
            Filters = new[] { 16, 8, 8 }, Loss = ReconstructionLoss.BinaryCrossEntropy, OutputActivation = Activation.Sigmoid,
            BatchSize = 128, Epochs = epochs, EarlyStoppingPatience = 0, ValidationData = test, Seed = 1,
            Threads = threads > 0 ? threads : null, ReconstructionErrorColumnName = "Error",
            Progress = new Progress<EpochMetrics>(e => Console.WriteLine($"| {e.Epoch} | {e.TrainLoss:F4} | {e.ValidationLoss:F4} | {e.Seconds:F1} |")),
        }).Fit(train);
        // Epochs after the first (warm); the first alone when only one ran.
        var seconds = model.TrainingHistory.Skip(model.TrainingHistory.Count > 1 ? 1 : 0).Select(h => h.Seconds).ToArray();
        Console.WriteLine($"Test BCE after epoch {model.TrainingHistory.Count}: {Foundation.MeanError(model.Transform(test)):F4}; s/epoch (epochs 2-) {seconds.Average():F1}, range {seconds.Min():F1}-{seconds.Max():F1}");
    }

    private static string F(double? value, string format) => value is double v ? v.ToString(format) : "-";

    private static JsonElement? PyTorch(string model, int threads)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "reference", "pytorch_reference.py");
        var folder = Path.GetDirectoryName(FashionMnist.Folder())!;
        if (!File.Exists("/usr/bin/python3")) return null;
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        // Set on some processors for old OpenBLAS builds; they slow a current one (see the machine notes).
        info.Environment.Remove("OPENBLAS_CORETYPE");
        info.Environment.Remove("OPENBLAS_L2_SIZE");
        info.Environment["OPENBLAS_NUM_THREADS"] = threads.ToString();
        info.Environment["OMP_NUM_THREADS"] = threads.ToString();
        foreach (var a in new[] { script, FashionMnist.Folder(), model, Epochs.ToString(), threads.ToString() }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine($"PyTorch reference failed (apt-get install python3-torch?): {error.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    /// <summary>The same dense training written directly in TorchSharp over preloaded tensors: the engine's overhead
    /// is its time minus this loop's.</summary>
    private static double HandWrittenLoop(float[] train, int[] sizes, int threads)
    {
        set_num_threads(threads);
        random.manual_seed(1);
        using var scope = NewDisposeScope();
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (int i = 0; i < sizes.Length - 1; i++) { layers.Add(($"e{i}", nn.Linear(sizes[i], sizes[i + 1]))); layers.Add(($"ea{i}", nn.ReLU())); }
        var reversed = sizes.Reverse().ToArray();
        for (int i = 0; i < reversed.Length - 1; i++)
        {
            layers.Add(($"d{i}", nn.Linear(reversed[i], reversed[i + 1])));
            layers.Add(($"da{i}", i < reversed.Length - 2 ? nn.ReLU() : nn.Sigmoid()));
        }
        var net = nn.Sequential(layers);
        var optimizer = optim.Adam(net.parameters(), 1e-3);
        int n = train.Length / 784;
        var x = tensor(train, new long[] { n, 784 });
        var seconds = new List<double>();
        for (int epoch = 0; epoch < Epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            var perm = randperm(n);
            for (int start = 0; start < n; start += 256)
            {
                using var step = NewDisposeScope();
                var batch = x.index_select(0, perm.narrow(0, start, Math.Min(256, n - start)));
                var loss = nn.functional.binary_cross_entropy(net.forward(batch), batch);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                loss.item<float>();
            }
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        return seconds.Skip(1).Average();
    }

}
