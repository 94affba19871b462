namespace Microsoft.ML.Autoencoders;

/// <summary>The element type of an output column.</summary>
internal enum OutputType
{
    /// <summary>Single values.</summary>
    Single,
    /// <summary>UInt64 values (a packed binary code).</summary>
    UInt64,
    /// <summary>Ids 1..<see cref="OutputColumn.KeyCount"/> computed as Single, 0 for none; the user sees a key column.</summary>
    Key,
}

/// <summary>An output column of a fitted model, as the variant declares it.</summary>
/// <param name="Name">The column name.</param>
/// <param name="Width">Values a row.</param>
/// <param name="IsScalar">One value a row, graph shape [batch] (a vector column has shape [batch, Width]).</param>
/// <param name="Type">The element type.</param>
/// <param name="Thresholded">The values come from comparing with a threshold (bits, ids), where torch and ONNX
/// Runtime may land on different sides for a value at the threshold.</param>
/// <param name="KeyCount">For <see cref="OutputType.Key"/>: the largest id.</param>
internal sealed record OutputColumn(string Name, int Width, bool IsScalar, OutputType Type = OutputType.Single, bool Thresholded = false, int KeyCount = 0)
{
    public static OutputColumn Vector(string name, int width, bool thresholded = false) => new(name, width, false, Thresholded: thresholded);

    public static OutputColumn Scalar(string name, OutputType type = OutputType.Single, bool thresholded = false, int keyCount = 0)
        => new(name, 1, true, type, thresholded, keyCount);

    /// <summary>Whether ML.NET sees one value a row (a <c>Single</c> or a key), not a one-slot vector. A UInt64 hash stays a
    /// one-slot vector: the first-party route to a scalar passes values through a float (docs/conventions.md#column-types).</summary>
    public bool IsMLNetScalar => IsScalar && Type != OutputType.UInt64;

    /// <summary>The graph's shape of the column without the batch dimension.</summary>
    public long[] Dims => IsScalar ? Array.Empty<long>() : new long[] { Width };
}
