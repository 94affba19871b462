using Microsoft.ML.Autoencoders.Training;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Each epoch's order of the rows: shuffled, stratified by group, or anchored on a reference group.</summary>
[TestClass]
public sealed class MinibatchOrderTests
{
    private static RowGroups Groups(int[] sizes, int? reference)
        => new(sizes.SelectMany((n, g) => Enumerable.Repeat(g, n)).ToArray(), sizes.Select((_, g) => $"g{g}").ToArray(), reference);

    private static IEnumerable<long[]> Minibatches(long[] order, int size) => order.Chunk(size);

    [TestMethod]
    public void Without_groups_or_with_groups_in_numbers_every_row_comes_once_and_groups_are_in_proportion()
    {
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), MinibatchOrder.Next(new Random(1), 100, null, 32));
        // Three groups of 600, 300 and 60 rows: 16 of the small one in each minibatch of 256, enough to stay in proportion.
        var groups = Groups(new[] { 600, 300, 60 }, reference: 0);
        var order = MinibatchOrder.Next(new Random(1), 960, groups, 256);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 960).Select(i => (long)i).ToArray(), order);
        foreach (var batch in Minibatches(order, 256).SkipLast(1))
            for (int g = 0; g < 3; g++)
                Assert.AreEqual(256.0 * new[] { 600, 300, 60 }[g] / 960, batch.Count(i => groups.Ids[i] == g), 1.0, $"group {g} in proportion");
    }

    [TestMethod]
    public void Many_or_small_groups_give_minibatches_anchored_on_the_reference()
    {
        // 40 groups of uneven size (5 to 390 rows), the reference the largest: in proportion, a minibatch of 64 would
        // hold under 1 row of most.
        var rand = new Random(2);
        var sizes = Enumerable.Range(0, 40).Select(g => g == 7 ? 390 : 5 + rand.Next(200)).ToArray();
        var groups = Groups(sizes, reference: 7);
        int rows = sizes.Sum(), others = rows - 390;
        var order = MinibatchOrder.Next(new Random(1), rows, groups, 64);
        var batches = Minibatches(order, 64).ToArray();
        // 64 = 16 reference rows + 3 runs of 16 rows of one group.
        Assert.AreEqual((others + 47) / 48, batches.Length);
        Assert.IsTrue(batches.SkipLast(1).All(b => b.Length == 64), "full minibatches");
        Assert.IsTrue(batches.All(b => b.Count(i => groups.Ids[i] == 7) == 16), "16 reference rows in every minibatch");
        Assert.IsTrue(batches.All(b => b.Distinct().Count() == b.Length), "no row twice in a minibatch, also where a pass over the 390 reference rows ends");
        var nonReference = order.Where(i => groups.Ids[i] != 7).ToArray();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, rows).Where(i => groups.Ids[i] != 7).Select(i => (long)i).ToArray(), nonReference, "every other row once");
        CollectionAssert.IsSubsetOf(Enumerable.Range(0, rows).Where(i => groups.Ids[i] == 7).Select(i => (long)i).ToArray(), order, "the reference rows are all used");
        // Most rows meet many rows of their own group in their minibatch (in proportion: about 1).
        double met = batches.SelectMany(b => b.Where(i => groups.Ids[i] != 7).Select(i => b.Count(j => groups.Ids[j] == groups.Ids[i]))).Average();
        Assert.IsTrue(met >= 12, $"rows of a row's group in its minibatch: {met:F1}");
        // Seeded: the same seed the same order, the next epoch another.
        var random = new Random(1);
        CollectionAssert.AreEqual(order, MinibatchOrder.Next(random, rows, groups, 64));
        CollectionAssert.AreNotEqual(order, MinibatchOrder.Next(random, rows, groups, 64));
    }

    [TestMethod]
    public void Groups_without_a_reference_stay_in_proportion_however_many()
    {
        // The classifier's classes: 40 small classes are only spread, never anchored or repeated.
        var groups = Groups(Enumerable.Repeat(10, 40).ToArray(), reference: null);
        var order = MinibatchOrder.Next(new Random(1), 400, groups, 64);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 400).Select(i => (long)i).ToArray(), order);
        // 1.6 rows of each class a minibatch. Spread over the epoch, a class is seldom missing from a minibatch; a plain
        // shuffle leaves one out in about one pair in six ((1 - 0.16)^10), 30 of the 240 here.
        var counts = Minibatches(order, 64).SkipLast(1).SelectMany(b => Enumerable.Range(0, 40).Select(g => b.Count(i => groups.Ids[i] == g))).ToArray();
        var shuffled = MinibatchOrder.Next(new Random(1), 400, null, 64);
        int missing = counts.Count(c => c == 0), missingShuffled = Minibatches(shuffled, 64).SkipLast(1).Sum(b => Enumerable.Range(0, 40).Count(g => !b.Any(i => groups.Ids[i] == g)));
        Console.WriteLine($"class missing from a minibatch: {missing} of {counts.Length} pairs (shuffled: {missingShuffled}); most rows of a class in one: {counts.Max()}");
        Assert.IsTrue(missing <= 6 && missingShuffled >= 20 && counts.Max() <= 4, "classes spread over the epoch");
    }

    [TestMethod]
    public void A_reference_smaller_than_its_share_gives_all_its_rows_and_no_row_comes_twice_in_a_minibatch()
    {
        var sizes = Enumerable.Range(0, 40).Select(g => g == 0 ? 5 : 100).ToArray();
        var groups = Groups(sizes, reference: 0);
        var order = MinibatchOrder.Next(new Random(1), sizes.Sum(), groups, 64);
        var batches = Minibatches(order, 64).ToArray();
        Assert.IsTrue(batches.SkipLast(1).All(b => b.Length == 64 && b.Distinct().Count() == 64), "full minibatches of distinct rows");
        Assert.IsTrue(batches.All(b => b.Count(i => groups.Ids[i] == 0) == 5), "the 5 reference rows in every minibatch");
        Assert.AreEqual((3900 + 58) / 59, batches.Length, "59 other rows a minibatch");
    }
}
