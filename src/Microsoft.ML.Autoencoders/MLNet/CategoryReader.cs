using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>Reads a categorical column (text, a key of any width, or an integer) as category indices with their names.</summary>
internal static class CategoryReader
{
    private static readonly Type[] Integers = { typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong) };

    /// <summary>Each row's category index into <c>Names</c> (names sorted ordinally, as text). A missing key or an
    /// empty text is an error naming the row.</summary>
    public static (int[] Codes, string[] Names) Read(IDataView data, string column, string option)
    {
        var col = data.Schema.GetColumnOrNull(column)
            ?? throw new ArgumentOutOfRangeException(option, $"{option}: column '{column}' was not found in the data; expected a scalar text, key or integer column.");
        if (!IsCategorical(col.Type))
            throw new ArgumentOutOfRangeException(option, $"{option}: column '{column}' is {col.Type}; expected a scalar text, key or integer column.");
        VBuffer<ReadOnlyMemory<char>> keyNames = default;
        if (col.Type is KeyDataViewType && col.HasKeyValues()) col.GetKeyValues(ref keyNames);
        var names = col.Type is KeyDataViewType && col.HasKeyValues() ? keyNames.DenseValues().Select(v => v.ToString()).ToArray() : null;
        var read = typeof(CategoryReader).GetMethod(nameof(ReadValues), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(col.Type.RawType);
        var (seen, firstSeen) = ((List<int>, List<string>))read.Invoke(null, BindingFlags.DoNotWrapExceptions, null, new object?[] { data, col, option, names }, null)!;
        var sorted = firstSeen.Order(StringComparer.Ordinal).ToArray();
        var rank = firstSeen.Select(n => Array.BinarySearch(sorted, n, StringComparer.Ordinal)).ToArray();
        return (seen.Select(c => rank[c]).ToArray(), sorted);
    }

    /// <summary>Whether a column of this type can name categories.</summary>
    public static bool IsCategorical(DataViewType type) => type is TextDataViewType or KeyDataViewType || type is NumberDataViewType && Integers.Contains(type.RawType);

    /// <summary>Each row's category in order of first appearance, and the names in that order: one int a row, not a
    /// string (at 11 million rows a string a row held about 400 MB).</summary>
    private static (List<int> Codes, List<string> Names) ReadValues<T>(IDataView data, DataViewSchema.Column column, string option, string[]? keyNames)
    {
        var codes = new List<int>();
        var names = new List<string>();
        var index = new Dictionary<string, int>();
        using var cursor = data.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<T>(column);
        bool key = column.Type is KeyDataViewType;
        T value = default!;
        for (long row = 0; cursor.MoveNext(); row++)
        {
            getter(ref value);
            ulong k = key ? Convert.ToUInt64(value) : 0;
            string? text = !key ? value?.ToString() : k == 0 || keyNames is not null && k > (ulong)keyNames.Length ? null : keyNames?[k - 1] ?? k.ToString();
            if (string.IsNullOrEmpty(text))
                throw new InvalidOperationException($"{option}: column '{column.Name}', row {row} has a missing or empty value; expected every row to name its category.");
            if (!index.TryGetValue(text, out int code))
            {
                index[text] = code = names.Count;
                names.Add(text);
            }
            codes.Add(code);
        }
        return (codes, names);
    }
}
