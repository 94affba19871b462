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

    [TestMethod]
    public void Eight_threads_encoding_at_once_get_what_one_thread_gets()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..400];
        using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 6, HiddenLayers = new[] { 16 }, Epochs = 1, Seed = 1, Threads = 1 }).Fit(TestData.ToDataView(ml, rows));
        var flat = rows.SelectMany(r => r).ToArray();
        var expected = new float[rows.Length * 6];
        model.Encode(flat, expected);
        var results = new float[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, t =>
        {
            for (int repeat = 0; repeat < 10; repeat++)
            {
                // Each thread its own slice of rows, at its own offset, into its own buffer.
                int start = t * 25, count = 200;
                var codes = new float[count * 6];
                model.Encode(flat.AsSpan(start * 64, count * 64), codes);
                CollectionAssert.AreEqual(expected.AsSpan(start * 6, count * 6).ToArray(), codes, $"thread {t}, repeat {repeat}");
                results[t] = codes;
            }
        });
        Assert.IsTrue(results.All(r => r is not null));
    }

    private sealed class Digit
    {
        [Microsoft.ML.Data.VectorType(64)] public float[] Features = new float[64];
    }

    private sealed class Coded
    {
        public float[] Code = Array.Empty<float>();
    }

    // ML.NET's PredictionEngine disposes the model it was given when the engine is disposed (OwnsTransformer, true by
    // default), and PredictionEnginePool disposes engines as it trims. That pattern on 8 threads (make an engine, use
    // it, dispose it), while 2 more score through Transform and Encode, must never stop the model; the owner's
    // Dispose, after the last engine's, does.
    [TestMethod]
    public void Engines_made_used_and_disposed_on_eight_threads_leave_the_model_scoring_for_the_others()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..200];
        var data = TestData.ToDataView(ml, rows);
        var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 6, Epochs = 1, Seed = 1, Threads = 1 }).Fit(data);
        var expected = TestData.Column(model.Transform(data), "Code");
        var flat = rows.SelectMany(r => r).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        int enginesDone = 0, predictions = 0, passes = 0;
        void Guard(Action work)
        {
            try { work(); }
            catch (Exception e) { failures.Add(e); }
        }
        var engines = Enumerable.Range(0, 8).Select(t => new Thread(() => Guard(() =>
        {
            for (int round = 0; round < 30; round++)
            {
                using var engine = ml.Model.CreatePredictionEngine<Digit, Coded>(model);
                for (int i = 0; i < 5; i++)
                {
                    int r = (t * 31 + round * 5 + i) % rows.Length;
                    CollectionAssert.AreEqual(expected[r], engine.Predict(new Digit { Features = rows[r] }).Code, $"engine thread {t}, row {r}");
                    Interlocked.Increment(ref predictions);
                }
            }
            Interlocked.Increment(ref enginesDone);
        }))).ToList();
        var scorers = Enumerable.Range(0, 2).Select(t => new Thread(() => Guard(() =>
        {
            var codes = new float[rows.Length * 6];
            while (Volatile.Read(ref enginesDone) < 8 && failures.IsEmpty)
            {
                if (t == 0) model.Encode(flat, codes);
                else TestData.Column(model.Transform(data), "Code").SelectMany(c => c).ToArray().CopyTo(codes, 0);
                CollectionAssert.AreEqual(expected.SelectMany(c => c).ToArray(), codes, t == 0 ? "Encode" : "Transform");
                Interlocked.Increment(ref passes);
            }
        }))).ToList();
        engines.Concat(scorers).ToList().ForEach(thread => thread.Start());
        engines.Concat(scorers).ToList().ForEach(thread => thread.Join());
        Assert.IsTrue(failures.IsEmpty, $"{failures.Count} failures; the first: {failures.FirstOrDefault()}");
        Assert.AreEqual(8 * 30 * 5, predictions);
        Assert.IsTrue(passes > 0);
        model.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => model.Encode(flat, new float[rows.Length * 6]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => ml.Model.CreatePredictionEngine<Digit, Coded>(model));
    }

    [TestMethod]
    public void A_bad_row_in_a_later_chunk_is_named_by_its_row_and_feature()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..300];
        using var model = ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = 6, Epochs = 1, Seed = 1, Threads = 1 }).Fit(TestData.ToDataView(ml, rows));
        // 9,000 rows of 64 values: three chunks of 4,096 rows; the bad value sits in the third.
        var flat = Enumerable.Range(0, 30).SelectMany(_ => rows).SelectMany(r => r).ToArray();
        flat[8500 * 64 + 63] = float.NegativeInfinity;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => model.Encode(flat, new float[9000 * 6])).Message, $"Row 8500, feature 63 is {float.NegativeInfinity}");
    }

    [TestMethod]
    public void The_vectorised_check_finds_the_first_bad_value_at_any_position_and_length()
    {
        var rand = new Random(1);
        foreach (int length in new[] { 1, 7, 8, 31, 32, 33, 100, 784 })
        {
            var values = Enumerable.Range(0, length).Select(_ => (float)rand.NextDouble()).ToArray();
            Assert.AreEqual(-1, MLNet.DataReader.FirstOutside(values, unitInterval: false));
            Assert.AreEqual(-1, MLNet.DataReader.FirstOutside(values, unitInterval: true));
            foreach (int at in new[] { 0, length / 2, length - 1 }.Distinct())
                foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
                {
                    var copy = (float[])values.Clone();
                    copy[at] = bad;
                    Assert.AreEqual(at, MLNet.DataReader.FirstOutside(copy, unitInterval: false), $"{bad} at {at} of {length}");
                    Assert.AreEqual(at, MLNet.DataReader.FirstOutside(copy, unitInterval: true), $"{bad} at {at} of {length}, unit interval");
                }
            foreach (var outside in new[] { -1e-7f, 1.0000001f, 2f })
            {
                var copy = (float[])values.Clone();
                copy[length - 1] = outside;
                Assert.AreEqual(-1, MLNet.DataReader.FirstOutside(copy, unitInterval: false));
                Assert.AreEqual(length - 1, MLNet.DataReader.FirstOutside(copy, unitInterval: true), $"{outside} of {length}");
            }
        }
    }
}
