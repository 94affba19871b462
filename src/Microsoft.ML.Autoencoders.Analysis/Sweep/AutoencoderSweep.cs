using Microsoft.ML.Data;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Autoencoders;

/// <summary>Finds the autoencoder that serves a downstream task best: configurations sampled from a search space,
/// each evaluated by k-fold cross-validation of a downstream learner on its codes (or by held-out reconstruction error
/// without a label), with successive halving on epochs so poor configurations stop early. Deterministic for a seed.</summary>
public sealed class AutoencoderSweep
{
    private const string CodeColumn = "Code", ErrorColumn = "__sweep_error";
    private readonly MLContext _ml;
    private readonly AutoencoderSweepOptions _options;

    /// <summary>The variants a sweep can try, with how each samples its own options: adding one is one line here. Options
    /// not sampled keep their own defaults, except two choices of the sweep's: masking noise (its NoiseLevels are
    /// probabilities) and 5 pretraining epochs a layer (a trial's budget is a few epochs, not a sized Fit).</summary>
    private static readonly Dictionary<string, Func<Random, AutoencoderSweepOptions, AutoencoderOptions>> Registry = new()
    {
        ["Autoencoder"] = (r, s) => new AutoencoderOptions(),
        ["SparseAutoencoder"] = (r, s) => new SparseAutoencoderOptions { SparsityWeight = Pick(r, s.SparsityWeights, nameof(s.SparsityWeights)) },
        ["DenoisingAutoencoder"] = (r, s) => new DenoisingAutoencoderOptions { Corruption = Corruption.Masking, NoiseLevel = Pick(r, s.NoiseLevels, nameof(s.NoiseLevels)) },
        ["ContractiveAutoencoder"] = (r, s) => new ContractiveAutoencoderOptions { ContractionWeight = Pick(r, s.ContractionWeights, nameof(s.ContractionWeights)) },
        ["StackedAutoencoder"] = (r, s) => new StackedAutoencoderOptions { PretrainEpochs = 5 },
        ["VariationalAutoencoder"] = (r, s) => new VariationalAutoencoderOptions(),
    };

    private AutoencoderTransformer Fit(AutoencoderOptions options, IDataView data) => new AutoencoderEstimator<AutoencoderTransformer>(_ml.Transforms, options).Fit(data);

    /// <summary>The variant names <see cref="AutoencoderSweepOptions.Variants"/> may hold.</summary>
    public static IReadOnlyCollection<string> KnownVariants => Registry.Keys;

    /// <summary>A sweep on <paramref name="mlContext"/>; the options are copied and checked here.</summary>
    public AutoencoderSweep(MLContext mlContext, AutoencoderSweepOptions options)
    {
        _ml = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        options = options?.Clone() ?? throw new ArgumentNullException(nameof(options));
        Check.Option(options.Trials >= 1, nameof(options.Trials), options.Trials, "at least 1");
        Check.Option(options.Folds >= 2, nameof(options.Folds), options.Folds, "at least 2");
        Check.Option(options.HalvingRate >= 2, nameof(options.HalvingRate), options.HalvingRate, "at least 2");
        Check.Option(options.MaxEpochs >= 1, nameof(options.MaxEpochs), options.MaxEpochs, "at least 1");
        if (options.Variants is null || options.Variants.Length == 0)
            throw new ArgumentException($"The search space is empty: {nameof(options.Variants)} names no variant; expected some of {string.Join(", ", KnownVariants)}.", nameof(options));
        foreach (var v in options.Variants)
            if (!Registry.ContainsKey(v))
                throw new ArgumentException($"Variant '{v}' is unknown to the sweep; expected one of {string.Join(", ", KnownVariants)}.", nameof(options));
        foreach (var (name, count) in new[] { (nameof(options.CodeSizes), options.CodeSizes?.Length ?? 0), (nameof(options.HiddenLayers), options.HiddenLayers?.Length ?? 0), (nameof(options.LearningRates), options.LearningRates?.Length ?? 0) })
            if (count == 0) throw new ArgumentException($"The search space is empty: {name} has no value to try.", nameof(options));
        _options = options;
        // Sampling every configuration now reports an empty variant knob (e.g. no sparsity weight) before any training.
        SampleConfigurations();
    }

