using Microsoft.ML.Autoencoders.Analysis;
using Spectre.Console;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>The first sample: an autoencoder on the bundled digits, against PCA of the same code size.</summary>
public static class DigitsAutoencoder
{
    public static void Run(string outputDirectory)
    {
        var ml = new MLContext(seed: 1);
        var rows = Data.Digits();
        var train = Data.ToDataView(ml, rows[..1400], 64);
        var test = Data.ToDataView(ml, rows[1400..], 64);
        const int codeSize = 16;

        var options = new AutoencoderOptions
        {
            InputColumnName = "Features",
            OutputColumnName = "Code",
            ReconstructionColumnName = "Reconstruction",
            ReconstructionErrorColumnName = "Error",
            CodeSize = codeSize,
            HiddenLayers = new[] { 64 },
            Epochs = 150,
            BatchSize = 64,
            LearningRate = 3e-3,
            EarlyStoppingPatience = 10,
            Threads = 1,
            BatchProgressInterval = 5,
        };
        Console.WriteLine($"Training a 64-64-{codeSize} autoencoder on {1400} digits (8x8, scaled to [0, 1])...");
        AutoencoderTransformer? fitted = null;
        // A live bar while training (a line per epoch would be 150 lines); early stopping may end it before 100%.
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(context =>
        {
            var task = context.AddTask("training", maxValue: 1);
            options.BatchProgress = new Sink<BatchMetrics>(b => { task.Value = b.Fraction; task.Description = $"epoch {b.Epoch}/{b.TotalEpochs}, loss {b.TrainLoss:F4}"; });
            fitted = ml.Transforms.Autoencoder(options).Fit(train);
            task.Value = 1;
        });
        using var model = fitted!;
        Console.WriteLine($"Stopped after {model.TrainingHistory.Count} epochs; kept the weights of epoch {model.BestEpoch} (validation loss {model.FinalValidationLoss:F5}).");
        Plots.LossCurve(model.TrainingHistory, model.BestEpoch, $"Autoencoder 64-64-{codeSize} on digits", Path.Combine(outputDirectory, "digits-loss.png"));

        var scored = model.Transform(test);
        double autoencoder = Data.Scalar(scored, "Error").Average();
        double pca = Baselines.PcaReconstructionError(ml, train, test, "Features", codeSize, seed: 1);
        Console.WriteLine($"Held-out reconstruction MSE per pixel: autoencoder {autoencoder:F5}, PCA (rank {codeSize}) {pca:F5}.");

        var path = Path.Combine(outputDirectory, "digits-reconstruction.png");
        Plots.ImageRows(new[] { Data.Column(scored, "Features"), Data.Column(scored, "Reconstruction") }, new[] { "held-out digit", "reconstruction" }, 8, 12,
            $"Reconstructions from a {codeSize}-value code", path);

        var modelPath = Path.Combine(outputDirectory, "digits-autoencoder.zip");
        ml.Model.Save(model, train.Schema, modelPath);
        var reloaded = new MLContext().Model.Load(modelPath, out _);
        double reloadedError = Data.Scalar(reloaded.Transform(test), "Error").Average();
        (reloaded as IDisposable)?.Dispose();   // ML.NET deletes its temp copy of the graph on Dispose
        Console.WriteLine($"Saved {modelPath}; reloaded with ML.NET alone it scores the same error: {reloadedError:F5}.");
    }

    private sealed class Sink<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
