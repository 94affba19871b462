using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>Reads and checks the input column: a known-size vector of Single, finite values.</summary>
internal static class DataReader
{
    private const string Expected = "a known-size vector of Single";

    /// <summary>The vector size of <paramref name="column"/>; throws naming the column when it is not a known-size Single vector.</summary>
    public static int VectorSize(DataViewSchema schema, string column)
    {
        var type = schema.GetColumnOrNull(column)?.Type;
        if (type is VectorDataViewType { IsKnownSize: true } v && v.ItemType == NumberDataViewType.Single) return v.Size;
        throw NotExpected(column, type is null ? null : (type as VectorDataViewType)?.ItemType ?? type, type is VectorDataViewType);
    }

    /// <summary>Checks <paramref name="column"/> in a schema shape (which carries no vector sizes).</summary>
    public static void Check(SchemaShape schema, string column)
    {
        var found = schema.Where(c => c.Name == column).Cast<SchemaShape.Column?>().FirstOrDefault();
        if (found is not { Kind: SchemaShape.Column.VectorKind.Vector } col || col.ItemType != NumberDataViewType.Single)
            throw NotExpected(column, found?.ItemType, found?.Kind != SchemaShape.Column.VectorKind.Scalar, found?.Kind == SchemaShape.Column.VectorKind.VariableVector);
    }

    private static ArgumentOutOfRangeException NotExpected(string column, DataViewType? item, bool vector, bool variable = true)
    {
        var found = item is null ? "was not found in the data"
            : !vector ? $"is a scalar of {item.RawType.Name}"
            : item == NumberDataViewType.Single && variable ? "is a vector of Single of unknown (variable) size (give it a size: [VectorType(n)] on a class's array field, a column range in LoadFromTextFile)"
            : $"is a vector of {item.RawType.Name}";
        return new ArgumentOutOfRangeException(nameof(column), $"Input column '{column}' {found}; expected {Expected}.");
    }

    /// <summary>Checks the input column against the size the model was fitted on.</summary>
    public static void CheckSize(DataViewSchema schema, string column, int fittedSize)
    {
        int size = VectorSize(schema, column);
        if (size != fittedSize)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Input column '{column}' has vectors of size {size}; the model was fitted on vectors of size {fittedSize}.");
    }

    /// <summary>Copies one row of the input column into <paramref name="destination"/> (the column's size); throws
    /// naming the column, the row and the feature on a row of another length, on NaN or infinity, and on values
    /// outside [0, 1] when <paramref name="unitIntervalReason"/> is given. The one check of rows at Fit and at Transform.</summary>
    public static void CopyRow(in VBuffer<float> row, Span<float> destination, string column, long position, string? unitIntervalReason = null)
    {
        if (row.Length != destination.Length)
            throw new InvalidOperationException($"Input column '{column}', row {position} has {row.Length} values; the column's vectors have {destination.Length}.");
        row.CopyTo(destination);
        int bad = FirstOutside(destination, unitIntervalReason is not null);
        if (bad < 0) return;
        var x = destination[bad].ToString(CultureInfo.InvariantCulture);
        throw new InvalidOperationException(float.IsFinite(destination[bad])
            ? $"Input column '{column}', row {position}, feature {bad} is {x}; expected values in [0, 1] {unitIntervalReason}."
            : $"Input column '{column}', row {position}, feature {bad} is {x}; expected finite values.");
    }

    /// <summary>The first value that is not finite (or, with <paramref name="unitInterval"/>, outside [0, 1]); -1 if
    /// none. Vectorised, as it runs on every value scored; the slow scan that finds the value runs only on failure.</summary>
    public static int FirstOutside(ReadOnlySpan<float> values, bool unitInterval)
    {
        if (unitInterval ? AllInUnitInterval(values) : AllFinite(values)) return -1;
        for (int j = 0; j < values.Length; j++)
            if (!float.IsFinite(values[j]) || unitInterval && values[j] is not (>= 0 and <= 1)) return j;
        return -1;
    }

    /// <summary>x - x is 0 for a finite x and NaN otherwise, and a sum holding a NaN stays NaN, so the sum of x - x is
    /// 0 exactly when every x is finite. Four sums, so the additions do not wait for each other.</summary>
    // Optimised from the first call: unoptimised (tier-0) vector code made scoring 1.7x slower (measured).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        Vector<float> s0 = Vector<float>.Zero, s1 = s0, s2 = s0, s3 = s0;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            s0 += vectors[i] - vectors[i];
            s1 += vectors[i + 1] - vectors[i + 1];
            s2 += vectors[i + 2] - vectors[i + 2];
            s3 += vectors[i + 3] - vectors[i + 3];
        }
        for (; i < vectors.Length; i++) s0 += vectors[i] - vectors[i];
        bool clean = Vector.EqualsAll(s0 + s1 + s2 + s3, Vector<float>.Zero);
        for (int j = vectors.Length * Vector<float>.Count; j < values.Length && clean; j++) clean = float.IsFinite(values[j]);
        return clean;
    }

    /// <summary>Every value in [0, 1] (NaN fails both comparisons of its lane).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllInUnitInterval(ReadOnlySpan<float> values)
    {
        var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        var inside = Vector<int>.AllBitsSet;
        foreach (var v in vectors)
            inside &= Vector.GreaterThanOrEqual(v, Vector<float>.Zero) & Vector.LessThanOrEqual(v, Vector<float>.One);
        bool clean = Vector.EqualsAll(inside, Vector<int>.AllBitsSet);
        for (int j = vectors.Length * Vector<float>.Count; j < values.Length && clean; j++) clean = values[j] is >= 0 and <= 1;
        return clean;
    }

    /// <summary>Reads every row of <paramref name="column"/> into <paramref name="store"/>, each checked by <see cref="CopyRow"/>;
    /// <paramref name="progress"/> hears the count every <paramref name="every"/> rows (a large source takes minutes).</summary>
    public static void ReadRows(IDataView data, string column, RowStore store, string? unitIntervalReason = null, Action<long>? progress = null, int every = 1 << 20)
    {
        var col = data.Schema[column];
        var buffer = default(VBuffer<float>);
        var row = new float[store.Size];
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            CopyRow(buffer, row, column, store.Count, unitIntervalReason);
            store.Append(row);
            if (progress is not null && store.Count % every == 0) progress(store.Count);
        }
        if (store.Count == 0)
            throw new InvalidOperationException($"Input column '{column}' has no rows; training needs at least one.");
        store.Complete();
    }

    /// <summary>All rows of <paramref name="column"/> as one row-major matrix, each checked by <see cref="CopyRow"/>.</summary>
    public static float[] ReadMatrix(IDataView data, string column, out int rows, out int size, string? unitIntervalReason = null)
    {
        size = VectorSize(data.Schema, column);
        using var store = new MemoryRows(size);
        ReadRows(data, column, store, unitIntervalReason);
        rows = store.Count;
        return store.ToArray();
    }
}
