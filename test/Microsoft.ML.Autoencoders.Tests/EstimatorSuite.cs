using Microsoft.ML.Autoencoders.Training;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The checks every variant passes (in the spirit of scikit-learn's check_estimator): schema, save/load in
/// a fresh MLContext and in a process without TorchSharp, typed reload, determinism, the caller's objects left
/// untouched, and the common bad inputs. A variant's test class derives from this and says how to build it.</summary>
public abstract class EstimatorSuite
{
    /// <summary>Small, fast options with every optional output column the variant has switched on.</summary>
    protected abstract AutoencoderOptions SmallOptions(int seed);

    /// <summary>The catalog call under test.</summary>
    protected abstract IEstimator<AutoencoderTransformer> Create(MLContext ml, AutoencoderOptions options);

    /// <summary>Training rows for the checks; the first 240 digits by default.</summary>
    protected virtual float[][] Rows => TestData.Digits.X[..240];

    /// <summary>The width of the output column the fitted model's CodeSize reports; the variant declares it before training by default.</summary>
    protected virtual int ExpectedCodeSize => SmallOptions(5).CreateVariant().CodeSize(Rows[0].Length);

    /// <summary>The rows as the estimator's input; a "Features" column and an Int32 "Label" by default.</summary>
    protected virtual IDataView View(MLContext ml, float[][] rows) => TestData.ToDataView(ml, rows);

    private AutoencoderTransformer Fit(MLContext ml, AutoencoderOptions options, float[][]? rows = null)
        => (AutoencoderTransformer)Create(ml, options).Fit(View(ml, rows ?? Rows));

    private IEnumerable<string> OutputNames(AutoencoderOptions o) => o.CreateVariant().ColumnNames(Rows[0].Length);

    [TestMethod]
    public void Schemas_of_estimator_transformer_and_output_agree()
    {
        var ml = new MLContext(1);
        var options = SmallOptions(1);
        var data = View(ml, Rows);
        var shape = Create(ml, options).GetOutputSchema(TestData.Shape(data.Schema));
        using var model = Fit(ml, options);
        var output = model.Transform(data);
        var declared = model.GetOutputSchema(data.Schema);
        foreach (var name in OutputNames(options))
        {
            var column = output.Schema[name];
            Assert.AreEqual(declared[name].Type, column.Type, name);
            // Item types agree up to a key's count, which only training determines.
            var item = column.Type is VectorDataViewType vector ? vector.ItemType : column.Type;
            var promised = shape.Single(c => c.Name == name);
            Assert.AreEqual(item.RawType, promised.ItemType.RawType, name);
            Assert.AreEqual(column.Type is VectorDataViewType ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.Scalar, promised.Kind, name);
            // One value a row is a scalar (what ML.NET's evaluators and filters take); a hash stays a one-slot vector.
            if (column.Type is VectorDataViewType { Size: 1 } one) Assert.AreEqual(NumberDataViewType.UInt64, one.ItemType, name);
        }
        CollectionAssert.AreEquivalent(output.Schema.Where(c => !c.IsHidden).Select(c => c.Name).ToList(), shape.Select(c => c.Name).ToList(), "the estimator promises the columns there are");
        // As ML.NET's own trainers: no copy of an output stays behind, hidden, under its name (a one-value Score under the
        // scalar Score of the scalar route, say).
        var hidden = output.Schema.Where(c => c.IsHidden && !data.Schema.Any(d => d.Name == c.Name)).Select(c => $"{c.Name} ({c.Type})").ToList();
        Assert.AreEqual(0, hidden.Count, "hidden columns: " + string.Join(", ", hidden));
        Assert.AreEqual(data.Schema["Label"].Type, output.Schema["Label"].Type, "input columns pass through");
    }

    [TestMethod]
    public void Memory_and_disk_caches_give_identical_outputs_and_leave_no_file()
    {
        var ml = new MLContext(1);
        var data = View(ml, Rows);
        using var temp = new TempFolder("ae-suite-");
        var folder = temp.Path;
        var memory = SmallOptions(3);
        memory.DataCache = DataCache.Memory;
        var disk = SmallOptions(3);
        disk.DataCache = DataCache.Disk;
        disk.CacheDirectory = folder;
        using var inMemory = Fit(ml, memory);
        using var onDisk = Fit(ml, disk);
        foreach (var name in OutputNames(memory))
            AssertClose(TestData.Column(inMemory.Transform(data), name), TestData.Column(onDisk.Transform(data), name), 0, name);
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "no cache file left");
    }

    [TestMethod]
    public void Saved_model_loads_in_a_fresh_context_with_identical_outputs_and_typed_reload_keeps_state()
    {
        var ml = new MLContext(1);
        var options = SmallOptions(2);
        var data = View(ml, Rows);
        using var model = Fit(ml, options);
        var path = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.Save(model, data.Schema, path);
            var fresh = new MLContext(7);
            var loaded = fresh.Model.Load(path, out var schema);
            using var loadedFiles = (IDisposable)loaded;   // ML.NET deletes its temp graph file on Dispose
            Assert.IsNotInstanceOfType(loaded, typeof(AutoencoderTransformer), "Model.Load gives ML.NET's own chain");
            var expected = model.Transform(data);
            var actual = loaded.Transform(View(fresh, Rows));
            foreach (var name in OutputNames(options))
                AssertClose(TestData.Column(expected, name), TestData.Column(actual, name), 1e-5, name);

            Assert.IsNull(model.Options.Progress, "the fitted model keeps no progress sink");
            using var typed = AutoencoderTransformer.Load(fresh, path);
            Assert.AreEqual(model.GetType(), typed.GetType());
            Assert.AreEqual(JsonSerializer.Serialize(model.Options, model.Options.GetType()), JsonSerializer.Serialize(typed.Options, typed.Options.GetType()));
            Assert.AreEqual(model.TrainingHistory.Count, typed.TrainingHistory.Count);
            for (int i = 0; i < model.TrainingHistory.Count; i++)
                Assert.AreEqual(model.TrainingHistory[i].ToString(), typed.TrainingHistory[i].ToString());
            Assert.AreEqual(model.BestEpoch, typed.BestEpoch);
            foreach (var name in OutputNames(options))
                AssertClose(TestData.Column(expected, name), TestData.Column(typed.Transform(data), name), 1e-6, name);

            // A process that references neither TorchSharp nor this library loads the file and gets the same code.
            var rowsPath = path + ".csv";
            File.WriteAllLines(rowsPath, Rows.Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var loader = typeof(EstimatorSuite).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ModelLoader").Value!;
            var (exit, stdout, stderr) = Run("dotnet", loader, path, options.InputColumnName, Rows[0].Length.ToString(), rowsPath, options.OutputColumnName);
            File.Delete(rowsPath);
            Assert.AreEqual(0, exit, stderr);
            foreach (var name in OutputNames(options))
                StringAssert.Contains(stderr, $"{name}: {expected.Schema[name].Type}", "the column type in a process without the library");
            var fromProcess = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
            AssertClose(TestData.Column(expected, options.OutputColumnName), fromProcess, 1e-5, "code from a separate process");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The folder of the saved-model fixtures of format version 2, in the source tree (they are copied next to
    /// the tests' assembly too).</summary>
    private static string FixtureFolder(bool source) => source
        ? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../fixtures/format-2"))
        : Path.Combine(AppContext.BaseDirectory, "fixtures", "format-2");

    /// <summary>Models users saved must keep loading: a small model of this variant, saved in format version 2, loads
    /// with today's code, typed and through ML.NET's own loader, and scores its rows to the outputs stored with it
    /// (docs/conventions.md#saved-model-format). With AE_WRITE_FIXTURES=1 the test writes the fixture instead, into the
    /// source tree, for a variant that has none yet; fixtures are never rewritten.</summary>
    [TestMethod]
    public void A_model_saved_in_format_2_loads_and_scores_to_its_stored_outputs()
    {
        var ml = new MLContext(1);
        string name = GetType().Name.Replace("Tests", "");
        var rows = Rows[..8];
        if (Environment.GetEnvironmentVariable("AE_WRITE_FIXTURES") == "1")
        {
            Directory.CreateDirectory(FixtureFolder(source: true));
            var zip = Path.Combine(FixtureFolder(source: true), name + ".zip");
            if (File.Exists(zip)) Assert.Inconclusive($"{zip} exists; fixtures are never rewritten.");
            using var fitted = Fit(ml, SmallOptions(1));
            ml.Model.Save(fitted, View(ml, Rows).Schema, zip);
            var outputs = OutputNames(fitted.Options).ToDictionary(n => n, n => TestData.Column(fitted.Transform(View(ml, rows)), n));
            File.WriteAllText(Path.ChangeExtension(zip, ".json"), JsonSerializer.Serialize(new { Rows = rows, Outputs = outputs }));
            return;
        }
        var path = Path.Combine(FixtureFolder(source: false), name + ".zip");
        Assert.IsTrue(File.Exists(path), $"no fixture {path}; write it once with AE_WRITE_FIXTURES=1");
        using var stored = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(path, ".json")));
        var storedRows = stored.RootElement.GetProperty("Rows").Deserialize<float[][]>()!;
        var expected = stored.RootElement.GetProperty("Outputs").Deserialize<Dictionary<string, float[][]>>()!;
        // Every column the options declare was stored, each with a value a row: a fixture that stored nothing checks nothing.
        CollectionAssert.AreEquivalent(OutputNames(SmallOptions(1)).ToList(), expected.Keys.ToList(), "stored columns");
        Assert.IsTrue(storedRows.Length > 0 && expected.Values.All(v => v.Length == storedRows.Length && v.All(r => r.Length > 0)), "stored values");
        AutoencoderTransformer.Validate(path);
        using var typed = AutoencoderTransformer.Load(ml, path);
        var fresh = new MLContext(2);
        var chain = fresh.Model.Load(path, out _);
        using var chainFiles = chain as IDisposable;
        // Further training (a pretrained encoder) rebuilds the network from the graph, whose weights format 2 named by a counter.
        lock (TorchRuntime.Gate)
            using (TrainingEngine.Restore(typed.State, typed.State.Options.CreateVariant(), "fixture")) { }
        foreach (var (column, values) in expected)
        {
            // The fixtures were scored on one CPU and are checked on others, where ONNX Runtime picks other kernels for
            // the instruction set and sums in another order: 1e-4 of a value, far below what a misread weight moves.
            AssertClose(values, TestData.Column(typed.Transform(View(ml, storedRows)), column), 1e-4, $"{column}, typed Load");
            AssertClose(values, TestData.Column(chain.Transform(View(fresh, storedRows)), column), 1e-4, $"{column}, Model.Load");
        }
    }

    /// <summary>A graph viewer shows the network's own names (docs/architecture.md#graph-names), and further training
    /// finds each weight by that name.</summary>
    [TestMethod]
    public void The_graph_names_weights_after_the_network_and_the_network_is_rebuilt_from_them()
    {
        var ml = new MLContext(1);
        using var fitted = Fit(ml, SmallOptions(1));
        var names = Onnx.Proto.ModelProto.Parser.ParseFrom(fitted.State.Onnx).Graph.Initializer.Select(i => i.Name).ToHashSet();
        lock (TorchRuntime.Gate)
        {
            using var network = TrainingEngine.Restore(fitted.State, fitted.State.Options.CreateVariant(), "model");
            var named = Ops.OnnxOps.ParameterNames(network).Select(p => p.Name).Where(names.Contains).ToList();
            Assert.IsTrue(named.Count >= 2 && named.Any(n => n.Contains("encoder.") || n.StartsWith("body.")), $"weights named after parameters: {string.Join(", ", named)}; the graph's: {string.Join(", ", names)}");
        }
    }

    // Also at torch's default thread count, where users train (null): the same seed gives the same model there too.
    [TestMethod]
    [DataRow(1)]
    [DataRow(null)]
    public void Same_seed_gives_identical_outputs_and_another_seed_different_ones(int? threads)
    {
        var ml = new MLContext();
        var options = SmallOptions(3);
        options.Threads = threads;
        var data = View(ml, Rows);
        using var a = Fit(ml, options);
        using var b = Fit(ml, options);
        var other = SmallOptions(4);
        other.Threads = threads;
        using var c = Fit(ml, other);
        var codeA = TestData.Column(a.Transform(data), options.OutputColumnName);
        AssertClose(codeA, TestData.Column(b.Transform(data), options.OutputColumnName), 0, "same seed");
        var codeC = TestData.Column(c.Transform(data), options.OutputColumnName);
        Assert.IsTrue(TestData.Mse(codeA, codeC) > 1e-8, "another seed gives another model");
    }

    [TestMethod]
    public void Fit_leaves_the_callers_options_and_rows_untouched()
    {
        var ml = new MLContext(1);
        var options = SmallOptions(5);
        var before = JsonSerializer.Serialize(options, options.GetType());
        var rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        var estimator = Create(ml, options);
        options.CodeSize += 1; // a later change must not reach the estimator
        using var model = (AutoencoderTransformer)estimator.Fit(View(ml, rows));
        options.CodeSize -= 1;
        Assert.AreEqual(before, JsonSerializer.Serialize(options, options.GetType()));
        AssertClose(Rows, rows, 0, "rows");
        Assert.AreEqual(ExpectedCodeSize, model.CodeSize);
    }

    [TestMethod]
    public void Missing_scalar_and_variable_size_input_columns_are_named_in_the_error()
    {
        var ml = new MLContext(1);
        var options = SmallOptions(1);
        options.InputColumnName = "Pixels";
        var data = View(ml, Rows);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(ml, options).Fit(data));
        StringAssert.Contains(e.Message, "'Pixels' was not found");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(ml, options).GetOutputSchema(TestData.Shape(data.Schema)));

        options.InputColumnName = "Label";
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(ml, options).Fit(data));
        StringAssert.Contains(e.Message, "'Label' is a scalar");

        var variable = ml.Data.LoadFromEnumerable(Rows.Select(r => new Row { Features = r }));
        options.InputColumnName = "Features";
        e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Create(ml, options).Fit(variable));
        StringAssert.Contains(e.Message, "unknown (variable) size");
    }

    [TestMethod]
    public void Non_finite_values_name_the_row_and_no_rows_is_an_error()
    {
        var ml = new MLContext(1);
        var rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[17][3] = float.NaN;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(ml, SmallOptions(1), rows));
        StringAssert.Contains(e.Message, "row 17");
        rows[17][3] = float.PositiveInfinity;
        e = Assert.ThrowsExactly<InvalidOperationException>(() => Fit(ml, SmallOptions(1), rows));
        StringAssert.Contains(e.Message, "row 17");
        var empty = ml.Data.SkipRows(View(ml, Rows), Rows.Length);
        e = Assert.ThrowsExactly<InvalidOperationException>(() => Create(ml, SmallOptions(1)).Fit(empty));
        StringAssert.Contains(e.Message, "no rows");
    }

    [TestMethod]
    public void Transform_rejects_vectors_of_another_size()
    {
        var ml = new MLContext(1);
        using var model = Fit(ml, SmallOptions(1));
        var wider = View(ml, Rows.Select(r => r.Concat(new[] { 0f }).ToArray()).ToArray());
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.Transform(wider));
        StringAssert.Contains(e.Message, $"size {Rows[0].Length + 1}");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.GetOutputSchema(wider.Schema));
    }

    /// <summary>Each value within <paramref name="tolerance"/> of the expected one, relative where it exceeds 1.</summary>
    internal static void AssertClose(float[][] expected, float[][] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, $"{what}: row count");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.AreEqual(expected[i].Length, actual[i].Length, $"{what}: row {i} size");
            for (int j = 0; j < expected[i].Length; j++)
                if (!(Math.Abs(expected[i][j] - actual[i][j]) <= tolerance * Math.Max(1, Math.Abs(expected[i][j]))))
                    Assert.Fail($"{what}: row {i}, value {j}: expected {expected[i][j]}, got {actual[i][j]}");
        }
    }

    internal static (int Exit, string Stdout, string Stderr) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000)) { process.Kill(true); Assert.Fail($"{file} did not finish in 120 s"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
