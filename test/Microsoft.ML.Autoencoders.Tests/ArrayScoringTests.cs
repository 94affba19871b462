namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Scoring rows already in memory, without an IDataView: the same values as Transform, the same checks.</summary>
[TestClass]
public sealed class ArrayScoringTests
{
    [TestMethod]
    public void Encode_and_Reconstruct_equal_the_Transform_columns_and_check_their_arguments()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..300];
        var data = TestData.ToDataView(ml, rows);
        using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 6, HiddenLayers = new[] { 16 }, Epochs = 1, Seed = 1, Threads = 1, ReconstructionColumnName = "R" }).Fit(data);
        var flat = rows.SelectMany(r => r).ToArray();
        var codes = new float[rows.Length * 6];
        model.Encode(flat, codes);
        var expected = TestData.Column(model.Transform(data), "Code");
        for (int i = 0; i < rows.Length; i++)
            CollectionAssert.AreEqual(expected[i], codes.AsSpan(i * 6, 6).ToArray(), $"row {i}");
        var reconstructions = new float[flat.Length];
        model.Reconstruct(flat, reconstructions);
        CollectionAssert.AreEqual(TestData.Column(model.Transform(data), "R").SelectMany(r => r).ToArray(), reconstructions);

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Encode(flat.AsSpan(1), codes)).Message, "not a whole number of rows of 64");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Encode(flat, codes.AsSpan(1))).Message, "300 rows need 1800");
        flat[5 * 64 + 2] = float.NaN;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Encode(flat, codes)).Message, "Row 5, feature 2 is NaN");
        using var plain = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 6, Epochs = 1, Seed = 1 }).Fit(data);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => plain.Reconstruct(flat, reconstructions)).Message, "ReconstructionColumnName");
        plain.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => plain.Encode(new float[64], new float[6]));
    }
}
