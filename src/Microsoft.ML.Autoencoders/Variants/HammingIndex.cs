using System.Numerics;

namespace Microsoft.ML.Autoencoders;

/// <summary>Binary codes of a data set for retrieval by Hamming distance: rows with the same code share a bucket of a
/// hash table; queries beyond the exact code scan the distinct codes with popcount. Results are row positions in the
/// indexed data, ordered by Hamming distance, ties by position. Codes are bits packed into 64-bit words (bit j of a
/// code is bit j % 64 of word j / 64). Made by <see cref="BinaryCodeTransformer.BuildIndex"/>, or from any codes by
/// <see cref="FromCodes"/> (e.g. a baseline hash).</summary>
public sealed class HammingIndex
{
    private const int Magic = 0x48414D31; // "HAM1"
    private readonly BinaryCodeTransformer? _encoder;
    private readonly ulong[][] _codes;
    private readonly int _bits;
    private readonly Dictionary<ulong[], List<int>> _buckets = new(BitWordsComparer.Instance);

    internal HammingIndex(BinaryCodeTransformer? encoder, ulong[][] codes, int bits)
    {
        _encoder = encoder;
        _codes = codes;
        _bits = bits;
        for (int i = 0; i < codes.Length; i++)
        {
            if (!_buckets.TryGetValue(codes[i], out var rows)) _buckets[codes[i]] = rows = new List<int>();
            rows.Add(i);
        }
    }

    /// <summary>An index over codes of <paramref name="bits"/> bits made elsewhere; query it with <see cref="NearestToCode"/>.</summary>
    public static HammingIndex FromCodes(IReadOnlyList<ulong[]> codes, int bits)
    {
        Check.Option(bits >= 1, nameof(bits), bits, "at least 1");
        int words = (bits + 63) / 64;
        for (int i = 0; i < codes.Count; i++)
            if (codes[i].Length != words)
                throw new ArgumentException($"Code {i} has {codes[i].Length} words; {bits} bits take {words}.", nameof(codes));
        return new HammingIndex(null, codes.Select(c => (ulong[])c.Clone()).ToArray(), bits);
    }

    /// <summary>Bits per code.</summary>
    public int Bits => _bits;

    /// <summary>Number of indexed rows.</summary>
    public int Count => _codes.Length;

    /// <summary>Number of distinct codes (hash-table buckets).</summary>
    public int DistinctCodes => _buckets.Count;

    /// <summary>The <paramref name="k"/> rows nearest to the query's code (fewer if the index holds fewer).</summary>
    public IReadOnlyList<int> Nearest(float[] features, int k) => NearestToCode(Encode(features), k);

    /// <summary>All rows whose code is within Hamming distance <paramref name="radius"/> of the query's code.</summary>
    public IReadOnlyList<int> WithinRadius(float[] features, int radius) => WithinRadiusOfCode(Encode(features), radius);

    private ulong[] Encode(float[] features)
        => (_encoder ?? throw new InvalidOperationException("This index was made from codes; query it with NearestToCode or WithinRadiusOfCode.")).Code(features);

    /// <summary>The <paramref name="k"/> rows nearest to <paramref name="query"/> (fewer if the index holds fewer).</summary>
    public IReadOnlyList<int> NearestToCode(ulong[] query, int k)
    {
        Check.Option(k >= 1, nameof(k), k, "at least 1");
        CheckCode(query);
        var result = new List<int>(k);
        foreach (var group in _buckets.GroupBy(b => Distance(b.Key, query)).OrderBy(g => g.Key))
        {
            result.AddRange(group.SelectMany(b => b.Value).Order());
            if (result.Count >= k) break;
        }
        return result.Take(k).ToList();
    }

    /// <summary>All rows whose code is within Hamming distance <paramref name="radius"/> of <paramref name="query"/>.</summary>
    public IReadOnlyList<int> WithinRadiusOfCode(ulong[] query, int radius)
    {
        Check.Option(radius >= 0, nameof(radius), radius, "0 or more");
        CheckCode(query);
        if (radius == 0) return _buckets.TryGetValue(query, out var same) ? same.ToList() : new List<int>();
        return _buckets.Select(b => (Distance: Distance(b.Key, query), Rows: b.Value))
            .Where(b => b.Distance <= radius)
            .SelectMany(b => b.Rows.Select(r => (b.Distance, Row: r)))
            .OrderBy(p => p.Distance).ThenBy(p => p.Row)
            .Select(p => p.Row).ToList();
    }

    private void CheckCode(ulong[] query)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Length != (_bits + 63) / 64)
            throw new ArgumentException($"The query code has {query.Length} words; this index's {_bits}-bit codes take {(_bits + 63) / 64}.", nameof(query));
    }

    /// <summary>The number of differing bits.</summary>
    public static int Distance(ulong[] a, ulong[] b)
    {
        int d = 0;
        for (int w = 0; w < a.Length; w++) d += BitOperations.PopCount(a[w] ^ b[w]);
        return d;
    }

    /// <summary>Writes the indexed codes; <see cref="Load"/> reads them back.</summary>
    public void Save(Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(_bits);
        writer.Write(_codes.Length);
        foreach (var code in _codes) foreach (var word in code) writer.Write(word);
    }

    /// <summary>Reads an index written by <see cref="Save"/>; <paramref name="encoder"/>, when given, encodes the
    /// feature queries and must be the model (or a reload of the model) that built it.</summary>
    public static HammingIndex Load(Stream stream, BinaryCodeTransformer? encoder = null)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (reader.ReadInt32() != Magic) throw new InvalidDataException("Not a Hamming index written by HammingIndex.Save.");
            int bits = reader.ReadInt32();
            if (bits is < 1 or > AutoencoderOptions.MaxWidth)
                throw new InvalidDataException($"The index claims {bits}-bit codes; expected 1 to {AutoencoderOptions.MaxWidth}.");
            if (encoder is not null && bits != encoder.CodeSize)
                throw new ArgumentException($"The index holds {bits}-bit codes but the encoder makes {encoder.CodeSize}-bit codes.", nameof(encoder));
            int count = reader.ReadInt32(), words = (bits + 63) / 64;
            // The header is untrusted: the codes it announces must be in the stream before anything is allocated for them.
            long needed = (long)count * words * sizeof(ulong);
            if (count < 0 || stream.CanSeek && needed > stream.Length - stream.Position)
                throw new InvalidDataException($"The index claims {count} codes of {bits} bits ({needed} bytes), but the stream holds {(stream.CanSeek ? stream.Length - stream.Position : 0)} more bytes.");
            var codes = new List<ulong[]>();
            for (int i = 0; i < count; i++)
            {
                var code = new ulong[words];
                for (int w = 0; w < words; w++) code[w] = reader.ReadUInt64();
                codes.Add(code);
            }
            return new HammingIndex(encoder, codes.ToArray(), bits);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("The Hamming index ends before the codes its header announces.", e);
        }
    }
}