    /// <summary>Runs the sweep on <paramref name="data"/> and refits the best featurizer on every row.</summary>
    public AutoencoderSweepResult Run(IDataView data)
    {
        ArgumentNullException.ThrowIfNull(data);
        DataReader.VectorSize(data.Schema, _options.FeatureColumnName);
        if (_options.LabelColumnName is { } label) Downstream.CheckLabel(data.Schema, label, _options.Task);
        using (var cursor = data.GetRowCursor(Array.Empty<DataViewSchema.Column>()))
            if (Enumerable.Range(0, _options.Folds).Count(_ => cursor.MoveNext()) < _options.Folds)
                throw new InvalidOperationException($"The data has fewer rows than Folds ({_options.Folds}); each fold needs at least one.");
        var host = ((IHostEnvironment)_ml).Register("AutoencoderSweep");
        using var channel = host.Start("Sweep");
        var folds = _ml.Data.CrossValidationSplit(data, _options.Folds, seed: _options.Seed);
        var configurations = SampleConfigurations();
        var budget = Stopwatch.StartNew();
        var trials = new List<SweepTrial>();
        int rounds = Math.Max(1, (int)Math.Floor(Math.Log(configurations.Count) / Math.Log(_options.HalvingRate) + 1e-9) + 1);
        var survivors = Enumerable.Range(0, configurations.Count).ToList();
        bool exhausted = false;
        for (int round = 0; round < rounds && !exhausted; round++)
        {
            int epochs = Math.Max(1, (int)(_options.MaxEpochs / Math.Pow(_options.HalvingRate, rounds - 1 - round)));
            var results = new List<SweepTrial>();
            foreach (int c in survivors)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                if (_options.TimeBudget is TimeSpan limit && budget.Elapsed > limit)
                {
                    channel.Info(MessageSensitivity.None, "{0}", $"Time budget of {limit} spent; stopping with {trials.Count} evaluations.");
                    exhausted = true;
                    break;
                }
                var trial = Evaluate(c, round, configurations[c], epochs, folds);
                results.Add(trial);
                trials.Add(trial);
                channel.Info(MessageSensitivity.None, "{0}", $"Trial {c} round {round} ({trial.Variant} {trial.KeyOptions}, code {trial.Options.CodeSize}, {epochs} epochs): {MetricName} {trial.Metric:G4} ± {trial.MetricStdDev:G3}");
                _options.Progress?.Report(trial);
            }
            survivors = results.OrderBy(t => Sign * t.Metric).ThenBy(t => t.Configuration)
                .Take((results.Count + _options.HalvingRate - 1) / _options.HalvingRate).Select(t => t.Configuration).ToList();
        }
        if (trials.Count == 0)
            throw new TimeoutException($"The time budget ({_options.TimeBudget}) ran out before the first evaluation finished; give the sweep more time.");
        var best = trials.OrderBy(t => Sign * t.Metric).ThenByDescending(t => t.Round).ThenBy(t => t.Configuration).First();
        var bestOptions = best.Options.Clone();
        bestOptions.ReconstructionErrorColumnName = null;
        var bestModel = Fit(bestOptions, data);
        return new AutoencoderSweepResult(trials, best, bestModel, MetricName, HigherIsBetter, exhausted);
    }

    private bool HigherIsBetter => _options.LabelColumnName is not null;
    private int Sign => HigherIsBetter ? -1 : 1;

    private string MetricName => _options.LabelColumnName is null ? "reconstruction error" : _options.Task switch
    {
        DownstreamTask.BinaryClassification => "AUC",
        DownstreamTask.Regression => "R²",
        _ => "accuracy",
    };

    private List<(string Variant, AutoencoderOptions Options)> SampleConfigurations()
    {
        var rand = new Random(_options.Seed);
        return Enumerable.Range(0, _options.Trials).Select(i =>
        {
            // Quasi-random: the variants take turns, so a few trials still cover each; the rest is drawn at random.
            var variant = _options.Variants[i % _options.Variants.Length];
            var o = Registry[variant](rand, _options);
            o.CodeSize = Pick(rand, _options.CodeSizes, nameof(_options.CodeSizes));
            o.HiddenLayers = (int[])Pick(rand, _options.HiddenLayers, nameof(_options.HiddenLayers)).Clone();
            o.LearningRate = Pick(rand, _options.LearningRates, nameof(_options.LearningRates));
            o.InputColumnName = _options.FeatureColumnName;
            o.OutputColumnName = CodeColumn;
            o.ReconstructionColumnName = null;
            o.ReconstructionErrorColumnName = _options.LabelColumnName is null ? ErrorColumn : null;
            o.BatchSize = _options.BatchSize;
            o.Threads = _options.Threads;
            o.Seed = unchecked(_options.Seed * 7919 + i);
            o.ValidationFraction = 0;
            o.EarlyStoppingPatience = 0;
            o.WarnWhenStillImproving = false;   // the halving sets each round's epochs; the trials are short on purpose
            o.CancellationToken = _options.CancellationToken;
            return (variant, o);
        }).ToList();
    }

    private SweepTrial Evaluate(int configuration, int round, (string Variant, AutoencoderOptions Options) config, int epochs, IReadOnlyList<DataOperationsCatalog.TrainTestData> folds)
    {
        var watch = Stopwatch.StartNew();
        var options = config.Options.Clone();
        options.Epochs = epochs;
        var scores = folds.Select((fold, f) =>
        {
            using var featurizer = Fit(options, fold.TrainSet);
            // A context seeded by trial and fold: the downstream learner's shuffling repeats for the same sweep seed.
            var downstream = new MLContext(seed: unchecked(((_options.Seed * 31 + configuration) * 31 + round) * 31 + f));
            return _options.LabelColumnName is { } label
                ? Downstream.Evaluate(downstream, _options.Task, featurizer, CodeColumn, label, fold.TrainSet, fold.TestSet, _options.DownstreamTrainer)
                : MeanError(featurizer.Transform(fold.TestSet));
        }).ToArray();
        double mean = scores.Average();
        double spread = Math.Sqrt(scores.Sum(s => (s - mean) * (s - mean)) / Math.Max(1, scores.Length - 1));
        options.CancellationToken = default;
        return new SweepTrial(configuration, round, config.Variant, options, mean, spread, watch.Elapsed);
    }

    private static double MeanError(IDataView scored)
        => scored.GetColumn<float>(ErrorColumn).Average(v => (double)v);

    private static T Pick<T>(Random rand, T[]? values, string name)
    {
        if (values is null || values.Length == 0)
            throw new ArgumentException($"The search space is empty: {name} has no value to try.", name);
        return values[rand.Next(values.Length)];
    }

    /// <summary>The variant's own knob, for tables.</summary>
    internal static string Describe(AutoencoderOptions options) => options switch
    {
        SparseAutoencoderOptions s => $"sparsity {s.SparsityWeight.ToString("G3", CultureInfo.InvariantCulture)}",
        DenoisingAutoencoderOptions d => $"masking {d.NoiseLevel.ToString("G3", CultureInfo.InvariantCulture)}",
        ContractiveAutoencoderOptions c => $"contraction {c.ContractionWeight.ToString("G3", CultureInfo.InvariantCulture)}",
        StackedAutoencoderOptions s => $"pretrain {s.PretrainEpochs}",
        VariationalAutoencoderOptions v => $"beta {v.Beta.ToString("G3", CultureInfo.InvariantCulture)}",
        _ => "",
    };
}

