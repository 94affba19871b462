using System.Globalization;
using System.IO.Compression;
using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>SAUCIE on the bundled HSMM single-cell data and on an AnnData file of cells in batches; AAnet on the digits.</summary>
public static class SaucieAndArchetypes
{
    private sealed class CellRow
    {
        public float[] Features = Array.Empty<float>();
        public string Hours = "";
    }

    /// <summary>HSMM: 271 myoblasts over a 72-hour differentiation time course; SAUCIE on 50 principal components.</summary>
    public static void Saucie(string output)
    {
        var ml = new MLContext(1);
        var folder = Path.Combine(AppContext.BaseDirectory, "data", "single-cell");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(folder, "hsmm_log1p_fpkm_top2000.csv.gz")), CompressionMode.Decompress));
        reader.ReadLine();
        var expression = new Dictionary<string, float[]>();
        while (reader.ReadLine() is { } line)
        {
            var fields = line.Split(',');
            expression[fields[0].Trim('"')] = fields[1..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }
        var hours = File.ReadLines(Path.Combine(folder, "hsmm_cells.csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => f[0].Trim('"'), f => f[1]);
        var cells = expression.Keys.ToArray();
        var rows = cells.Select(c => new CellRow { Features = expression[c], Hours = hours[c] }).ToArray();
        var data = ToDataView(ml, rows, 2000);
        // More than ~100 inputs: the authors reduce with PCA first.
        var pca = ml.Transforms.ProjectToPrincipalComponents("Pca", "Features", rank: 50, seed: 1).Fit(data);
        var reduced = pca.Transform(data);
        var options = new SaucieOptions
        {
            InputColumnName = "Pca", HiddenLayers = new[] { 256, 128, 64 }, Epochs = 300, BatchSize = 64, Seed = 1, Threads = 1,
            EarlyStoppingPatience = 0, ValidationFraction = 0,   // the published weights (0.1, 0.2)
        };
        using var model = ml.Transforms.Saucie(options).Fit(reduced);
        var scored = model.Transform(reduced);
        var embedding = Data.Column(scored, "Embedding");
        var clusters = ReadKeys(scored, "Cluster");
        var hourLabels = rows.Select(r => int.Parse(r.Hours) / 24).ToArray();
        Console.WriteLine($"HSMM: {rows.Length} cells, 2000 genes -> 50 PCs -> SAUCIE: {model.ClusterCount} clusters, {clusters.Count(c => c == 0)} cells unclustered.");
        Console.WriteLine($"Agreement of clusters with the time point (0/24/48/72 h): ARI {Metrics.AdjustedRandIndex(clusters.Select(c => (int)c).ToArray(), hourLabels):F3}, NMI {Metrics.NormalizedMutualInformation(clusters.Select(c => (int)c).ToArray(), hourLabels):F3}.");
        Plots.Scatter(embedding, clusters.Select(c => (int)c).ToArray(), c => $"cluster {c}", "SAUCIE on HSMM myoblasts: clusters", "embedding 1", "embedding 2",
            Path.Combine(output, "saucie-hsmm-clusters.png"), noneName: "unclustered");
        Plots.Scatter(embedding, hourLabels, h => $"{24 * h} h", "SAUCIE on HSMM myoblasts: time point", "embedding 1", "embedding 2", Path.Combine(output, "saucie-hsmm-hours.png"));

        // Batches: an AnnData file in (as scanpy writes it), SAUCIE with batch correction, an AnnData file out.
        var cellsIn = ml.Data.LoadFromAnnData(Path.Combine(folder, "batches.h5ad"));
        var batchNames = cellsIn.GetColumn<ReadOnlyMemory<char>>("batch").Select(b => b.ToString()).ToArray();
        var typeNames = cellsIn.GetColumn<ReadOnlyMemory<char>>("cell_type").Select(t => t.ToString()).ToArray();
        int[] Codes(string[] names) => names.Select(n => Array.IndexOf(names.Distinct().Order().ToArray(), n)).ToArray();
        var (batches, types) = (Codes(batchNames), Codes(typeNames));
        SaucieOptions Options(string? batch) => new()
        {
            HiddenLayers = new[] { 128, 64, 32 }, Epochs = 60, BatchSize = 128, Seed = 1, Threads = 1, EarlyStoppingPatience = 0, BatchColumnName = batch,
        };
        using var before = ml.Transforms.Saucie(Options(null)).Fit(cellsIn);
        using var after = ml.Transforms.Saucie(Options("batch")).Fit(cellsIn);
        var e0 = Data.Column(before.Transform(cellsIn), "Embedding");
        var corrected = after.Transform(cellsIn);
        var e1 = Data.Column(corrected, "Embedding");
        var found = ReadKeys(corrected, "Cluster").Select(c => (int)c).ToArray();
        Console.WriteLine($"batches.h5ad, 900 cells of 3 types in 3 batches: iLISI {Metrics.InverseSimpsonBatchMixing(e0, batches):F2} without correction -> {Metrics.InverseSimpsonBatchMixing(e1, batches):F2} with it (1: batches apart, 3: mixed).");
        Console.WriteLine($"Cell types after correction: kNN agreement {Metrics.NeighbourLabelAgreement(e1, types):F3}; {after.ClusterCount} clusters, ARI {Metrics.AdjustedRandIndex(found, types):F3} against the cell types.");
        var written = Path.Combine(output, "saucie-batches.h5ad");
        ml.Data.SaveAsAnnData(corrected, written);
        Console.WriteLine($"Wrote {written}: X, obs (cell_type, batch, Cluster as a categorical), obsm X_saucie and Reconstruction; scanpy: sc.read_h5ad(...).");
        Plots.Scatter(e0, batches, b => batchNames.Distinct().Order().ElementAt(b), "SAUCIE without batch correction: batches apart", "embedding 1", "embedding 2", Path.Combine(output, "saucie-batches-before.png"));
        Plots.Scatter(e1, batches, b => batchNames.Distinct().Order().ElementAt(b), "SAUCIE with batch correction: batches mixed", "embedding 1", "embedding 2", Path.Combine(output, "saucie-batches-after.png"));
        Plots.Scatter(e1, types, t => typeNames.Distinct().Order().ElementAt(t), "With batch correction: cell types still apart", "embedding 1", "embedding 2", Path.Combine(output, "saucie-batches-types.png"));
    }

    /// <summary>AAnet on the digits: three archetypes as images, and every digit placed in the triangle by its weights.</summary>
    public static void Archetypes(string output)
    {
        var ml = new MLContext(1);
        var rows = Data.Digits();
        var data = Data.ToDataView(ml, rows, 64);
        using var model = ml.Transforms.ArchetypalAnalysis(new ArchetypalAnalysisOptions
        {
            ArchetypeCount = 3, HiddenLayers = new[] { 64, 32 }, Epochs = 200, BatchSize = 64, LearningRate = 2e-3, LatentNoise = 0.02,
            Seed = 1, Threads = 1, EarlyStoppingPatience = 0, OutputActivation = Activation.Sigmoid, Loss = ReconstructionLoss.BinaryCrossEntropy,
        }).Fit(data);
        var weights = Data.Column(model.Transform(data), "ArchetypeWeights");
        Plots.ImageRows(new[] { model.Archetypes }, new[] { "archetype" }, 8, 3, "AAnet: the three archetypes, decoded", Path.Combine(output, "aanet-archetypes.png"));
        // Barycentric coordinates to the plane: vertices of an equilateral triangle.
        var corners = new[] { (0.0, 0.0), (1.0, 0.0), (0.5, Math.Sqrt(3) / 2) };
        var points = weights.Select(w => new[] { (float)w.Select((b, k) => b * corners[k].Item1).Sum(), (float)w.Select((b, k) => b * corners[k].Item2).Sum() }).ToArray();
        Plots.ScatterInPolygon(points, rows.Select(r => (int)r.Label).ToArray(), d => $"digit {d}", corners.Select((c, k) => (c.Item1, c.Item2, $"archetype {k + 1}")).ToArray(),
            "AAnet: digits placed by their archetype weights", Path.Combine(output, "aanet-simplex.png"));
        for (int k = 0; k < 3; k++)
        {
            var nearest = Enumerable.Range(0, rows.Length).OrderByDescending(i => weights[i][k]).Take(50).GroupBy(i => rows[i].Label).OrderByDescending(g => g.Count()).First();
            Console.WriteLine($"Archetype {k + 1}: of the 50 digits weighted most towards it, {nearest.Count()} are {nearest.Key}s.");
        }
    }

    private static IDataView ToDataView(MLContext ml, IEnumerable<CellRow> rows, int size)
    {
        var definition = SchemaDefinition.Create(typeof(CellRow));
        definition[nameof(CellRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return ml.Data.LoadFromEnumerable(rows, definition);
    }

    /// <summary>The cluster key of each row (0: unclustered); the column is a one-key vector.</summary>
    private static uint[] ReadKeys(IDataView data, string name) => data.GetColumn<uint>(name).ToArray();

}
