using System.Diagnostics;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 16's per-op profile: one epoch of each classic model's training step on Fashion-MNIST (batch 256,
/// 1 thread), run with the library's own networks, loss and Adam, the forward pass through an <see cref="IOps{T}"/>
/// that times each operation it delegates to <see cref="TorchOps"/>.</summary>
public static class Profile
{
    public static void Run(int threads)
    {
        set_num_threads(threads);
        var rows = FashionMnist.Load(train: true);
        var matrix = rows.SelectMany(r => r.Features).ToArray();
        var models = new (string Name, Func<AutoencoderNetwork> Network, bool Sparse)[]
        {
            ("simple 784-32", () => new DenseAutoencoderNetwork(new[] { 784, 32 }, Activation.Relu, Activation.Relu, Activation.Sigmoid), false),
            ("sparse 784-32, L1", () => new DenseAutoencoderNetwork(new[] { 784, 32 }, Activation.Relu, Activation.Relu, Activation.Sigmoid), true),
            ("deep 784-128-64-32", () => new DenseAutoencoderNetwork(new[] { 784, 128, 64, 32 }, Activation.Relu, Activation.Relu, Activation.Sigmoid), false),
            ("convolutional 16-8-8", () => new ConvolutionalNetwork(1, 28, 28, new[] { 16, 8, 8 }, 3, Activation.Relu, Activation.Sigmoid), false),
        };
        Console.WriteLine($"## Per-op profile: one epoch of 60,000 rows, batch 256, threads {threads} (ms in the epoch)");
        foreach (var (name, create, sparse) in models)
        {
            random.manual_seed(1);
            using var scope = NewDisposeScope();
            var x = tensor(matrix, new long[] { rows.Length, 784 });
            var network = create();
            using var adam = new Adam(network.parameters().Select(p => (p, 1e-3)));
            var ops = new TimedOps();
            var times = new Dictionary<string, double>();
            void Add(string what, long start) => times[what] = times.GetValueOrDefault(what) + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            var epoch = Stopwatch.StartNew();
            var order = randperm(rows.Length);
            for (int start = 0; start < rows.Length; start += 256)
            {
                using var step = NewDisposeScope();
                long t = Stopwatch.GetTimestamp();
                var batch = x.index_select(0, order.narrow(0, start, Math.Min(256, rows.Length - start)));
                Add("batch gather", t);
                var code = network.Encode(ops, batch);
                var reconstruction = network.Decode(ops, code);
                t = Stopwatch.GetTimestamp();
                var loss = Losses.Mean(ReconstructionLoss.BinaryCrossEntropy, reconstruction, batch);
                Add("loss (BCE on logits)", t);
                if (sparse)
                {
                    t = Stopwatch.GetTimestamp();
                    loss = loss + 1e-4 * code.abs().sum(1).mean();
                    Add("L1 penalty", t);
                }
                t = Stopwatch.GetTimestamp();
                adam.ZeroGrad();
                loss.backward();
                Add("backward (all ops)", t);
                t = Stopwatch.GetTimestamp();
                adam.Step();
                Add("Adam step", t);
                t = Stopwatch.GetTimestamp();
                loss.item<float>();
                Add("loss.item", t);
            }
            double total = epoch.Elapsed.TotalMilliseconds;
            foreach (var (op, ms) in ops.Times) times["forward: " + op] = ms;
            Console.WriteLine($"### {name}: {total:F0} ms");
            Console.WriteLine("| part | ms | share |");
            Console.WriteLine("|---|---|---|");
            foreach (var (part, ms) in times.OrderByDescending(p => p.Value))
                Console.WriteLine($"| {part} | {ms:F0} | {ms / total:P0} |");
            Console.WriteLine($"| rest (dispose scopes, loop) | {total - times.Values.Sum():F0} | {(total - times.Values.Sum()) / total:P0} |");
        }
    }

    /// <summary>TorchOps, each call timed under its name (and activation).</summary>
    private sealed class TimedOps : IOps<Tensor>
    {
        private static readonly TorchOps Torch = TorchOps.Instance;
        public Dictionary<string, double> Times { get; } = new();

        private Tensor Time(string name, Func<Tensor> op)
        {
            long start = Stopwatch.GetTimestamp();
            var result = op();
            Times[name] = Times.GetValueOrDefault(name) + Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return result;
        }

        public Tensor Linear(Tensor x, Tensor weight, Tensor? bias, bool transposed = true) => Time($"linear {weight.shape[1]}->{weight.shape[0]}", () => Torch.Linear(x, weight, bias, transposed));
        public Tensor Activate(Tensor x, Activation activation, double leakySlope = TorchOps.LeakySlope) => Time(activation.ToString().ToLowerInvariant(), () => Torch.Activate(x, activation, leakySlope));
        public Tensor Conv2d(Tensor x, Tensor weight, Tensor bias) => Time($"conv {weight.shape[1]}->{weight.shape[0]}", () => Torch.Conv2d(x, weight, bias));
        public Tensor MaxPool2(Tensor x) => Time("max pool", () => Torch.MaxPool2(x));
        public Tensor Upsample2(Tensor x, int height, int width) => Time("upsample", () => Torch.Upsample2(x, height, width));
        public Tensor Reshape(Tensor x, params long[] shape) => Time("reshape", () => Torch.Reshape(x, shape));
        public Tensor Add(Tensor a, Tensor b) => Time("add", () => Torch.Add(a, b));
        public Tensor Sub(Tensor a, Tensor b) => Time("sub", () => Torch.Sub(a, b));
        public Tensor Mul(Tensor a, Tensor b) => Time("mul", () => Torch.Mul(a, b));
        public Tensor Log(Tensor x) => Time("log", () => Torch.Log(x));
        public Tensor Affine(Tensor x, float scale, float offset) => Time("affine", () => Torch.Affine(x, scale, offset));
        public Tensor Clip(Tensor x, float min, float max) => Time("clip", () => Torch.Clip(x, min, max));
        public Tensor RowMean(Tensor x) => Time("row mean", () => Torch.RowMean(x));
        public Tensor RowMax(Tensor x) => Time("row max", () => Torch.RowMax(x));
        public Tensor Step(Tensor x, float threshold) => Time("step", () => Torch.Step(x, threshold));
        public Tensor Softmax(Tensor x) => Time("softmax", () => Torch.Softmax(x));
        public Tensor ArgMax(Tensor x) => Time("argmax", () => Torch.ArgMax(x));
        public Tensor PackBits(Tensor bits, int width) => Time("pack bits", () => Torch.PackBits(bits, width));
    }
}
