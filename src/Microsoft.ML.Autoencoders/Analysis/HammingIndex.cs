using System.Numerics;

namespace Microsoft.ML.Autoencoders;

/// <summary>Binary codes of a data set for retrieval by Hamming distance: rows with the same code share a bucket of a
/// hash table; queries beyond the exact code scan the distinct codes with popcount. Results are row positions in the
/// indexed data, ordered by Hamming distance, ties by position.</summary>
public sealed class HammingIndex
{
    private const int Magic = 0x48414D31; // "HAM1"
    private readonly BinaryCodeTransformer _encoder;
    private readonly ulong[][] _codes;
    private readonly Dictionary<ulong[], List<int>> _buckets = new(new CodeComparer());

    internal HammingIndex(BinaryCodeTransformer encoder, ulong[][] codes)
    {
        _encoder = encoder;
        _codes = codes;
        for (int i = 0; i < codes.Length; i++)
        {
            if (!_buckets.TryGetValue(codes[i], out var rows)) _buckets[codes[i]] = rows = new List<int>();
            rows.Add(i);
        }
    }

    /// <summary>Number of indexed rows.</summary>
    public int Count => _codes.Length;

    /// <summary>Number of distinct codes (hash-table buckets).</summary>
    public int DistinctCodes => _buckets.Count;

    /// <summary>The <paramref name="k"/> rows nearest to the query's code (fewer if the index holds fewer).</summary>
    public IReadOnlyList<int> Nearest(float[] features, int k)
    {
        AutoencoderOptions.Require(k >= 1, nameof(k), k, "at least 1");
        var query = _encoder.Code(features);
        var result = new List<int>(k);
        foreach (var group in _buckets.GroupBy(b => Distance(b.Key, query)).OrderBy(g => g.Key))
        {
            result.AddRange(group.SelectMany(b => b.Value).Order());
            if (result.Count >= k) break;
        }
        return result.Take(k).ToList();
    }

    /// <summary>All rows whose code is within Hamming distance <paramref name="radius"/> of the query's code.</summary>
    public IReadOnlyList<int> WithinRadius(float[] features, int radius)
    {
        AutoencoderOptions.Require(radius >= 0, nameof(radius), radius, "0 or more");
        var query = _encoder.Code(features);
        if (radius == 0) return _buckets.TryGetValue(query, out var same) ? same.ToList() : new List<int>();
        return _buckets.Select(b => (Distance: Distance(b.Key, query), Rows: b.Value))
            .Where(b => b.Distance <= radius)
            .SelectMany(b => b.Rows.Select(r => (b.Distance, Row: r)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Row)
            .Select(p => p.Row).ToList();
    }

    internal static int Distance(ulong[] a, ulong[] b)
    {
        int d = 0;
        for (int w = 0; w < a.Length; w++) d += BitOperations.PopCount(a[w] ^ b[w]);
        return d;
    }

    /// <summary>Writes the indexed codes; <see cref="Load"/> reads them back with the model that made them.</summary>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(_encoder.CodeSize);
        writer.Write(_codes.Length);
        foreach (var code in _codes) foreach (var word in code) writer.Write(word);
    }

    /// <summary>Reads an index written by <see cref="Save"/>; <paramref name="encoder"/> encodes the queries and must
    /// be the model (or a reload of the model) that built it.</summary>
    public static HammingIndex Load(Stream stream, BinaryCodeTransformer encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != Magic) throw new InvalidDataException("Not a Hamming index written by HammingIndex.Save.");
        int bits = reader.ReadInt32();
        if (bits != encoder.CodeSize)
            throw new ArgumentException($"The index holds {bits}-bit codes but the encoder makes {encoder.CodeSize}-bit codes.", nameof(encoder));
        int count = reader.ReadInt32(), words = (bits + 63) / 64;
        var codes = new ulong[count][];
        for (int i = 0; i < count; i++)
        {
            codes[i] = new ulong[words];
            for (int w = 0; w < words; w++) codes[i][w] = reader.ReadUInt64();
        }
        return new HammingIndex(encoder, codes);
    }

    private sealed class CodeComparer : IEqualityComparer<ulong[]>
    {
        public bool Equals(ulong[]? x, ulong[]? y) => x.AsSpan().SequenceEqual(y);
        public int GetHashCode(ulong[] code)
        {
            var hash = new HashCode();
            foreach (var w in code) hash.Add(w);
            return hash.ToHashCode();
        }
    }
}
