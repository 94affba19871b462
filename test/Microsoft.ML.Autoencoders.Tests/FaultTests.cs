using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Microsoft.ML.Autoencoders.Onnx.Proto;
using Microsoft.ML.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The fault suite: lifetime, scoring-time input, untrusted model files, process-wide state, each found by a
/// probe as a user would try it. Misuse that once crashed the process natively runs in a child process (FaultProbe).</summary>
[TestClass]
public sealed class FaultTests
{
    private static readonly float[][] Rows = TestData.Digits.X[..200];

    private static AutoencoderOptions Small(int seed = 1) => new() { CodeSize = 4, HiddenLayers = new[] { 8 }, Epochs = 1, BatchSize = 64, Seed = seed, Threads = 1 };

    private static AutoencoderTransformer Fit(MLContext ml, AutoencoderOptions? options = null) => ml.Transforms.Autoencoder(options ?? Small()).Fit(TestData.ToDataView(ml, Rows));

    private static string Temp(string extension) => Path.Combine(Path.GetTempPath(), $"ae-fault-{Guid.NewGuid():N}{extension}");

    /// <summary>Runs the probe on a small saved model; its exit code 0 and "ok" mean every misuse threw a managed exception.</summary>
    private static string RunProbe(string scenario, params string[] extra)
    {
        var ml = new MLContext(1);
        var (model, rows) = (Temp(".zip"), Temp(".csv"));
        try
        {
            using (var fitted = Fit(ml)) ml.Model.Save(fitted, TestData.ToDataView(ml, Rows).Schema, model);
            File.WriteAllLines(rows, Rows.Take(50).Select(r => string.Join(",", r.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))));
            var probe = typeof(FaultTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FaultProbe").Value!;
            var (exit, stdout, stderr) = EstimatorSuite.Run("dotnet", new[] { probe, scenario, model, rows }.Concat(extra).ToArray());
            Assert.AreEqual(0, exit, $"the probe ended with exit code {exit} (139: a native crash)\n{stdout}\n{stderr}");
            StringAssert.StartsWith(stdout, "ok");
            return stdout;
        }
        finally
        {
            File.Delete(model);
            File.Delete(rows);
        }
    }

