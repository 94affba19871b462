namespace Microsoft.ML.Autoencoders.Tests;

[TestClass]
public sealed class SampleAnalysisTests
{
    [TestMethod]
    public void Sample_distances_follow_cell_type_proportions_and_a_replicate_is_near_0()
    {
        var ml = new MLContext(1);
        // 200 rows a sample from 3 cell types: type 0's share falls 0.8, 0.6, ..., 0 as type 1's rises, type 2 stays 0.2;
        // sample 5 repeats sample 0's proportions with other cells. The kernel mean of a sample is the mix of the types'
        // kernel means, so MMD(0, j) = 0.2 j |μ0 - μ1|: the distances grow in proportion to j and lie on a line.
        float[][] Cells(int type, int count, int rowSeed) => TestData.CellTypes(n: count, types: 3, dims: 10, batches: 1, seed: 11,
            proportions: Enumerable.Range(0, 3).Select(t => t == type ? 1.0 : 0).ToArray(), rowSeed: rowSeed).X;
        var typeZero = new[] { 160, 120, 80, 40, 0, 160 };
        var parts = typeZero.Select((n, s) => Cells(0, n, 3 * s).Concat(Cells(1, 160 - n, 3 * s + 1)).Concat(Cells(2, 40, 3 * s + 2)).ToArray()).ToArray();
        var x = parts.SelectMany(p => p).ToArray();
        var samples = parts.SelectMany((p, s) => Enumerable.Repeat(s, p.Length)).ToArray();
        var data = TestData.WithBatches(ml, x, new int[x.Length], samples);
        var options = new SaucieOptions
        {
            HiddenLayers = new[] { 16, 8 }, Epochs = 3, BatchSize = 128, Seed = 1, Threads = 1, ClusterColumnName = null,
            ValidationFraction = 0, EarlyStoppingPatience = 0,
        };
        using var model = ml.Transforms.Saucie(options).Fit(data);
        var analysis = model.AnalyzeSamples(data, "Sample");
        var d = analysis.Distances;
        Console.WriteLine($"d(0, j): {string.Join(", ", Enumerable.Range(1, 5).Select(j => d[0, j].ToString("F4")))}; d(0, j) / d(0, 1): {string.Join(", ", Enumerable.Range(2, 3).Select(j => (d[0, j] / d[0, 1]).ToString("F2")))}");

        for (int j = 2; j <= 4; j++)
        {
            Assert.IsTrue(d[0, j] > d[0, j - 1], $"d(0, {j}) > d(0, {j - 1})");
            Assert.AreEqual(j, d[0, j] / d[0, 1], 0.2 * j, $"d(0, {j}) / d(0, 1)");
        }
        // The replicate: 0.0000 here, where the biased estimate (kernel diagonal included) gave 0.044, half of d(0, 1).
        Assert.IsTrue(d[0, 5] < 0.2 * d[0, 1], $"the replicate: d(0, 5) = {d[0, 5]:F4}, d(0, 1) = {d[0, 1]:F4}");

        // The samples lie on a line, so the 2-d classical scaling reproduces every distance.
        double worst = 0;
        for (int a = 0; a < 6; a++)
            for (int b = a + 1; b < 6; b++)
            {
                var (p, q) = (analysis.Embedding[a], analysis.Embedding[b]);
                worst = Math.Max(worst, Math.Abs(Math.Sqrt((p[0] - q[0]) * (p[0] - q[0]) + (p[1] - q[1]) * (p[1] - q[1])) - d[a, b]));
            }
        Console.WriteLine($"largest |MDS distance - distance| {worst:F5} of the largest distance {d[0, 4]:F4}");
        Assert.IsTrue(worst < 0.05 * d[0, 4], $"MDS error {worst}");
    }

    [TestMethod]
    public void A_sample_of_one_row_is_named()
    {
        var ml = new MLContext(1);
        var (x, _, _) = TestData.CellTypes(n: 60, types: 2, dims: 5, batches: 1, seed: 1);
        var samples = Enumerable.Range(0, 60).Select(i => i == 59 ? 1 : 0).ToArray();
        var data = TestData.WithBatches(ml, x, new int[60], samples);
        using var model = ml.Transforms.Saucie(new SaucieOptions { HiddenLayers = new[] { 8 }, Epochs = 1, Seed = 1, Threads = 1, ClusterColumnName = null }).Fit(data);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.AnalyzeSamples(data, "Sample"));
        Assert.AreEqual("sampleColumnName", e.ParamName);
        StringAssert.Contains(e.Message, "Sample 'sample1' of column 'Sample' has 1 row");
    }
}