/// <summary>The evaluations of a sweep, the best one, and the best featurizer refitted on every row.</summary>
public sealed class AutoencoderSweepResult
{
    internal AutoencoderSweepResult(IReadOnlyList<SweepTrial> trials, SweepTrial best, AutoencoderTransformer bestModel, string metricName, bool higherIsBetter, bool budgetExhausted)
        => (Trials, Best, BestModel, MetricName, HigherIsBetter, BudgetExhausted) = (trials, best, bestModel, metricName, higherIsBetter, budgetExhausted);

    /// <summary>Every evaluation, in the order run (a configuration appears once per round it reached).</summary>
    public IReadOnlyList<SweepTrial> Trials { get; }

    /// <summary>The evaluation with the best metric.</summary>
    public SweepTrial Best { get; }

    /// <summary>The best configuration refitted on every row: an ordinary fitted transformer (code column "Code").</summary>
    public AutoencoderTransformer BestModel { get; }

    /// <summary>What <see cref="SweepTrial.Metric"/> measures: accuracy, AUC, R² or reconstruction error.</summary>
    public string MetricName { get; }

    /// <summary>Whether larger metrics are better (false for reconstruction error).</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Whether the time budget stopped the sweep before it finished.</summary>
    public bool BudgetExhausted { get; }

    /// <summary>The trials as a table: variant, key options, metric ± spread, seconds.</summary>
    public override string ToString() => string.Join(Environment.NewLine, Rows(" | ").Select(r => $"| {r} |").Prepend("|---|---|---|---|---|---|---|---|---|---|---|---|")
        .Prepend($"| # | round | variant | options | code | hidden | lr | epochs | {MetricName} | ± | seconds | best |"));

    /// <summary>Writes the trials as CSV (invariant culture, header first).</summary>
    public void SaveCsv(string path)
        => File.WriteAllLines(path, Rows(",").Prepend("configuration,round,variant,options,code_size,hidden_layers,learning_rate,epochs,metric,metric_std,seconds,best"));

    /// <summary>One line a trial: numbers rounded for the table, in full for CSV.</summary>
    private IEnumerable<string> Rows(string separator)
    {
        bool csv = separator == ",";
        string Number(double value, string format) => value.ToString(csv ? "R" : format, CultureInfo.InvariantCulture);
        return Trials.Select(t => string.Join(separator, t.Configuration, t.Round, t.Variant, csv ? $"\"{t.KeyOptions}\"" : t.KeyOptions,
            t.Options.CodeSize, string.Join("-", t.Options.HiddenLayers), Number(t.Options.LearningRate, "G3"), t.Options.Epochs,
            Number(t.Metric, "F4"), Number(t.MetricStdDev, "F4"), Number(t.Duration.TotalSeconds, "F1"), ReferenceEquals(t, Best) ? 1 : 0));
    }
}