    [TestMethod]
    public void ConvertToOnnx_on_an_autoencoder_points_to_ExportOnnx_instead_of_writing_a_wrong_graph()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        using var model = Fit(ml);
        foreach (var transformer in new ITransformer[] { model, new EstimatorChain<ITransformer>().Append(ml.Transforms.CopyColumns("Pixels", "Features")).Fit(data).Append(model) })
        {
            using var stream = new MemoryStream();
            var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.ConvertToOnnx(transformer, data, stream));
            StringAssert.Contains(e.Message, "ExportOnnx");
        }
        using var exported = new MemoryStream();
        model.ExportOnnx(exported);
        Assert.IsTrue(exported.Length > 1000, "ExportOnnx writes the network");
    }

    [TestMethod]
    public void Use_after_Dispose_and_Dispose_while_eight_threads_score_give_managed_exceptions()
        => Console.WriteLine(RunProbe("misuse"));

    [TestMethod]
    public void Training_without_a_native_backend_says_which_package_to_add()
    {
        // TorchSharp finds libtorch in the NuGet cache of a developer's machine, so a missing backend is simulated.
        static int Missing() => throw new TypeInitializationException("TorchSharp.torch", new DllNotFoundException("libtorch"));
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Training.TorchRuntime.Native(Missing, maps: ""));
        StringAssert.Contains(e.Message, "TorchSharp-cpu");
        Assert.AreEqual(7, Training.TorchRuntime.Native(() => 7));
        // Debian 12's libstdc++ (GCC 12) lacks the symbol version TorchSharp 0.107's native library needs: the error says
        // so, naming the file, instead of blaming the package reference.
        using var folder = new TempFolder("ae-libstdc-");
        var old = Path.Combine(folder.Path, "libstdc++.so.6");
        File.WriteAllBytes(old, System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.30\0GLIBCXX_3.4.31\0"));
        var maps = $"7f0000000000-7f0000001000 r-xp 00000000 08:01 123 {old}\n";
        e = Assert.ThrowsExactly<InvalidOperationException>(() => Training.TorchRuntime.Native(Missing, maps));
        StringAssert.Contains(e.Message, $"this process loaded {old}, which lacks it");
        StringAssert.Contains(e.Message, "Install a newer libstdc++6");
        File.WriteAllBytes(old, System.Text.Encoding.ASCII.GetBytes("GLIBCXX_3.4.31\0GLIBCXX_3.4.32\0"));
        Assert.IsNull(Training.TorchRuntime.OldCppRuntime(maps), "a new enough libstdc++");
        if (OperatingSystem.IsLinux())
        {
            var own = File.ReadAllText("/proc/self/maps");
            StringAssert.Contains(own, "libstdc++", "the runtime maps libstdc++, so the check has a file to read");
            Assert.IsNull(Training.TorchRuntime.OldCppRuntime(own), "this process trains, so its libstdc++ is new enough");
        }
        // Where libstdc++ is no longer mapped, the loader's message names the symbol version.
        e = Assert.ThrowsExactly<InvalidOperationException>(() => Training.TorchRuntime.Native<int>(() => throw new TypeInitializationException("TorchSharp.torch",
            new DllNotFoundException("libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found")), maps: ""));
        StringAssert.Contains(e.Message, "needs libstdc++ with GLIBCXX_3.4.32");
    }

    [TestMethod]
    [TestCategory("Slow")]
    public void Mutated_model_files_load_or_throw_a_managed_exception_in_bounded_time()
        => Console.WriteLine(RunProbe("fuzz", "300"));

    [TestMethod]
    public void Non_finite_values_and_rows_of_another_length_at_Transform_name_the_column_row_and_feature()
    {
        var ml = new MLContext(1);
        using var model = Fit(ml);
        var rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[1500 % rows.Length][3] = float.NaN;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Column(model.Transform(TestData.ToDataView(ml, rows)), "Code"));
        StringAssert.Contains(e.Message, $"row {1500 % rows.Length}, feature 3 is NaN");
        StringAssert.Contains(e.Message, "'Features'");
        rows[1500 % rows.Length][3] = float.NegativeInfinity;
        e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Column(model.Transform(TestData.ToDataView(ml, rows)), "Code"));
        StringAssert.Contains(e.Message, "feature 3 is -Infinity");

        // A source whose rows do not have the column's declared size: named at Transform and at Fit, never padded.
        var ragged = Rows.Select((r, i) => i == 7 ? r[..60] : r).ToArray();
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 64);
        var data = ml.Data.LoadFromEnumerable(ragged.Select(r => new Row { Features = r }), definition);
        e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Column(model.Transform(data), "Code"));
        StringAssert.Contains(e.Message, "row 7 has 60 values");
        e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Autoencoder(Small()).Fit(data));
        StringAssert.Contains(e.Message, "row 7 has 60 values");
    }

    [TestMethod]
    public void A_binary_code_of_a_row_with_NaN_is_an_error_not_hash_zero()
    {
        var ml = new MLContext(1);
        using var model = ml.Transforms.BinaryCodeAutoencoder(new BinaryCodeAutoencoderOptions { CodeSize = 8, HiddenLayers = new[] { 8 }, Epochs = 1, Seed = 1, Threads = 1 })
            .Fit(TestData.ToDataView(ml, Rows));
        var rows = Rows.Select(r => (float[])r.Clone()).ToArray();
        rows[2][0] = float.NaN;
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TestData.Column(model.Transform(TestData.ToDataView(ml, rows)), "Hash"));
        StringAssert.Contains(e.Message, "row 2, feature 0");
    }

    [TestMethod]
    public void Upstream_transforms_run_once_per_row_also_beside_pass_through_columns()
    {
        var ml = new MLContext(1);
        using var model = Fit(ml);
        int calls = 0;
        var upstream = ml.Transforms.CustomMapping((Row input, Mapped output) =>
        {
            Interlocked.Increment(ref calls);
            output.Features = input.Features;
            output.Label = input.Label + 1;
        }, contractName: null).Fit(TestData.ToDataView(ml, Rows)).Transform(TestData.ToDataView(ml, Rows));
        var scored = model.Transform(upstream);
        var codes = TestData.Column(scored, "Code");
        Assert.AreEqual(Rows.Length, calls, "reading the code");
        calls = 0;
        var columns = new[] { scored.Schema["Code"], scored.Schema["Label"] };
        using (var cursor = scored.GetRowCursor(columns))
        {
            var code = cursor.GetGetter<VBuffer<float>>(columns[0]);
            var label = cursor.GetGetter<int>(columns[1]);
            var (c, l) = (default(VBuffer<float>), 0);
            for (int row = 0; cursor.MoveNext(); row++)
            {
                code(ref c);
                label(ref l);
                Assert.AreEqual(1, l, "the pass-through column belongs to the same row");
                CollectionAssert.AreEqual(codes[row], c.DenseValues().ToArray(), $"row {row}");
            }
        }
        Assert.AreEqual(Rows.Length, calls, "reading the code and a pass-through column");
    }

    private sealed class Mapped
    {
        [VectorType(64)] public float[] Features = Array.Empty<float>();
        public int Label;
    }

    [TestMethod]
    public void Fit_schema_save_load_and_Dispose_leave_no_temp_file()
    {
        var folder = Directory.CreateTempSubdirectory("ae-tmpdir-").FullName;
        var previous = Environment.GetEnvironmentVariable("TMPDIR");
        var model = Path.Combine(Path.GetTempPath(), $"ae-{Guid.NewGuid():N}.zip");
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", folder);
            Assert.AreEqual(Path.GetFullPath(folder).TrimEnd('/'), Path.GetFullPath(Path.GetTempPath()).TrimEnd('/'), "this runtime reads TMPDIR on each call");
            for (int cycle = 0; cycle < 3; cycle++)
            {
                var ml = new MLContext(1);
                var data = TestData.ToDataView(ml, Rows);
                var options = new VariationalAutoencoderOptions { CodeSize = 2, HiddenLayers = new[] { 8 }, Epochs = 1, Seed = 1, Threads = 1, ReconstructionErrorColumnName = "Error" };
                ml.Transforms.VariationalAutoencoder(options).GetOutputSchema(TestData.Shape(data.Schema));
                using (var fitted = ml.Transforms.VariationalAutoencoder(options).Fit(data))
                {
                    TestData.Column(fitted.Transform(data), "Code");
                    ml.Model.Save(fitted, data.Schema, model);
                    fitted.Generate(3, seed: 1);
                }
                using (var typed = AutoencoderTransformer.Load<VariationalAutoencoderTransformer>(ml, model))
                {
                    TestData.Column(typed.Transform(data), "Error");
                    typed.Decode(new float[2]);
                }
                var chain = ml.Model.Load(model, out _);
                TestData.Column(chain.Transform(data), "Code");
                ((IDisposable)chain).Dispose();
            }
            Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), string.Join(", ", Directory.EnumerateFileSystemEntries(folder)));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TMPDIR", previous);
            File.Delete(model);
            Directory.Delete(folder, recursive: true);
        }
    }

    [TestMethod]
    public void Fit_leaves_torchs_random_stream_and_thread_count_as_it_found_them()
    {
        var ml = new MLContext(1);
        int threads = get_num_threads();
        random.manual_seed(123);
        var expected = rand(5).data<float>().ToArray();
        random.manual_seed(123);
        using (Fit(ml)) { }
        CollectionAssert.AreEqual(expected, rand(5).data<float>().ToArray(), "the global generator continues where it was");
        Assert.AreEqual(threads, get_num_threads());
    }

    [TestMethod]
    public void A_schema_check_does_not_wait_for_a_running_Fit()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X);
        var options = Small();
        options.Epochs = 1_000_000;
        options.EarlyStoppingPatience = 0;
        using var cancel = new CancellationTokenSource();
        options.CancellationToken = cancel.Token;
        var started = new ManualResetEventSlim();
        options.Progress = new SynchronousProgress<EpochMetrics>(_ => started.Set());
        var fit = Task.Run(() => ml.Transforms.Autoencoder(options).Fit(data));
        Assert.IsTrue(started.Wait(TimeSpan.FromSeconds(60)), "training started");
        var schema = Task.Run(() => ml.Transforms.Autoencoder(Small()).GetOutputSchema(TestData.Shape(data.Schema)));
        bool quick = schema.Wait(TimeSpan.FromSeconds(10));
        bool stillTraining = !fit.IsCompleted;
        cancel.Cancel();
        Assert.ThrowsExactly<AggregateException>(() => fit.Wait());
        Assert.IsTrue(stillTraining && quick, "GetOutputSchema returned while Fit was still training");
    }

    /// <summary>Rewrites the model state inside a saved file.</summary>
    private static void EditState(string path, Action<JsonObject> edit) => EditModel(path, model =>
    {
        var property = model.MetadataProps.Single(p => p.Key == "microsoft.ml.autoencoders.state");
        var state = JsonNode.Parse(property.Value)!.AsObject();
        edit(state);
        property.Value = state.ToJsonString();
    });

    /// <summary>The ONNX model of the (one) autoencoder in a saved file.</summary>
    private static ModelProto ReadModel(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        using var reader = new BinaryReader(zip.Entries.First(e => e.Name == "OnnxModel").Open());
        return ModelProto.Parser.ParseFrom(reader.ReadBytes(reader.ReadInt32()));
    }

    /// <summary>Rewrites the ONNX model of the (one) autoencoder inside a saved file.</summary>
    private static void EditModel(string path, Action<ModelProto> edit)
    {
        var model = ReadModel(path);
        edit(model);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.Entries.First(e => e.Name == "OnnxModel");
        var edited = model.ToByteArray();
        using var stream = entry.Open();
        stream.SetLength(0);
        using var writer = new BinaryWriter(stream);
        writer.Write(edited.Length);
        writer.Write(edited);
    }

    [TestMethod]
    public void Typed_Load_validates_what_the_file_claims()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        var path = Temp(".zip");
        try
        {
            using (var model = Fit(ml)) ml.Model.Save(model, data.Schema, path);
            var saved = File.ReadAllBytes(path);
            InvalidDataException Refused(Action<JsonObject> edit)
            {
                File.WriteAllBytes(path, saved);
                EditState(path, edit);
                return Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load(ml, path));
            }
            StringAssert.Contains(Refused(s => s["formatVersion"] = 99).Message, "format version 99, written by a newer Microsoft.ML.Autoencoders");
            StringAssert.Contains(Refused(s => s.Remove("formatVersion")).Message, "format version 1, older than");
            StringAssert.Contains(Refused(s => s["options"]!["CodeSize"] = -7).Message, "CodeSize");
            StringAssert.Contains(Refused(s => s["options"]!["Epochs"] = 0).Message, "Epochs");
            StringAssert.Contains(Refused(s => s["options"]!["HiddenLayers"] = new JsonArray(1 << 20)).Message, "HiddenLayers[0]");
            StringAssert.Contains(Refused(s => s["optionsType"] = typeof(VariationalAutoencoderOptions).FullName).Message, "decoder");
            StringAssert.Contains(Refused(s => s["optionsType"] = "System.Object").Message, "System.Object");
            StringAssert.Contains(Refused(s => { s["optionsType"] = typeof(ArchetypalAnalysisOptions).FullName; s["options"]!["ArchetypeCount"] = 1200; }).Message, "ArchetypeCount");
            StringAssert.Contains(Refused(s => s["inputSize"] = 63).Message, "of width 64; its state says 'Features' of width 63");
            StringAssert.Contains(Refused(s => s["outputs"] = "nonsense").Message, "malformed");

            File.WriteAllBytes(path, saved);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load<VariationalAutoencoderTransformer>(ml, path));
            StringAssert.Contains(e.Message, "not a VariationalAutoencoderTransformer");
        }
        finally
        {
            File.Delete(path);
        }
    }

    // A graph is checked against what the library writes before ONNX Runtime sees it, by typed Load and by Validate;
    // ML.NET's Model.Load checks none of it (docs/conventions.md#loading-files-from-elsewhere). Before these checks, an
    // added ConstantOfShape of 2^29 values loaded, and Encode of 2 rows took 16 s and 4.4 GB; another model's graph
    // loaded and failed at the first Encode.
    [TestMethod]
    public void Graphs_unlike_what_the_library_writes_are_refused_before_ONNX_Runtime_sees_them()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        var (path, other) = (Temp(".zip"), Temp(".zip"));
        try
        {
            using (var model = Fit(ml)) ml.Model.Save(model, data.Schema, path);
            using (var model = Fit(ml, new AutoencoderOptions { CodeSize = 3, HiddenLayers = new[] { 8 }, Epochs = 1, Seed = 2, Threads = 1 })) ml.Model.Save(model, data.Schema, other);
            var saved = File.ReadAllBytes(path);
            AutoencoderTransformer.Validate(path);
            string Refused(Action<ModelProto> edit)
            {
                File.WriteAllBytes(path, saved);
                EditModel(path, edit);
                var validated = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Validate(path));
                var loaded = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load(ml, path));
                Assert.AreEqual(loaded.Message, validated.Message);
                return loaded.Message;
            }
            NodeProto Node(string type, string output, params string[] inputs)
            {
                var node = new NodeProto { OpType = type, Name = output };
                node.Input.AddRange(inputs);
                node.Output.Add(output);
                return node;
            }
            // 2^29 zeros made from a 2-value shape, added to the code.
            StringAssert.Contains(Refused(m =>
            {
                var shape = new TensorProto { Name = "huge_shape", DataType = (int)TensorProto.Types.DataType.Int64 };
                shape.Dims.Add(2);
                shape.Int64Data.AddRange(new long[] { 1 << 15, 1 << 14 });
                m.Graph.Initializer.Add(shape);
                m.Graph.Node.Insert(0, Node("ConstantOfShape", "huge", "huge_shape"));
            }), "of type 'ConstantOfShape', which this library never writes");
            StringAssert.Contains(Refused(m => m.Graph = ReadModel(other).Graph), "declares outputs Code [batch, 3]; its state declares Code [batch, 4]");
            StringAssert.Contains(Refused(m => m.Graph.Node.Insert(0, Node("Relu", "early", m.Graph.Node[^1].Output[0]))), "whose first input 'Code' is not computed from the rows");
            // Two constants added: ONNX Runtime would fold them into a constant while loading.
            StringAssert.Contains(Refused(m => m.Graph.Node.Insert(0, Node("Add", "folded", m.Graph.Initializer[0].Name, m.Graph.Initializer[1].Name))), "is not computed from the rows");
            // A row of 64 against its own transpose: 64 x 64 values a row from no constant at all.
            StringAssert.Contains(Refused(m =>
            {
                TensorProto Shape(string name, params long[] dims) { var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 }; t.Dims.Add(dims.Length); t.Int64Data.AddRange(dims); return t; }
                m.Graph.Initializer.Add(Shape("column", -1, 64, 1));
                m.Graph.Initializer.Add(Shape("row", -1, 1, 64));
                m.Graph.Node.Insert(0, Node("Reshape", "as_column", "Features", "column"));
                m.Graph.Node.Insert(1, Node("Reshape", "as_row", "Features", "row"));
                m.Graph.Node.Insert(2, Node("Add", "square", "as_column", "as_row"));
            }), "broadcasts into it");
            StringAssert.Contains(Refused(m => m.Graph.Node.First(n => n.OpType == "Gemm").Attribute.Add(new AttributeProto { Name = "alpha", F = 1e30f, Type = AttributeProto.Types.AttributeType.Float })), "an attribute this library does not write");
            StringAssert.Contains(Refused(m => m.Graph.Node[0].Domain = "com.microsoft"), "of type 'com.microsoft.");
            StringAssert.Contains(Refused(m => m.OpsetImport.Add(new OperatorSetIdProto { Domain = "custom", Version = 1 })), "this library writes the default domain");
            StringAssert.Contains(Refused(m => m.Graph.Initializer[0].Dims[0] *= 1000), "does not hold what its shape says");
            // Fields this library never writes (ONNX's TensorProto.data_location = 1, external data; AttributeProto.g, a
            // subgraph; ModelProto.functions, field 25, whose tag is the varint 0xCA 0x01), appended as protobuf fields its
            // trimmed schema does not know.
            StringAssert.Contains(Refused(m => m.Graph.Initializer[0].MergeFrom(new byte[] { 14 << 3, 1 })), "fields or an encoding this library never writes");
            StringAssert.Contains(Refused(m => m.Graph.Node[0].Attribute.Add(AttributeProto.Parser.ParseFrom(new byte[] { 6 << 3 | 2, 0 }))), "fields or an encoding");
            StringAssert.Contains(Refused(m => m.MergeFrom(new byte[] { 0xCA, 0x01, 0 })), "fields or an encoding");

            // A chain whose ONNX step is not an autoencoder of this library: Validate cannot vouch for it.
            File.WriteAllBytes(path, saved);
            EditModel(path, m => m.MetadataProps.Clear());
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Validate(path)).Message, "is not an autoencoder of Microsoft.ML.Autoencoders");
        }
        finally
        {
            File.Delete(path);
            File.Delete(other);
        }
    }

    [TestMethod]
    public void A_pipeline_with_two_autoencoders_needs_the_one_to_load_named()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        var first = Small();
        var second = Small(2);
        second.OutputColumnName = "Code2";
        var pipeline = ml.Transforms.Autoencoder(first).Append(ml.Transforms.Autoencoder(second));
        var path = Temp(".zip");
        try
        {
            var model = pipeline.Fit(data);
            ml.Model.Save(model, data.Schema, path);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load(ml, path));
            StringAssert.Contains(e.Message, "'Code', 'Code2'");
            using var loaded = AutoencoderTransformer.Load<AutoencoderTransformer>(ml, path, "Code2");
            Assert.AreEqual("Code2", loaded.Options.OutputColumnName);
            Assert.AreEqual(2, loaded.Options.Seed);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load<AutoencoderTransformer>(ml, path, "Nope")).Message, "'Code', 'Code2'");
            foreach (var t in model) (t as IDisposable)?.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Typed Load reads the graphs ML.NET's Model.Load would score, found through the chain's steps: an "OnnxModel"
    // entry elsewhere made it return another model than the one Model.Load scores, or refuse a valid file.
    [TestMethod]
    public void Typed_Load_follows_the_chains_steps_and_refuses_entries_no_step_points_to()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, Rows);
        var path = Temp(".zip");
        var other = Temp(".zip");
        try
        {
            using (var model = Fit(ml)) ml.Model.Save(model, data.Schema, path);
            using (var model = Fit(ml, Small(2))) ml.Model.Save(model, data.Schema, other);
            var saved = File.ReadAllBytes(path);
            byte[] foreign;
            using (var zip = System.IO.Compression.ZipFile.OpenRead(other))
            using (var graph = zip.GetEntry("TransformerChain/Transform_000/OnnxModel")!.Open())
            using (var copy = new MemoryStream()) { graph.CopyTo(copy); foreign = copy.ToArray(); }
            string Refused(Action<System.IO.Compression.ZipArchive> edit)
            {
                File.WriteAllBytes(path, saved);
                using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update)) edit(zip);
                return Assert.ThrowsExactly<InvalidDataException>(() => AutoencoderTransformer.Load(ml, path)).Message;
            }
            void Add(System.IO.Compression.ZipArchive zip, string name)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(foreign);
            }
            StringAssert.Contains(Refused(zip => Add(zip, "Junk/OnnxModel")), "'Junk/OnnxModel' is not the graph of any step");
            StringAssert.Contains(Refused(zip => Add(zip, "TransformerChain/Transform_009/OnnxModel")), "is not the graph of any step");
            StringAssert.Contains(Refused(zip => zip.GetEntry("TransformerChain/Transform_000/OnnxModel")!.Delete()), "'TransformerChain/Transform_000' has no OnnxModel entry");
            StringAssert.Contains(Refused(zip => zip.GetEntry("TransformerChain/Model.key")!.Delete()), "is not the graph of any step");
            File.WriteAllBytes(path, saved);
            using var loaded = AutoencoderTransformer.Load(ml, path);
            Assert.AreEqual(1, loaded.Options.Seed, "the step's own graph");

            // Saved with its data loader, as Model.Save(model, loader, path) writes it.
            var loader = ml.Data.CreateTextLoader(new[] { new Microsoft.ML.Data.TextLoader.Column("Features", Microsoft.ML.Data.DataKind.Single, 0, 63) });
            using (var model = Fit(ml)) ml.Model.Save(model, loader, path);
            using var withLoader = AutoencoderTransformer.Load(ml, path);
            Assert.AreEqual(1, withLoader.Options.Seed);
        }
        finally
        {
            File.Delete(path);
            File.Delete(other);
        }
    }

    [TestMethod]
    public void A_Hamming_index_header_is_checked_against_the_stream()
    {
        void Refused(int bits, int count, int words, string expected)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(0x48414D31);
                writer.Write(bits);
                writer.Write(count);
                for (int i = 0; i < words; i++) writer.Write(ulong.MaxValue);
            }
            stream.Position = 0;
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => HammingIndex.Load(stream)).Message, expected);
        }
        Refused(64, 20_000_000, 0, "claims 20000000 codes");
        Refused(-64, 1, 1, "-64-bit");
        Refused(64, -1, 0, "claims -1 codes");
        Refused(128, 2, 3, "claims 2 codes");
        using var unseekable = new NonSeekable(new byte[] { 0x31, 0x4D, 0x41, 0x48, 64, 0, 0, 0, 5, 0, 0, 0, 1, 2 });
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => HammingIndex.Load(unseekable)).Message, "ends before");
    }

    private sealed class NonSeekable(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [TestMethod]
    public void Small_options_problems_are_named_before_training()
    {
        var ml = new MLContext(1);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Saucie(new SaucieOptions { ClusterMergeDistance = double.PositiveInfinity })).Message, "ClusterMergeDistance");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Saucie(new SaucieOptions { ClusterMergeNeighbours = 0 })).Message, "Option ClusterMergeNeighbours is 0");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(new AutoencoderOptions { CodeSize = int.MaxValue })).Message, "CodeSize");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(new AutoencoderOptions { HiddenLayers = new[] { int.MaxValue } })).Message, "HiddenLayers[0]");
        var variable = ml.Data.LoadFromEnumerable(Rows.Select(r => new Row { Features = r }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.Autoencoder(Small()).Fit(variable)).Message, "[VectorType(n)]");
    }

    [TestMethod]
    public void The_sweep_keeps_a_copy_of_its_options_and_names_too_little_data()
    {
        var ml = new MLContext(1);
        var options = new AutoencoderSweepOptions { Trials = 1, Folds = 2, MaxEpochs = 1, CodeSizes = new[] { 3 }, HiddenLayers = new[] { Array.Empty<int>() }, Variants = new[] { "Autoencoder" }, Seed = 1 };
        var sweep = new AutoencoderSweep(ml, options);
        options.CodeSizes[0] = 999;
        options.Variants[0] = "Unknown";
        var result = sweep.Run(TestData.ToDataView(ml, Rows[..60]));
        Assert.AreEqual(3, result.Best.Options.CodeSize);
        result.BestModel.Dispose();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new AutoencoderSweep(ml, new AutoencoderSweepOptions { Folds = 3 }).Run(TestData.ToDataView(ml, Rows[..2])));
        StringAssert.Contains(e.Message, "fewer rows than Folds (3)");
    }

    private sealed class KeyRow<T>
    {
        public float[] Features = Array.Empty<float>();
        public T Batch = default!;
    }

    [TestMethod]
    public void SAUCIE_reads_batches_from_keys_of_any_width_and_names_a_missing_batch()
    {
        var ml = new MLContext(1);
        var (x, _, batches) = TestData.CellTypes(n: 120, types: 2, dims: 6, batches: 2, seed: 1);
        var options = new SaucieOptions { HiddenLayers = new[] { 8 }, Epochs = 1, BatchSize = 64, Seed = 1, Threads = 1, BatchColumnName = "Batch", ClusterColumnName = null };
        IDataView Data<T>(Func<int, T> batch, DataViewType type)
        {
            var definition = SchemaDefinition.Create(typeof(KeyRow<T>));
            definition[nameof(KeyRow<T>.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 6);
            definition[nameof(KeyRow<T>.Batch)].ColumnType = type;
            return ml.Data.LoadFromEnumerable(x.Select((r, i) => new KeyRow<T> { Features = r, Batch = batch(batches[i]) }), definition);
        }
        // LoadFromEnumerable takes key fields as 0-based indices and reads anything beyond the key count as missing.
        using (ml.Transforms.Saucie(options).Fit(Data(b => (byte)b, new KeyDataViewType(typeof(byte), 2)))) { }
        using (ml.Transforms.Saucie(options).Fit(Data(b => (ulong)b, new KeyDataViewType(typeof(ulong), 2)))) { }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Saucie(options).Fit(Data(b => b == 1 ? "" : "a", TextDataViewType.Instance)));
        StringAssert.Contains(e.Message, $"row {Array.IndexOf(batches, 1)} has a missing or empty value");
        e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.Saucie(options).Fit(Data(b => b == 1 ? 7u : 0u, new KeyDataViewType(typeof(uint), 2))));
        StringAssert.Contains(e.Message, $"row {Array.IndexOf(batches, 1)} has a missing or empty value");
    }
}
