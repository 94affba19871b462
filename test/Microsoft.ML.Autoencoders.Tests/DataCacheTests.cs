using System.Reflection;
namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>Where Fit keeps the rows it reads: in memory or in a file of its own, with bit-identical models.</summary>
[TestClass]
public sealed class DataCacheTests
{
    private static AutoencoderOptions Options(DataCache cache, string? folder) => new DenoisingAutoencoderOptions
    {
        CodeSize = 6, HiddenLayers = new[] { 16 }, Epochs = 3, BatchSize = 64, Seed = 1, Threads = 1, DataCache = cache, CacheDirectory = folder,
        Corruption = Corruption.SaltAndPepper, NoiseLevel = 0.2, ReconstructionErrorColumnName = "Error",
    };

    [TestMethod]
    public void Memory_and_disk_give_bit_identical_models_and_the_disk_file_is_gone_after_Fit()
    {
        var ml = new MLContext(1);
        var rows = TestData.Digits.X[..500];
        var data = TestData.ToDataView(ml, rows);
        using var temp = new TempFolder("ae-cache-");
        var folder = temp.Path;
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
        using var memory = ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Options(DataCache.Memory, folder)).Fit(data);
        using var disk = ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Options(DataCache.Disk, folder)).Fit(data);
        using var auto = ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Options(DataCache.Auto, folder)).Fit(data);
        var expected = TestData.Column(memory.Transform(data), "Code");
        EstimatorSuite.AssertClose(expected, TestData.Column(disk.Transform(data), "Code"), 0, "disk");
        EstimatorSuite.AssertClose(expected, TestData.Column(auto.Transform(data), "Code"), 0, "auto");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "the row file is deleted when Fit ends");
        lock (log)
        {
            Assert.IsTrue(log.Any(m => m.Contains("rows on disk")), "the disk cache is logged");
            Assert.IsTrue(log.Any(m => m.Contains("rows in memory (") && m.Contains("MB available")), "Auto logs its choice");
        }

        // Failure and cancellation delete the file too.
        using var cancel = new CancellationTokenSource();
        var cancelled = Options(DataCache.Disk, folder);
        cancelled.CancellationToken = cancel.Token;
        cancelled.Progress = new SynchronousProgress<EpochMetrics>(_ => cancel.Cancel());
        Assert.ThrowsExactly<OperationCanceledException>(() => ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)cancelled).Fit(data));
        var bad = rows.Select(r => (float[])r.Clone()).ToArray();
        bad[400][0] = float.NaN;
        Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Options(DataCache.Disk, folder)).Fit(TestData.ToDataView(ml, bad)));
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "nor after cancellation or bad rows");
    }

    [TestMethod]
    public void The_disk_cache_has_no_name_while_Fit_trains_and_an_unusable_folder_is_named_in_the_error()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X[..300]);
        using var temp = new TempFolder("ae-cache-");
        var folder = temp.Path;
        // Unlinked as soon as it is created, so not even a killed process can leave it behind.
        var entries = new List<int>();
        var options = Options(DataCache.Disk, folder);
        options.Progress = new SynchronousProgress<EpochMetrics>(_ => entries.Add(Directory.EnumerateFileSystemEntries(folder).Count()));
        using (ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)options).Fit(data)) { }
        if (!OperatingSystem.IsWindows()) CollectionAssert.AreEqual(new[] { 0, 0, 0 }, entries);

        var file = Path.Combine(folder, "not-a-folder");
        File.WriteAllText(file, "");
        foreach (var bad in new[] { Path.Combine(folder, "missing", "deeper"), file })
        {
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Transforms.DenoisingAutoencoder((DenoisingAutoencoderOptions)Options(DataCache.Disk, bad)).Fit(data));
            StringAssert.Contains(e.Message, $"'{bad}' (CacheDirectory)");
        }
        Assert.AreEqual(1, Directory.EnumerateFileSystemEntries(folder).Count(), "no partial file");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("  ")]
    public void An_empty_CacheDirectory_is_refused_rather_than_meaning_the_current_folder(string directory)
    {
        var ml = new MLContext(1);
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.Autoencoder(new AutoencoderOptions { DataCache = DataCache.Disk, CacheDirectory = directory, Epochs = 1 })
            .Fit(TestData.ToDataView(ml, TestData.Digits.X[..50])));
        Assert.AreEqual(nameof(AutoencoderOptions.CacheDirectory), e.ParamName);
        StringAssert.Contains(e.Message, "null for the temp folder");
    }

    [TestMethod]
    public void Reading_a_source_reports_the_rows_read_so_far()
    {
        var ml = new MLContext(1);
        var heard = new List<long>();
        using var store = new MLNet.MemoryRows(64);
        MLNet.DataReader.ReadRows(TestData.ToDataView(ml, TestData.Digits.X[..250]), "Features", store, progress: heard.Add, every: 100);
        CollectionAssert.AreEqual(new long[] { 100, 200 }, heard);
        Assert.AreEqual(250, store.Count);
    }
    private static string Probe(params string[] args)
    {
        var benchmarks = typeof(DataCacheTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Benchmarks").Value!;
        // A shell starts the probe, so a test can limit what the child may write (ulimit) and have the write fail, not
        // kill it (an ignored SIGXFSZ stays ignored across exec).
        var (exit, stdout, stderr) = EstimatorSuite.Run("bash", "-c", args[0] + " exec dotnet \"$0\" \"$@\"", benchmarks, "disk-fit", args[1], args[2]);
        Assert.AreEqual(0, exit, $"probe exit code {exit}\n{stdout}\n{stderr}");
        return stdout.Trim();
    }

    // ONNX Runtime (1.31) can write its telemetry session file ".ses" into TMPDIR when its environment is created, which
    // every Fit does to check its graph; ORT_DISABLE_TELEMETRY=1 at launch prevents it (docs/conventions.md#files).
    [TestMethod]
    public void A_fit_leaves_nothing_in_the_temp_folder_and_ONNX_Runtime_only_its_session_file_unless_told_not_to()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The probe is started through bash.");
        using var quiet = new TempFolder("ae-tmp-");
        StringAssert.StartsWith(Probe($"TMPDIR='{quiet.Path}' ORT_DISABLE_TELEMETRY=1", "2000", quiet.Path), "ok");
        CollectionAssert.AreEqual(Array.Empty<string>(), Directory.EnumerateFileSystemEntries(quiet.Path).Select(Path.GetFileName).ToArray());
        using var plain = new TempFolder("ae-tmp-");
        StringAssert.StartsWith(Probe($"TMPDIR='{plain.Path}' ORT_DISABLE_TELEMETRY=", "2000", plain.Path), "ok");
        // Whether ONNX Runtime writes it depends on the machine (CI's did not), so the plain run may leave that file
        // and nothing else.
        var left = Directory.EnumerateFileSystemEntries(plain.Path).Select(Path.GetFileName).ToArray();
        Assert.IsTrue(left.All(f => f == ".ses"), $"only ONNX Runtime's own file may be left; found {string.Join(", ", left)} (docs/conventions.md#files)");
    }

    [TestCategory("Slow")]
    [TestMethod]
    public void With_the_disk_cache_memory_does_not_grow_with_the_rows()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The probe is started through bash.");
        using var temp = new TempFolder("ae-cache-");
        var folder = temp.Path;
        // 50,000 and 400,000 rows of 256 values: 51 MB and 410 MB; each Fit in a fresh process, which reads rows
        // generated as they are read. The real figures at scale are in the benchmark (scale).
        double Peak(int rows) => double.Parse(Probe("", rows.ToString(), folder).Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        double small = Peak(50_000), large = Peak(400_000);
        double addedValues = (400_000 - 50_000) * 256 * 4 / 1e6;
        Console.WriteLine($"peak working set: {small:F0} MB at 50,000 rows, {large:F0} MB at 400,000 rows ({addedValues:F0} MB more values)");
        Assert.IsTrue(large - small < 0.25 * addedValues, "memory grows by far less than the values");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count());
    }

    [TestMethod]
    public void A_write_error_while_caching_names_the_directory_and_leaves_no_file()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The write limit is set through bash's ulimit.");
        using var temp = new TempFolder("ae-cache-");
        var folder = temp.Path;
        // Files of at most 1 MB (ulimit -f counts 1 KB blocks), as on a full disk or FAT32's 4 GB limit: 20,000 rows
        // of 256 values are 20 MB. The runtime's W^X double mapping needs a file past that limit, so it is off in the child.
        var output = Probe("trap '' XFSZ; ulimit -f 1024; export DOTNET_EnableWriteXorExecute=0;", "20000", folder);
        Console.WriteLine(output);
        StringAssert.StartsWith(output, "refused:");
        StringAssert.Contains(output, $"'{folder}' (CacheDirectory)");
        Assert.AreEqual(0, Directory.EnumerateFileSystemEntries(folder).Count(), "no partial file");
    }
}
