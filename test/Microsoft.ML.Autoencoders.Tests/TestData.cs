using System.IO.Compression;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>A row of features with a label, for building data views of any vector size.</summary>
public sealed class Row
{
    public float[] Features = Array.Empty<float>();
    public int Label;
}

/// <summary>A row with a batch and a sample name.</summary>
public sealed class BatchRow
{
    public float[] Features = Array.Empty<float>();
    public string Batch = "";
    public string Sample = "";
}

/// <summary>Bundled and synthetic data for the tests.</summary>
public static class TestData
{
    private static readonly Lazy<(float[][] X, int[] Y)> DigitsData = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "data", "digits", "digits.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var x = new List<float[]>();
        var y = new List<int>();
        while (reader.ReadLine() is { } line)
        {
            var v = line.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            x.Add(v[..64].Select(p => p / 16f).ToArray());
            y.Add((int)v[64]);
        }
        return (x.ToArray(), y.ToArray());
    });

    /// <summary>The 1797 UCI digits, pixels scaled to [0, 1], with labels.</summary>
    public static (float[][] X, int[] Y) Digits => DigitsData.Value;

    /// <summary>The digits at <paramref name="rows"/> with a key "Label" whose order is fixed by value, so every subset
    /// maps digit d to key d + 1.</summary>
    public static IDataView LabelledDigits(MLContext ml, IEnumerable<int> rows)
    {
        var (x, y) = Digits;
        var chosen = rows.ToArray();
        var data = ToDataView(ml, chosen.Select(i => x[i]).ToArray(), chosen.Select(i => y[i]).ToArray());
        return ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(ToDataView(ml, x, y)).Transform(data);
    }

    /// <summary>The first <paramref name="perClass"/> rows of each digit among the first <paramref name="pool"/> rows.</summary>
    public static int[] FewLabels(int perClass, int pool)
        => Enumerable.Range(0, 10).SelectMany(d => Enumerable.Range(0, pool).Where(i => Digits.Y[i] == d).Take(perClass)).ToArray();

    private static readonly Lazy<(float[][] X, int[] Y)> FashionTrainData = new(() => ReadFashion("train"));
    private static readonly Lazy<(float[][] X, int[] Y)> FashionTestData = new(() => ReadFashion("t10k"));

    /// <summary>The bundled Fashion-MNIST subsample (data/fashion-mnist): 3,000 training images, 28x28, pixels in [0, 1].</summary>
    public static (float[][] X, int[] Y) FashionTrain => FashionTrainData.Value;

    /// <summary>The bundled Fashion-MNIST subsample's 1,000 test images.</summary>
    public static (float[][] X, int[] Y) FashionTest => FashionTestData.Value;

    private static (float[][] X, int[] Y) ReadFashion(string prefix)
    {
        var images = ReadIdx(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", $"{prefix}-images-idx3-ubyte.gz"), 0x803, 784);
        var labels = ReadIdx(Path.Combine(AppContext.BaseDirectory, "data", "fashion-mnist", $"{prefix}-labels-idx1-ubyte.gz"), 0x801, 1);
        return (images.Select(r => r.Select(b => b / 255f).ToArray()).ToArray(), labels.Select(l => (int)l[0]).ToArray());
    }

    /// <summary>The items of an idx file (gzip, big-endian header: magic, count, dimensions; then bytes).</summary>
    private static byte[][] ReadIdx(string path, int magic, int itemSize)
    {
        using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        if (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes) != magic) throw new InvalidDataException($"{path}: not an idx file of magic {magic:x}.");
        int count = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4));
        int header = 4 + 4 * (magic & 0xFF);
        return Enumerable.Range(0, count).Select(i => bytes.AsSpan(header + i * itemSize, itemSize).ToArray()).ToArray();
    }

    /// <summary>A data view with a "Features" vector column of the rows' size and a "Label" column.</summary>
    public static IDataView ToDataView(MLContext ml, float[][] rows, int[]? labels = null, string column = "Features")
    {
        int size = rows.Length > 0 ? rows[0].Length : 1;
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        definition[nameof(Row.Features)].ColumnName = column;
        var data = rows.Select((r, i) => new Row { Features = (float[])r.Clone(), Label = labels?[i] ?? 0 }).ToList();
        return ml.Data.LoadFromEnumerable(data, definition);
    }

    /// <summary>Rows on a curved 2-d surface in 10 dimensions: latent (u, v) uniform in [-1, 1]², mapped through
    /// (u, v, u², v², uv, sin 3u) and a fixed random 10x6 matrix, plus noise of 0.02; then <paramref name="anomalies"/>
    /// rows pushed off the surface by 0.5 in a random direction (last, <c>IsAnomaly</c> true). No linear subspace of
    /// low rank holds the normal rows, so reconstruction by PCA leaves them residuals that an autoencoder need not.</summary>
    public static (float[][] X, bool[] IsAnomaly) CurvedManifold(int normal, int anomalies, int seed)
    {
        var map = new Random(12345);   // one surface for every seed
        var w = Enumerable.Range(0, 10).Select(_ => Enumerable.Range(0, 6).Select(_ => Gaussian(map) / Math.Sqrt(6)).ToArray()).ToArray();
        var rand = new Random(seed);
        double[] Point()
        {
            double u = 2 * rand.NextDouble() - 1, v = 2 * rand.NextDouble() - 1;
            var phi = new[] { u, v, u * u, v * v, u * v, Math.Sin(3 * u) };
            return w.Select(row => row.Zip(phi, (a, b) => a * b).Sum() + 0.02 * Gaussian(rand)).ToArray();
        }
        var rows = new List<float[]>();
        for (int i = 0; i < normal; i++) rows.Add(Point().Select(v => (float)v).ToArray());
        for (int i = 0; i < anomalies; i++)
        {
            var p = Point();
            var direction = Enumerable.Range(0, 10).Select(_ => Gaussian(rand)).ToArray();
            double norm = Math.Sqrt(direction.Sum(d => d * d));
            rows.Add(p.Zip(direction, (a, d) => (float)(a + 0.5 * d / norm)).ToArray());
        }
        return (rows.ToArray(), Enumerable.Range(0, normal + anomalies).Select(i => i >= normal).ToArray());
    }

    /// <summary>n rows near a k-dimensional subspace of R^d: latent scales 5, 4, 3, ... (a clear eigengap to the
    /// noise), a random orthonormal basis, an offset, and isotropic noise of <paramref name="noise"/>.</summary>
    public static (float[][] X, double[][] Basis) LowRank(int n, int d, int k, int seed, double noise = 0.05)
    {
        var rand = new Random(seed);
        var basis = LinearAlgebra.Orthonormalize(Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, d).Select(_ => Gaussian(rand)).ToArray()).ToArray());
        var offset = Enumerable.Range(0, d).Select(_ => Gaussian(rand)).ToArray();
        var x = new float[n][];
        for (int i = 0; i < n; i++)
        {
            var row = offset.Select(o => o + noise * Gaussian(rand)).ToArray();
            for (int j = 0; j < k; j++)
            {
                double z = (5 - j) * Gaussian(rand);
                for (int f = 0; f < d; f++) row[f] += z * basis[j][f];
            }
            x[i] = row.Select(v => (float)v).ToArray();
        }
        return (x, basis);
    }

    /// <summary>Rows that are Dirichlet(1) mixtures of k archetypes (the vertices of a regular simplex in R^(k-1)),
    /// pushed through the smooth non-linear map f(p)_j = sin(1.5 u_j · p + c_j) into <paramref name="dims"/> dimensions,
    /// plus Gaussian noise. Returns the rows, their true weights and the true archetypes f(a_k).</summary>
    public static (float[][] X, double[][] Weights, float[][] Archetypes) Archetypal(int n, int k, int dims, int seed, double noise = 0.02)
    {
        var rand = new Random(seed);
        var vertices = new Simplex(k).Vertices;
        var u = Enumerable.Range(0, dims).Select(_ => Enumerable.Range(0, k - 1).Select(_ => Gaussian(rand)).ToArray()).ToArray();
        var c = Enumerable.Range(0, dims).Select(_ => rand.NextDouble() * 2 * Math.PI).ToArray();
        float[] Map(double[] p, double sigma) => Enumerable.Range(0, dims)
            .Select(j => (float)(Math.Sin(1.5 * u[j].Zip(p).Sum(q => q.First * q.Second) + c[j]) + sigma * Gaussian(rand))).ToArray();
        double[] Point(double[] w) => Enumerable.Range(0, k - 1).Select(d => Enumerable.Range(0, k).Sum(i => w[i] * vertices[i * (k - 1) + d])).ToArray();
        var weights = Enumerable.Range(0, n).Select(_ =>
        {
            var e = Enumerable.Range(0, k).Select(_ => -Math.Log(1 - rand.NextDouble())).ToArray();
            return e.Select(v => v / e.Sum()).ToArray();
        }).ToArray();
        var x = weights.Select(w => Map(Point(w), noise)).ToArray();
        var archetypes = Enumerable.Range(0, k).Select(i => Map(Point(Enumerable.Range(0, k).Select(j => i == j ? 1.0 : 0).ToArray()), 0)).ToArray();
        return (x, weights, archetypes);
    }

    /// <summary>Synthetic cytometry-like data: <paramref name="types"/> well-separated cell types (centres N(0, 3^2) per
    /// feature, unit-variance cells), measured in <paramref name="batches"/> batches, each with its own non-linear
    /// distortion x -> x + shift_b + 0.8 b tanh(x). Proportions: <paramref name="proportions"/>[type] (default equal).</summary>
    public static (float[][] X, int[] Types, int[] Batches) CellTypes(int n, int types, int dims, int batches, int seed, double[]? proportions = null, int? rowSeed = null)
    {
        var rand = new Random(seed);
        var centres = Enumerable.Range(0, types).Select(_ => Enumerable.Range(0, dims).Select(_ => 3 * Gaussian(rand)).ToArray()).ToArray();
        var shifts = Enumerable.Range(0, batches).Select(b => Enumerable.Range(0, dims).Select(_ => b == 0 ? 0 : 1.5 * Gaussian(rand)).ToArray()).ToArray();
        // The same cell types and batches for a seed; the cells themselves from the row seed.
        if (rowSeed is int r) rand = new Random(r);
        proportions ??= Enumerable.Repeat(1.0 / types, types).ToArray();
        var x = new float[n][];
        var t = new int[n];
        var batch = new int[n];
        for (int i = 0; i < n; i++)
        {
            double u = rand.NextDouble(), cumulative = 0;
            t[i] = types - 1;
            for (int k = 0; k < types; k++) if (u < (cumulative += proportions[k])) { t[i] = k; break; }
            batch[i] = i % batches;
            x[i] = centres[t[i]].Select((c, f) =>
            {
                double v = c + Gaussian(rand);
                return (float)(v + shifts[batch[i]][f] + 0.8 * batch[i] * Math.Tanh(v));
            }).ToArray();
        }
        return (x, t, batch);
    }

    /// <summary>A data view with a "Features" column and a text "Batch" and "Sample" column.</summary>
    public static IDataView WithBatches(MLContext ml, float[][] rows, int[] batches, int[]? samples = null)
    {
        var definition = SchemaDefinition.Create(typeof(BatchRow));
        definition[nameof(BatchRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        return ml.Data.LoadFromEnumerable(rows.Select((r, i) => new BatchRow
        {
            Features = (float[])r.Clone(), Batch = $"batch{batches[i]}", Sample = $"sample{samples?[i] ?? 0}",
        }).ToList(), definition);
    }

    public static double Gaussian(Random rand) => Math.Sqrt(-2 * Math.Log(1 - rand.NextDouble())) * Math.Cos(2 * Math.PI * rand.NextDouble());

    /// <summary>The values of a vector column, one array per row.</summary>
    public static float[][] Column(IDataView data, string name) => data.Schema[name].Type switch
    {
        // Scalar columns (errors, distances, clusters) as one-value rows.
        NumberDataViewType t when t == NumberDataViewType.Single => data.GetColumn<float>(name).Select(v => new[] { v }).ToArray(),
        KeyDataViewType => data.GetColumn<uint>(name).Select(v => new[] { (float)v }).ToArray(),
        VectorDataViewType vector => VectorColumn(data, name, vector.ItemType),
        var t => throw new ArgumentException($"Column '{name}' is of type {t}."),
    };

    private static float[][] VectorColumn(IDataView data, string name, DataViewType item) => item switch
    {
        KeyDataViewType => data.GetColumn<uint[]>(name).Select(r => r.Select(v => (float)v).ToArray()).ToArray(),
        // Hash columns: exact in a float up to 24 bits, which the tests' codes stay within.
        var t when t == NumberDataViewType.UInt64 => data.GetColumn<ulong[]>(name).Select(r => r.Select(v => (float)v).ToArray()).ToArray(),
        _ => data.GetColumn<float[]>(name).ToArray(),
    };

    /// <summary>The schema shape of a schema, as ML.NET's pipelines compute it (its factory is internal).</summary>
    public static SchemaShape Shape(DataViewSchema schema)
        => (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })!
            .Invoke(null, new object[] { schema })!;

    /// <summary>Mean squared difference between two row sets.</summary>
    public static double Mse(float[][] a, float[][] b)
        => a.Zip(b).Average(p => p.First.Zip(p.Second).Average(q => (double)(q.First - q.Second) * (q.First - q.Second)));
}

/// <summary>A progress sink that runs its action on the reporting thread, at once (<see cref="Progress{T}"/> posts to a
/// synchronisation context instead), so a test sees every report before <c>Fit</c> returns.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A folder of its own under the temp folder, deleted with everything in it on Dispose.</summary>
public sealed class TempFolder(string prefix) : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
