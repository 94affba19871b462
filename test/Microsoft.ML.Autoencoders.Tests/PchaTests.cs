using Microsoft.ML.Autoencoders.Analysis;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Linear archetypal analysis (PCHA) on convex mixtures of known archetypes in a linear space.</summary>
[TestClass]
public sealed class PchaTests
{
    private static readonly float[][] Triangle = { new[] { 0f, 0f }, new[] { 4f, 1f }, new[] { 1f, 3f } };
    private static readonly float[][] Tetrahedron = { new[] { 0f, 0f, 0f }, new[] { 3f, 0f, 0f }, new[] { 0.5f, 3f, 0f }, new[] { 1f, 1f, 3f } };

    /// <summary>n rows mixing <paramref name="archetypes"/> with Dirichlet(1) weights, every tenth row near a vertex
    /// (weight 0.97 on it plus 0.03 spread by Dirichlet(1)), plus Gaussian noise of standard deviation 0.01.</summary>
    private static float[][] Mixtures(float[][] archetypes, int n, int seed)
    {
        var rand = new Random(seed);
        int k = archetypes.Length;
        return Enumerable.Range(0, n).Select(i =>
        {
            var e = Enumerable.Range(0, k).Select(_ => -Math.Log(1 - rand.NextDouble())).ToArray();
            var w = e.Select(v => v / e.Sum()).ToArray();
            if (i % 10 == 0) w = w.Select((v, j) => 0.03 * v + (j == i / 10 % k ? 0.97 : 0)).ToArray();
            return Enumerable.Range(0, archetypes[0].Length)
                .Select(f => (float)(Enumerable.Range(0, k).Sum(j => w[j] * archetypes[j][f]) + 0.01 * TestData.Gaussian(rand))).ToArray();
        }).ToArray();
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(4)]
    public void Archetypes_of_linear_mixtures_are_found(int k)
    {
        // Measured: matched archetype MSE 0.00014 (K = 3, 2-d) and 0.00026 (K = 4, 3-d). The bound 0.002 is an RMS error
        // of 0.045 a coordinate, about 1% of an edge (edges are 3 to 4.1 long).
        var truth = k == 3 ? Triangle : Tetrahedron;
        var archetypes = Baselines.Pcha(Mixtures(truth, 1000, seed: k), k, seed: 1);
        double error = Metrics.MatchedArchetypeError(archetypes, truth);
        Console.WriteLine($"K={k}: matched archetype MSE {error:F5}");
        Assert.AreEqual(k, archetypes.Length);
        Assert.IsTrue(archetypes.All(a => a.Length == truth[0].Length));
        Assert.IsTrue(error < 0.002, $"matched archetype MSE {error:F5}");
    }

    [TestMethod]
    public void The_seed_decides_the_result()
    {
        var rows = Mixtures(Tetrahedron, 500, seed: 2);
        var first = Baselines.Pcha(rows, 4, seed: 3);
        var again = Baselines.Pcha(rows, 4, seed: 3);
        for (int k = 0; k < 4; k++) CollectionAssert.AreEqual(first[k], again[k]);
    }

    [TestMethod]
    public void One_archetype_is_the_mean()
    {
        var rows = Mixtures(Triangle, 300, seed: 5);
        var archetype = Baselines.Pcha(rows, 1, seed: 1).Single();
        for (int f = 0; f < 2; f++) Assert.AreEqual(rows.Average(r => r[f]), archetype[f], 1e-3);
    }

    [TestMethod]
    public void Bad_arguments_are_named()
    {
        var rows = Mixtures(Triangle, 20, seed: 1);
        Assert.ThrowsExactly<ArgumentNullException>(() => Baselines.Pcha(null!, 2, 1));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Baselines.Pcha(Array.Empty<float[]>(), 1, 1)).Message, "no rows");
        var ragged = rows.Select((r, i) => i == 7 ? new[] { 1f } : r).ToArray();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Baselines.Pcha(ragged, 2, 1)).Message, "Row 7 has 1 values and row 0 has 2");
        var infinite = rows.Select((r, i) => i == 4 ? new[] { r[0], float.PositiveInfinity } : r).ToArray();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => Baselines.Pcha(infinite, 2, 1)).Message, "Row 4, feature 1");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Baselines.Pcha(rows, 0, 1)).Message, "archetypes is 0");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Baselines.Pcha(rows, 21, 1)).Message, "from 1 to the number of rows (20)");
    }
}
