using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The source rows with the model's output columns appended, scored lazily in batches of rows.
/// A second cursor over the input column runs ahead of the row cursor and fills each batch; both see the rows in the
/// same order, so row i of the one is row i of the other.</summary>
internal sealed class ScoredDataView : IDataView
{
    private const int BatchRows = 1024;
    private readonly IDataView _source;
    private readonly ModelState _state;
    private readonly OnnxScorer _scorer;

    /// <param name="source">The input rows.</param>
    /// <param name="state">The fitted model.</param>
    /// <param name="scorer">Runs the model's graph.</param>
    public ScoredDataView(IDataView source, ModelState state, OnnxScorer scorer)
    {
        _source = source;
        _state = state;
        _scorer = scorer;
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(source.Schema);
        // The graph's outputs as ML.NET's ONNX transformer gives them, so the saved chain's steps apply after.
        foreach (var (column, name) in state.Outputs.Zip(state.GraphNames))
            builder.AddColumn(name, ColumnTypes.InGraph(column));
        Schema = builder.ToSchema();
    }

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
        private readonly DataViewRowCursor? _feeder;
        private readonly ValueGetter<VBuffer<float>>? _feed;
        private readonly int _sourceCount;
        private readonly int[] _wanted;
        private float[]? _input;
        private Array?[] _batch = Array.Empty<Array>();
        private long _batchStart;
        private int _batchCount;
        private long _position = -1;

        public Cursor(ScoredDataView view, HashSet<int> active)
        {
            _view = view;
            _active = active;
            _sourceCount = view._source.Schema.Count;
            _rows = view._source.GetRowCursor(view._source.Schema.Where(c => active.Contains(c.Index)));
            _wanted = active.Where(i => i >= _sourceCount).Select(i => i - _sourceCount).Order().ToArray();
            if (_wanted.Length > 0)
            {
                var input = view._source.Schema[view._state.Options.InputColumnName];
                _feeder = view._source.GetRowCursor(new[] { input });
                _feed = _feeder.GetGetter<VBuffer<float>>(input);
            }
        }

        public override DataViewSchema Schema => _view.Schema;
        public override long Position => _position;
        public override long Batch => 0;

        public override bool MoveNext()
        {
            if (!_rows.MoveNext()) return false;
            _position++;
            if (_feeder is not null && _position >= _batchStart + _batchCount) ScoreNextBatch();
            return true;
        }

        private void ScoreNextBatch()
        {
            int size = _view._state.InputSize;
            // One buffer per cursor: a fresh 1,024-row batch each time is a large-object allocation.
            var input = _input ??= new float[BatchRows * size];
            var row = default(VBuffer<float>);
            int count = 0;
            while (count < BatchRows && _feeder!.MoveNext())
            {
                _feed!(ref row);
                row.CopyTo(input.AsSpan(count * size, size));
                count++;
            }
            if (count == 0)
                throw new InvalidOperationException("The input data returned fewer rows to the scoring cursor than to the row cursor; it must give the same rows in the same order on every cursor.");
            _batchStart = _position;
            _batchCount = count;
            _batch = _view._scorer.Run(input, count, _wanted, _batch.Length == 0 ? null : _batch);
        }

        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            if (column.Index < _sourceCount) return _rows.GetGetter<TValue>(_view._source.Schema[column.Index]);
            int c = column.Index - _sourceCount;
            var getter = _view._state.Outputs[c].Type == OutputType.UInt64 ? (Delegate)OutputGetter<ulong>(column, c) : OutputGetter<float>(column, c);
            return getter as ValueGetter<TValue> ?? throw WrongType(column, typeof(TValue));
        }

        private Delegate OutputGetter<T>(DataViewSchema.Column column, int c)
        {
            int width = _view._state.Outputs[c].Width;
            if (column.Type is not VectorDataViewType)
                return (ValueGetter<T>)((ref T value) => value = ((T[])_batch[c]!)[_position - _batchStart]);
            return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> value) =>
            {
                var editor = VBufferEditor.Create(ref value, width);
                ((T[])_batch[c]!).AsSpan((int)(_position - _batchStart) * width, width).CopyTo(editor.Values);
                value = editor.Commit();
            });
        }

        private static InvalidOperationException WrongType(DataViewSchema.Column column, Type requested)
            => new($"Column '{column.Name}' is of type {column.Type}; a getter of {requested.Name} was requested.");

        public override ValueGetter<DataViewRowId> GetIdGetter() => _rows.GetIdGetter();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _rows.Dispose();
                _feeder?.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
