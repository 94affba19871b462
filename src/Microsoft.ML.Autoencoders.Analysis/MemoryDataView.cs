using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders;

/// <summary>An <see cref="IDataView"/> over columns held in memory, of types known only when a file is read (ML.NET's
/// own builder of such views is internal). Cursors read the arrays; nothing is copied but a row's vector.</summary>
internal sealed class MemoryDataView : IDataView
{
    private readonly Column[] _columns;
    private readonly int _rows;

    /// <summary>A column: its name, its type and a getter factory over the row index.</summary>
    public sealed class Column(string name, DataViewType type, Func<Func<long>, Delegate> getter, DataViewSchema.Annotations? annotations = null)
    {
        public string Name => name;
        public DataViewType Type => type;
        public DataViewSchema.Annotations? Annotations => annotations;
        public Delegate Getter(Func<long> position) => getter(position);

        /// <summary>One value a row.</summary>
        public static Column Of<T>(string name, DataViewType type, T[] values)
            => new(name, type, position => (ValueGetter<T>)((ref T value) => value = values[position()]));

        /// <summary>A known-size vector a row, row-major in <paramref name="values"/>, with slot names.</summary>
        public static Column Vector(string name, float[] values, int size, string[] slotNames)
        {
            var annotations = new DataViewSchema.Annotations.Builder();
            annotations.Add("SlotNames", new VectorDataViewType(TextDataViewType.Instance, size), (ref VBuffer<ReadOnlyMemory<char>> names) =>
            {
                var editor = VBufferEditor.Create(ref names, size);
                for (int i = 0; i < size; i++) editor.Values[i] = slotNames[i].AsMemory();
                names = editor.Commit();
            }, null);
            return new(name, new VectorDataViewType(NumberDataViewType.Single, size), position => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> vector) =>
            {
                var editor = VBufferEditor.Create(ref vector, size);
                values.AsSpan(checked((int)(position() * size)), size).CopyTo(editor.Values);
                vector = editor.Commit();
            }), annotations.ToAnnotations());
        }
    }

    public MemoryDataView(IEnumerable<Column> columns, int rows)
    {
        _columns = columns.ToArray();
        _rows = rows;
        var builder = new DataViewSchema.Builder();
        foreach (var column in _columns) builder.AddColumn(column.Name, column.Type, column.Annotations);
        Schema = builder.ToSchema();
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _rows;

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, columnsNeeded);

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly MemoryDataView _view;
        private readonly bool[] _active;
        private long _position = -1;

        public Cursor(MemoryDataView view, IEnumerable<DataViewSchema.Column> needed)
        {
            _view = view;
            _active = new bool[view._columns.Length];
            foreach (var column in needed) _active[column.Index] = true;
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override bool MoveNext()
        {
            if (_position + 1 >= _view._rows)
            {
                _position = _view._rows;
                return false;
            }
            _position++;
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!_active[column.Index]) throw new InvalidOperationException($"Column '{column.Name}' was not requested from the cursor.");
            return _view._columns[column.Index].Getter(() => _position) as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}, not {typeof(TValue).Name}.");
        }

        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);
    }
}
