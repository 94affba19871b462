using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>Reads and checks the input column: a known-size vector of Single, finite values.</summary>
internal static class DataReader
{
    private const string Expected = "a known-size vector of Single";

    /// <summary>The vector size of <paramref name="column"/>; throws naming the column when it is not a known-size Single vector.</summary>
    public static int VectorSize(DataViewSchema schema, string column)
    {
        var col = schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(nameof(column), $"Input column '{column}' was not found in the data; expected {Expected}.");
        return VectorSize(column, col.Type);
    }

    /// <summary>Checks <paramref name="column"/> in a schema shape (which carries no vector sizes).</summary>
    public static void Check(SchemaShape schema, string column)
    {
        var found = schema.Where(c => c.Name == column).Cast<SchemaShape.Column?>().FirstOrDefault();
        if (found is not SchemaShape.Column col)
            throw new ArgumentOutOfRangeException(nameof(column), $"Input column '{column}' was not found in the data; expected {Expected}.");
        if (col.Kind != SchemaShape.Column.VectorKind.Vector || col.ItemType != NumberDataViewType.Single)
            throw new ArgumentOutOfRangeException(nameof(column),
                $"Input column '{column}' is {Describe(col.Kind, col.ItemType)}; expected {Expected}.");
    }

    /// <summary>Checks the input column against the size the model was fitted on.</summary>
    public static void CheckSize(DataViewSchema schema, string column, int fittedSize)
    {
        int size = VectorSize(schema, column);
        if (size != fittedSize)
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Input column '{column}' has vectors of size {size}; the model was fitted on vectors of size {fittedSize}.");
    }

    private static int VectorSize(string column, DataViewType type)
    {
        if (type is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && v.IsKnownSize)
            return v.Size;
        var kind = type switch
        {
            VectorDataViewType vv when vv.ItemType == NumberDataViewType.Single => "a vector of Single of unknown (variable) size",
            VectorDataViewType vv => $"a vector of {vv.ItemType.RawType.Name}",
            _ => $"a scalar of {type.RawType.Name}",
        };
        throw new ArgumentOutOfRangeException(nameof(column), $"Input column '{column}' is {kind}; expected {Expected}.");
    }

    private static string Describe(SchemaShape.Column.VectorKind kind, DataViewType item) => kind switch
    {
        SchemaShape.Column.VectorKind.Scalar => $"a scalar of {item.RawType.Name}",
        SchemaShape.Column.VectorKind.VariableVector when item == NumberDataViewType.Single => "a vector of Single of unknown (variable) size",
        _ => $"a vector of {item.RawType.Name}",
    };

    /// <summary>All rows of <paramref name="column"/> as one row-major matrix. Throws naming the row on NaN or
    /// infinity, and on values outside [0, 1] when <paramref name="unitInterval"/> is set.</summary>
    public static float[] ReadMatrix(IDataView data, string column, out int rows, out int size, bool unitInterval = false, string? unitIntervalReason = null)
    {
        size = VectorSize(data.Schema, column);
        var col = data.Schema[column];
        var values = new float[Math.Max(1, (int)Math.Min((data.GetRowCount() ?? 1024) * size, int.MaxValue / 2))];
        var buffer = default(VBuffer<float>);
        rows = 0;
        using var cursor = data.GetRowCursor(new[] { col });
        var getter = cursor.GetGetter<VBuffer<float>>(col);
        while (cursor.MoveNext())
        {
            getter(ref buffer);
            if ((long)(rows + 1) * size > values.Length)
                Array.Resize(ref values, (int)Math.Min(Math.Max((long)values.Length * 2, (long)(rows + 1) * size), Array.MaxLength));
            var row = values.AsSpan(rows * size, size);
            buffer.CopyTo(row);
            for (int j = 0; j < size; j++)
            {
                float x = row[j];
                if (!float.IsFinite(x))
                    throw new InvalidOperationException($"Input column '{column}', row {rows}, feature {j} is {x}; expected finite values.");
                if (unitInterval && (x < 0 || x > 1))
                    throw new InvalidOperationException($"Input column '{column}', row {rows}, feature {j} is {x}; expected values in [0, 1] {unitIntervalReason}.");
            }
            rows++;
        }
        if (rows == 0)
            throw new InvalidOperationException($"Input column '{column}' has no rows; training needs at least one.");
        Array.Resize(ref values, rows * size);
        return values;
    }
}
