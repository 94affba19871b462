namespace Microsoft.ML.Autoencoders;

/// <summary>Equality of bit patterns packed in 64-bit words (binary codes, clustering-layer patterns).</summary>
internal sealed class BitWordsComparer : IEqualityComparer<ulong[]>
{
    public static readonly BitWordsComparer Instance = new();

    public bool Equals(ulong[]? x, ulong[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(ulong[] words)
    {
        var hash = new HashCode();
        foreach (var w in words) hash.Add(w);
        return hash.ToHashCode();
    }
}
