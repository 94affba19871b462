using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>Issue 3's figures on Fashion-MNIST: each regularised variant's loss, its defining property, and seconds
/// per epoch, against a plain autoencoder of the same shape trained the same way.</summary>
public static class Regularized
{
    public static void Run(int threads)
    {
        var ml = new MLContext(seed: 1);
        var trainRows = FashionMnist.Load(train: true);
        var testRows = FashionMnist.Load(train: false)[..5000];
        var train = ml.Data.Cache(FashionMnist.ToDataView(ml, trainRows));
        var test = ml.Data.Cache(FashionMnist.ToDataView(ml, testRows));
        T Common<T>(T o) where T : AutoencoderOptions
        {
            o.CodeSize = 32; o.OutputActivation = Activation.Sigmoid; o.Loss = ReconstructionLoss.BinaryCrossEntropy;
            o.Epochs = 5; o.BatchSize = 256; o.ValidationFraction = 0; o.EarlyStoppingPatience = 0; o.Seed = 1; o.Threads = threads;
            o.ReconstructionColumnName = "Reconstruction"; o.ReconstructionErrorColumnName = "Error";
            return o;
        }
        Console.WriteLine($"## Regularised autoencoders, 784-32-784, BCE, 5 epochs, batch 256, threads {threads}; 5,000 test rows");
        Console.WriteLine("| model | test BCE | property | s/epoch (mean of 2-5) |");
        Console.WriteLine("|---|---|---|---|");

        using var plainRelu = ml.Transforms.Autoencoder(Common(new AutoencoderOptions { CodeActivation = Activation.Relu })).Fit(train);
        using var sparse = ml.Transforms.SparseAutoencoder(Common(new SparseAutoencoderOptions { SparsityWeight = 1e-4 })).Fit(train);
        Row("plain, ReLU code", plainRelu, test, $"mean code activation {MeanCode(plainRelu, test):F3}");
        Row("sparse L1 1e-4", sparse, test, $"mean code activation {MeanCode(sparse, test):F3}");

        var rand = new Random(5);
        var clean = testRows.Select(r => r.Features).ToArray();
        var noisy = clean.Select(r => r.Select(v => rand.NextDouble() < 0.3 ? 0f : v).ToArray()).ToArray();
        var noisyView = FashionMnist.ToDataView(ml, noisy.Select(n => new ImageRow { Features = n }));
        using var denoising = ml.Transforms.DenoisingAutoencoder(Common(new DenoisingAutoencoderOptions { Corruption = Corruption.Masking, NoiseLevel = 0.3 })).Fit(train);
        double Mse(float[][] a) => a.Zip(clean).Average(p => p.First.Zip(p.Second).Average(q => (q.First - q.Second) * (q.First - q.Second)));
        Row("plain, ReLU code (on 30% masked input)", plainRelu, test, $"MSE to clean: noisy input {Mse(noisy):F4}, output {Mse(Column(plainRelu.Transform(noisyView), "Reconstruction")):F4}");
        Row("denoising, masking 0.3", denoising, test, $"MSE to clean: output {Mse(Column(denoising.Transform(noisyView), "Reconstruction")):F4}");

        using var plainSigmoid = ml.Transforms.Autoencoder(Common(new AutoencoderOptions { CodeActivation = Activation.Sigmoid })).Fit(train);
        Row("plain, sigmoid code", plainSigmoid, test, $"mean ‖J‖²_F {Jacobian(plainSigmoid, clean):F2}");
        foreach (var lambda in new[] { 1e-3, 1e-2, 1e-1 })
        {
            using var contractive = ml.Transforms.ContractiveAutoencoder(Common(new ContractiveAutoencoderOptions { ContractionWeight = lambda })).Fit(train);
            Row($"contractive {lambda:G1}, tied", contractive, test, $"mean ‖J‖²_F {Jacobian(contractive, clean):F2}");
        }
    }

    private static void Row(string name, AutoencoderTransformer model, IDataView test, string property)
    {
        double bce = Foundation.MeanError(model.Transform(test));
        double seconds = model.TrainingHistory.Skip(1).Average(h => h.Seconds);
        Console.WriteLine($"| {name} | {bce:F4} | {property} | {seconds:F2} |");
    }

    private static double MeanCode(AutoencoderTransformer model, IDataView test) => Column(model.Transform(test), "Code").Average(r => r.Average());

    private static double Jacobian(AutoencoderTransformer model, float[][] rows)
        => rows[..50].Average(r => model.EncoderJacobian(r).Sum(row => row.Sum(v => v * v)));

    private static float[][] Column(IDataView data, string name) => data.GetColumn<float[]>(name).ToArray();
}
