using Microsoft.ML.Autoencoders.Samples;

// Usage: Samples [name] [output directory]; names: digits (default), sparse, denoising, contractive, anomaly, vae, retrieval, fewlabels, saucie, aanet, sweep.
var samples = new Dictionary<string, Action<string>>
{
    ["digits"] = DigitsAutoencoder.Run,
    ["sparse"] = RegularizedAutoencoders.Sparse,
    ["denoising"] = RegularizedAutoencoders.Denoising,
    ["contractive"] = RegularizedAutoencoders.Contractive,
    ["anomaly"] = RegularizedAutoencoders.Anomaly,
    ["vae"] = GenerativeAndRetrieval.Vae,
    ["retrieval"] = GenerativeAndRetrieval.Retrieval,
    ["fewlabels"] = FewLabels.Run,
    ["saucie"] = SaucieAndArchetypes.Saucie,
    ["aanet"] = SaucieAndArchetypes.Archetypes,
    ["sweep"] = Sweep.Run,
};
var name = args.Length > 0 ? args[0] : "digits";
var output = args.Length > 1 ? args[1] : Path.Combine(Directory.GetCurrentDirectory(), "out");
if (!samples.TryGetValue(name, out var run))
{
    Console.Error.WriteLine($"Unknown sample '{name}'; choose one of: {string.Join(", ", samples.Keys)}.");
    return 2;
}
Directory.CreateDirectory(output);
run(output);
return 0;
