using Microsoft.ML.Autoencoders.Benchmarks;

// Usage: Microsoft.ML.Autoencoders.Benchmarks <benchmark> [threads], or conv-classic <threads, 0: default> <epochs>; benchmarks: foundation, regularized, retrieval, classic, fewlabels, sweep, saucie, saucie-steps, scoring, profile, scale, saucie-scales, saucie-minsize, saucie-length, saucie-dump, finetune, archetypes, archetypes-seeds, saucie-paper.
var benchmarks = new Dictionary<string, Action<int>>
{
    ["foundation"] = Foundation.Run,
    ["regularized"] = Regularized.Run,
    ["retrieval"] = Retrieval.Run,
    ["classic"] = Classic.Run,
    ["fewlabels"] = FewLabels.Run,
    ["sweep"] = FewLabels.Sweep,
    ["saucie"] = SaucieScale.Run,
    ["saucie-steps"] = SaucieScale.Steps,
    ["scoring"] = Scoring.Run,
    ["profile"] = Profile.Run,
    ["scale"] = Scale.Run,
    ["saucie-scales"] = SaucieInputScales.Run,
    ["saucie-minsize"] = SaucieInputScales.MinClusterSizes,
    ["saucie-length"] = SaucieInputScales.TrainingLengths,
    ["saucie-dump"] = SaucieInputScales.Dump,
    ["finetune"] = FineTuning.Run,
    ["archetypes"] = Archetypal.Run,
    ["archetypes-seeds"] = Archetypal.Seeds,
    ["saucie-paper"] = SaucieAtScale.Run,
};
// One Fit of the scale benchmark, in a child process: scale-one <threads> <rows> <cache>.
if (args.Length == 4 && args[0] == "scale-one")
{
    Scale.One(int.Parse(args[1]), long.Parse(args[2]), Enum.Parse<Microsoft.ML.Autoencoders.DataCache>(args[3]));
    return 0;
}
// For the data-cache tests: disk-fit <rows> <cache directory>.
if (args.Length == 3 && args[0] == "disk-fit")
{
    Scale.DiskFit(int.Parse(args[1]), args[2]);
    return 0;
}
// The archetype benchmark at another size: archetypes <threads> <rows> <epochs> <K> [<K> ...].
if (args.Length >= 5 && args[0] == "archetypes")
{
    Archetypal.Run(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4..].Select(int.Parse).ToArray());
    return 0;
}
// The SAUCIE scale benchmark at another size: saucie-paper <threads> <rows>.
if (args.Length == 3 && args[0] == "saucie-paper")
{
    SaucieAtScale.Run(int.Parse(args[1]), long.Parse(args[2]));
    return 0;
}
// The textbook convolutional autoencoder at a user's defaults: conv-classic <threads, 0 = torch's default> <epochs>.
if (args.Length == 3 && args[0] == "conv-classic")
{
    Classic.Convolutional(int.Parse(args[1]), int.Parse(args[2]));
    return 0;
}
// Every variant fitted under constant garbage collection, for the Scalar-lifetime test: gc-stress <seconds>.
if (args.Length >= 2 && args[0] == "gc-stress")
    return GcStress.Run(int.Parse(args[1]), verbose: args.Length > 2);
if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"Choose a benchmark: {string.Join(", ", benchmarks.Keys)}");
    return 2;
}
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
run(args.Length > 1 ? int.Parse(args[1]) : 1);
return 0;
