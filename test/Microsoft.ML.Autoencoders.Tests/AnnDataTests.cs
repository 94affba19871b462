using System.Text.Json;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>AnnData files written by the anndata package (fixtures/anndata, from make_fixtures.py) read as anndata
/// reads them; files we write read back by anndata itself (Debian's python3-anndata, which CI installs).</summary>
[TestClass]
public sealed class AnnDataTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "anndata", name);

    private static readonly Lazy<JsonElement> Expected = new(() => JsonDocument.Parse(File.ReadAllText(Fixture("expected.json"))).RootElement);

    private static float[][] Matrix(string name) => Expected.Value.GetProperty(name).Deserialize<float[][]>()!;

    private static T[] Column<T>(IDataView data, string name) => data.GetColumn<T>(name).ToArray();

    [TestMethod]
    public void A_dense_file_reads_X_the_names_and_every_obs_column_as_its_type()
    {
        var ml = new MLContext(1);
        var data = ml.Data.LoadFromAnnData(Fixture("dense.h5ad"));
        var x = Matrix("X");
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 5), data.Schema["Features"].Type);
        CollectionAssert.AreEqual(x.SelectMany(r => r).ToArray(), TestData.Column(data, "Features").SelectMany(r => r).ToArray());
        VBuffer<ReadOnlyMemory<char>> slots = default;
        data.Schema["Features"].GetSlotNames(ref slots);
        CollectionAssert.AreEqual(Expected.Value.GetProperty("var_names").Deserialize<string[]>(), slots.DenseValues().Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(Expected.Value.GetProperty("obs_names").Deserialize<string[]>(), Column<ReadOnlyMemory<char>>(data, "obs_names").Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(Expected.Value.GetProperty("n_counts").Deserialize<double[]>(), Column<double>(data, "n_counts"));
        CollectionAssert.AreEqual(Expected.Value.GetProperty("n_genes").Deserialize<long[]>(), Column<long>(data, "n_genes"));
        CollectionAssert.AreEqual(Expected.Value.GetProperty("is_doublet").Deserialize<bool[]>(), Column<bool>(data, "is_doublet"));
        CollectionAssert.AreEqual(Expected.Value.GetProperty("score32").Deserialize<double[]>()!.Select(v => (float)v).ToArray(), Column<float>(data, "score32"));
        // Categoricals as their categories' text; a missing value as empty text.
        CollectionAssert.AreEqual(Expected.Value.GetProperty("sample").Deserialize<string[]>(), Column<ReadOnlyMemory<char>>(data, "sample").Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(Expected.Value.GetProperty("cell_type").Deserialize<string[]>(), Column<ReadOnlyMemory<char>>(data, "cell_type").Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(new[] { "Features", "obs_names", "n_counts", "n_genes", "is_doublet", "sample", "cell_type", "score32" }, data.Schema.Select(c => c.Name).ToArray());
    }

    [TestMethod]
    public void A_sparse_X_and_a_sparse_layer_read_as_their_dense_values()
    {
        var ml = new MLContext(1);
        var csr = ml.Data.LoadFromAnnData(Fixture("sparse.h5ad"));
        CollectionAssert.AreEqual(Matrix("X").SelectMany(r => r).ToArray(), TestData.Column(csr, "Features").SelectMany(r => r).ToArray(), "X, CSR");
        var csc = ml.Data.LoadFromAnnData(Fixture("sparse.h5ad"), layer: "counts");
        CollectionAssert.AreEqual(Matrix("counts").SelectMany(r => r).ToArray(), TestData.Column(csc, "Features").SelectMany(r => r).ToArray(), "layer counts, CSC");
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(Fixture("sparse.h5ad"), layer: "spliced"));
        StringAssert.Contains(e.Message, "'layers/spliced' is missing");
    }

    [TestMethod]
    public void Files_that_are_not_AnnData_name_what_is_wrong()
    {
        var ml = new MLContext(1);
        using var folder = new TempFolder("ae-h5ad-");
        var text = Path.Combine(folder.Path, "cells.h5ad");
        File.WriteAllText(text, "gene,count\nA,1\n");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(text)).Message, $"'{text}' is not an HDF5 file");
        Assert.ThrowsExactly<FileNotFoundException>(() => ml.Data.LoadFromAnnData(Path.Combine(folder.Path, "none.h5ad")));

        var noX = Path.Combine(folder.Path, "nox.h5ad");
        new PureHDF.H5File { ["obs"] = new PureHDF.H5Group() }.Write(noX);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(noX)).Message, "'X' is missing");

        // A CSR matrix whose column index points past the genes: an untrusted file is checked, not trusted.
        var bad = Path.Combine(folder.Path, "bad.h5ad");
        new PureHDF.H5File
        {
            ["X"] = new PureHDF.H5Group
            {
                Attributes = new() { ["encoding-type"] = "csr_matrix", ["shape"] = new long[] { 2, 3 } },
                ["data"] = new float[] { 1, 2 }, ["indices"] = new int[] { 0, 7 }, ["indptr"] = new long[] { 0, 1, 2 },
            },
        }.Write(bad);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(bad)).Message, "dataset 'X/indices' holds 7 at 1; expected an index from 0 to 2");

        // A shape whose product wraps around in 64 bits, and pointers that are not integers.
        string Sparse(string name, long[] shape, object pointers)
        {
            var file = Path.Combine(folder.Path, name);
            new PureHDF.H5File
            {
                ["X"] = new PureHDF.H5Group
                {
                    Attributes = new() { ["encoding-type"] = "csr_matrix", ["shape"] = shape },
                    ["data"] = new float[] { 1 }, ["indices"] = new int[] { 0 }, ["indptr"] = pointers,
                },
            }.Write(file);
            return file;
        }
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(Sparse("wrap.h5ad", new[] { 1L << 32, 1L << 32 }, new long[] { 0, 1 }))).Message,
            "'X' is 4294967296 × 4294967296; expected at least one cell and one gene, and fewer than 2^31 values");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Data.LoadFromAnnData(Sparse("float.h5ad", new[] { 1L, 3 }, new double[] { 0, double.NaN }))).Message,
            "dataset 'X/indptr' holds FloatingPoint values; expected integers");
        Assert.AreEqual(5, Directory.GetFiles(folder.Path).Length, "reading leaves the files as they were");
    }

    /// <summary>SAUCIE's output written as AnnData: X, the obs columns, its clusters as a categorical and its embedding
    /// as obsm["X_saucie"], as anndata reads them, and as this library reads them back.</summary>
    [TestMethod]
    public void SAUCIE_output_written_as_AnnData_reads_back_in_anndata_and_here()
    {
        var ml = new MLContext(1);
        var cells = ml.Data.LoadFromAnnData(Fixture("dense.h5ad"));
        using var saucie = ml.Transforms.Saucie(new SaucieOptions { Epochs = 3, BatchSize = 32, Seed = 1, Threads = 1, ValidationFraction = 0 }).Fit(cells);
        var scored = saucie.Transform(cells);
        using var folder = new TempFolder("ae-h5ad-");
        var path = Path.Combine(folder.Path, "saucie.h5ad");
        ml.Data.SaveAsAnnData(scored, path);
        Assert.AreEqual(1, Directory.GetFiles(folder.Path).Length, "only the file itself");

        var back = ml.Data.LoadFromAnnData(path);
        CollectionAssert.AreEqual(TestData.Column(cells, "Features").SelectMany(r => r).ToArray(), TestData.Column(back, "Features").SelectMany(r => r).ToArray());
        CollectionAssert.AreEqual(Column<ReadOnlyMemory<char>>(cells, "obs_names").Select(s => s.ToString()).ToArray(), Column<ReadOnlyMemory<char>>(back, "obs_names").Select(s => s.ToString()).ToArray());
        CollectionAssert.AreEqual(Column<long>(cells, "n_genes"), Column<long>(back, "n_genes"));
        CollectionAssert.AreEqual(Column<bool>(cells, "is_doublet"), Column<bool>(back, "is_doublet"));
        var clusters = Column<uint>(scored, "Cluster");
        CollectionAssert.AreEqual(clusters.Select(k => k == 0 ? "" : k.ToString()).ToArray(), Column<ReadOnlyMemory<char>>(back, "Cluster").Select(s => s.ToString()).ToArray(), "keys as categories, missing as missing");

        var python = "/usr/bin/python3";
        var check = "import anndata, sys; a = anndata.read_h5ad(sys.argv[1]); "
            + "print(a.n_obs, a.n_vars, a.obsm['X_saucie'].shape[1], str(a.obs['Cluster'].dtype), list(a.obs_names[:2]), a.obs['cell_type'].iloc[6] == '', round(float(a.X[0, 0]), 6), str(a.obs['is_doublet'].dtype), ','.join(a.obs.columns))";
        if (!File.Exists(python) || EstimatorSuite.Run(python, "-c", "import anndata").Exit != 0)
        {
            if (Environment.GetEnvironmentVariable("AE_REQUIRE_ANNDATA") == "1") Assert.Fail("python3-anndata is missing, and CI requires it (build/test.sh installs it).");
            Assert.Inconclusive("python3-anndata is not installed: apt-get install python3-anndata.");
        }
        var (exit, stdout, stderr) = EstimatorSuite.Run(python, "-c", check, path);
        Assert.AreEqual(0, exit, stderr);
        var x00 = TestData.Column(cells, "Features")[0][0];
        Assert.AreEqual($"12 5 2 category ['cell0', 'cell1'] True {Math.Round(x00, 6).ToString(System.Globalization.CultureInfo.InvariantCulture)} bool n_counts,n_genes,is_doublet,sample,cell_type,score32,Cluster", stdout.Trim().Replace("0.0 ", "0 "));
    }

    [TestMethod]
    public void Columns_AnnData_cannot_hold_are_named()
    {
        var ml = new MLContext(1);
        var data = TestData.ToDataView(ml, TestData.Digits.X[..4]);
        using var folder = new TempFolder("ae-h5ad-");
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.SaveAsAnnData(data, Path.Combine(folder.Path, "a.h5ad"), "Pixels"));
        StringAssert.Contains(e.Message, "Column 'Pixels' was not found");
        var variable = ml.Transforms.Text.TokenizeIntoWords("Words", "Name").Fit(ml.Data.LoadFromEnumerable(new[] { new Named { Name = "a b" } })).Transform(ml.Data.LoadFromEnumerable(new[] { new Named { Name = "a b" } }));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Data.SaveAsAnnData(variable, Path.Combine(folder.Path, "b.h5ad"))).Message, "Column 'Words' is Vector<String>");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Data.SaveAsAnnData(variable, Path.Combine(folder.Path, "c.h5ad"), "Name")).Message, "Column 'Name' is String; expected a known-size vector of Single");
        Assert.AreEqual(0, Directory.GetFiles(folder.Path).Length, "no file written");
    }

    private sealed class Named
    {
        public string Name { get; set; } = "";
        [VectorType(2)] public float[] Features { get; set; } = new float[2];
    }
}
