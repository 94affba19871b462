using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>A featurization sweep for a few-label classification task on the digits.</summary>
public static class Sweep
{
    public static void Run(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        // 30 labelled digits a class for the sweep's cross-validation; the rest is the test set.
        var labelled = rows.GroupBy(r => r.Label).SelectMany(g => g.Take(30)).ToArray();
        var test = rows.Except(labelled).ToArray();
        var data = Data.ToDataView(ml, labelled, 64);
        var options = new AutoencoderSweepOptions
        {
            LabelColumnName = "Label", Trials = 9, Folds = 3, Seed = 1, MaxEpochs = 90, HalvingRate = 3,
            Variants = new[] { "Autoencoder", "SparseAutoencoder", "DenoisingAutoencoder", "ContractiveAutoencoder" },
            CodeSizes = new[] { 16, 32 }, HiddenLayers = new[] { Array.Empty<int>(), new[] { 64 } }, LearningRates = new[] { 3e-3 },
            TimeBudget = TimeSpan.FromMinutes(3),
            Progress = new ConsoleProgress(),
        };
        Console.WriteLine($"Sweeping featurizers for {labelled.Length} labelled digits (3-fold CV, SDCA on the codes):");
        var result = new AutoencoderSweep(ml, options).Run(data);
        Console.WriteLine(result);
        var csv = Path.Combine(output, "sweep.csv");
        result.SaveCsv(csv);
        var testData = Data.ToDataView(ml, test, 64);
        double best = Downstream.MulticlassAccuracy(ml, result.BestModel, "Code", "Label", data, testData);
        double raw = Downstream.MulticlassAccuracy(ml, null, "Features", "Label", data, testData);
        Console.WriteLine($"Best: {result.Best.Variant} {result.Best.KeyOptions} code {result.Best.Options.CodeSize}; test accuracy on {test.Length} digits: {best:F3} (raw pixels {raw:F3}). Trials saved to {csv}.");
    }

    private sealed class ConsoleProgress : IProgress<SweepTrial>
    {
        public void Report(SweepTrial t) => Console.WriteLine($"  trial {t.Configuration}, round {t.Round}: {t.Variant} {t.KeyOptions} code {t.Options.CodeSize}, {t.Options.Epochs} epochs -> {t.Metric:F3} ± {t.MetricStdDev:F3}");
    }
}
