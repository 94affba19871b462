using System.Reflection;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The source rows with the model's output columns appended, scored lazily in batches of rows. One cursor
/// over the source reads each row once: a batch of rows is read ahead, their requested source columns are kept for
/// the rows' turn, and their inputs (checked as at Fit) are scored in one ONNX Runtime call.</summary>
internal sealed class ScoredDataView : IDataView
{
    private const int BatchRows = 1024;
    private readonly IDataView _source;
    private readonly ModelState _state;
    private readonly Func<OnnxScorer> _scorer;

    /// <param name="source">The input rows.</param>
    /// <param name="state">The fitted model.</param>
    /// <param name="scorer">The fitted model's scorer; throws <see cref="ObjectDisposedException"/> once the model is disposed.</param>
    public ScoredDataView(IDataView source, ModelState state, Func<OnnxScorer> scorer)
    {
        _source = source;
        _state = state;
        _scorer = scorer;
        Schema = SchemaOf(source.Schema, state);
    }

    /// <summary>The input columns, then the graph's outputs as ML.NET's ONNX transformer gives them, so the saved
    /// chain's steps after it apply to this view as to that transformer's output.</summary>
    public static DataViewSchema SchemaOf(DataViewSchema input, ModelState state)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        foreach (var (column, name) in state.Outputs.Zip(state.GraphNames))
            builder.AddColumn(name, ColumnTypes.InGraph(column));
        return builder.ToSchema();
    }

    /// <summary>The getter of a model output column: the row <c>current()</c> names of the scored values it names,
    /// copied into the caller's buffer. Shared by this view and the PredictionEngine mapper.</summary>
    public static ValueGetter<TValue> OutputGetter<TValue>(DataViewSchema.Column column, OutputColumn output, Func<(Array Values, int Row)> current)
    {
        var getter = output.Type == OutputType.UInt64 ? (Delegate)Copy<ulong>() : Copy<float>();
        return getter as ValueGetter<TValue> ?? throw WrongType(column, typeof(TValue));

        ValueGetter<VBuffer<T>> Copy<T>() => (ref VBuffer<T> value) =>
        {
            var (values, row) = current();
            var editor = VBufferEditor.Create(ref value, output.Width);
            ((T[])values).AsSpan(row * output.Width, output.Width).CopyTo(editor.Values);
            value = editor.Commit();
        };
    }

    private static InvalidOperationException WrongType(DataViewSchema.Column column, Type requested)
        => new($"Column '{column.Name}' is of type {column.Type}; a getter of {requested.Name} was requested.");

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _source.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        => new Cursor(this, columnsNeeded.Select(c => c.Index).ToHashSet());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
        => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : DataViewRowCursor
    {
        private readonly ScoredDataView _view;
        private readonly HashSet<int> _active;
        private readonly DataViewRowCursor _rows;
        private readonly int _sourceCount;
        private readonly int[] _wanted;
        private readonly ValueGetter<VBuffer<float>>? _input;
        private readonly Dictionary<int, IKept> _kept = new();
        private float[]? _inputs;
        private VBuffer<float> _row;
        private Array?[] _batch = Array.Empty<Array>();
        private long _batchStart;
        private int _batchCount;
        private long _position = -1;
        private Exception? _failed;

        public Cursor(ScoredDataView view, HashSet<int> active)
        {
            _view = view;
            _active = active;
            var source = view._source.Schema;
            _sourceCount = source.Count;
            _wanted = active.Where(i => i >= _sourceCount).Select(i => i - _sourceCount).Order().ToArray();
            var input = source[view._state.Options.InputColumnName];
            var read = source.Where(c => active.Contains(c.Index) || _wanted.Length > 0 && c.Index == input.Index).ToArray();
            _rows = view._source.GetRowCursor(read);
            if (_wanted.Length == 0) return;
            _input = _rows.GetGetter<VBuffer<float>>(input);
            // Rows are read a batch ahead, so the source values of each requested column are kept until the row's turn.
            foreach (var column in source.Where(c => active.Contains(c.Index)))
            {
                // The input column, when passed through too, is kept from the row already read for scoring.
                if (column.Index == input.Index)
                {
                    _kept[column.Index] = new KeptVector<float>((ref VBuffer<float> value) => _row.CopyTo(ref value));
                    continue;
                }
                var (method, type) = column.Type is VectorDataViewType v ? (nameof(KeepVector), v.ItemType.RawType) : (nameof(Keep), column.Type.RawType);
                _kept[column.Index] = (IKept)typeof(Cursor).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type).Invoke(null, new object[] { _rows, column })!;
            }
        }

        private static IKept Keep<T>(DataViewRowCursor rows, DataViewSchema.Column column) => new Kept<T>(rows.GetGetter<T>(column));
        private static IKept KeepVector<T>(DataViewRowCursor rows, DataViewSchema.Column column) => new KeptVector<T>(rows.GetGetter<VBuffer<T>>(column));

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (_failed is not null)
                throw new InvalidOperationException("This cursor failed earlier and cannot go on; make a new one.", _failed);
            if (_wanted.Length == 0)
            {
                if (!_rows.MoveNext()) return false;
                _position++;
                return true;
            }
            try
            {
                if (_position + 1 >= _batchStart + _batchCount && !ScoreNextBatch()) return false;
            }
            catch (Exception e)
            {
                // Rows of the failed batch were read from the source already: going on would misnumber the rest.
                _failed = e;
                throw;
            }
            _position++;
            return true;
        }

        private bool ScoreNextBatch()
        {
            var scorer = _view._scorer();
            int size = _view._state.InputSize;
            // One buffer per cursor: a fresh 1,024-row batch each time is a large-object allocation.
            var inputs = _inputs ??= new float[BatchRows * size];
            long start = _batchStart + _batchCount;
            int count = 0;
            while (count < BatchRows && _rows.MoveNext())
            {
                _input!(ref _row);
                DataReader.CopyRow(_row, inputs.AsSpan(count * size, size), _view._state.Options.InputColumnName, start + count);
                foreach (var kept in _kept.Values) kept.Read(count);
                count++;
            }
            if (count == 0) return false;
            _batch = scorer.Run(inputs, count, _wanted, _batch.Length == 0 ? null : _batch);
            (_batchStart, _batchCount) = (start, count);
            return true;
        }

        private int InBatch => (int)(_position - _batchStart);

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            if (column.Index < _sourceCount)
            {
                if (_wanted.Length == 0) return _rows.GetGetter<TValue>(_view._source.Schema[column.Index]);
                return _kept[column.Index] is Kept<TValue> kept ? (ref TValue value) => kept.Get(InBatch, ref value) : throw WrongType(column, typeof(TValue));
            }
            int c = column.Index - _sourceCount;
            return OutputGetter<TValue>(column, _view._state.Outputs[c], () => (_batch[c]!, InBatch));
        }

        /// <summary>Rows read ahead have moved the source's own ids on, so a row's id is its position (unique, as ids must be).</summary>
        public override ValueGetter<DataViewRowId> GetIdGetter()
            => _wanted.Length == 0 ? _rows.GetIdGetter() : (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _rows.Dispose();
            base.Dispose(disposing);
        }

        private interface IKept
        {
            void Read(int slot);
        }

        /// <summary>A source column's values for the rows of the current batch.</summary>
        private class Kept<T>(ValueGetter<T> getter) : IKept
        {
            protected readonly T[] Values = new T[BatchRows];

            public void Read(int slot) => getter(ref Values[slot]);

            public virtual void Get(int slot, ref T value) => value = Values[slot];
        }

        /// <summary>A vector column's values; each is copied out, since the caller may edit or reuse its buffer.</summary>
        private sealed class KeptVector<T>(ValueGetter<VBuffer<T>> getter) : Kept<VBuffer<T>>(getter)
        {
            public override void Get(int slot, ref VBuffer<T> value) => Values[slot].CopyTo(ref value);
        }
    }
}
