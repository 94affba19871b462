using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>Reads a categorical column (text, key or integer) as category indices with their names.</summary>
internal static class CategoryReader
{
    /// <summary>Each row's category index into <c>Names</c> (names sorted ordinally, as text).</summary>
    public static (int[] Codes, string[] Names) Read(IDataView data, string column, string option)
    {
        var col = data.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(option, $"{option}: column '{column}' was not found in the data; expected a scalar text, key or integer column.");
        var values = col.Type switch
        {
            TextDataViewType => Read<ReadOnlyMemory<char>>(data, col, v => v.ToString()),
            KeyDataViewType => ReadKeys(data, col, option),
            NumberDataViewType n when n.RawType == typeof(int) => Read<int>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(long) => Read<long>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(uint) => Read<uint>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(ulong) => Read<ulong>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(short) => Read<short>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(ushort) => Read<ushort>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(byte) => Read<byte>(data, col, v => v.ToString()),
            NumberDataViewType n when n.RawType == typeof(sbyte) => Read<sbyte>(data, col, v => v.ToString()),
            _ => throw new ArgumentOutOfRangeException(option, $"{option}: column '{column}' is {col.Type}; expected a scalar text, key or integer column."),
        };
        var names = values.Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        return (values.Select(v => index[v]).ToArray(), names);
    }

    private static List<string> Read<T>(IDataView data, DataViewSchema.Column column, Func<T, string> text)
    {
        var values = new List<string>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        T value = default!;
        while (cursor.MoveNext()) { getter(ref value); values.Add(text(value)); }
        return values;
    }

    private static List<string> ReadKeys(IDataView data, DataViewSchema.Column column, string option)
    {
        VBuffer<ReadOnlyMemory<char>> keyNames = default;
        bool named = column.HasKeyValues();
        if (named) column.GetKeyValues(ref keyNames);
        var names = named ? keyNames.DenseValues().Select(v => v.ToString()).ToArray() : null;
        var keys = new List<string>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<uint>(column);
        uint key = 0;
        for (int row = 0; cursor.MoveNext(); row++)
        {
            getter(ref key);
            if (key == 0) throw new InvalidOperationException($"{option}: column '{column.Name}', row {row} has a missing key; expected every row to name its category.");
            keys.Add(names?[key - 1] ?? key.ToString());
        }
        return keys;
    }
}
