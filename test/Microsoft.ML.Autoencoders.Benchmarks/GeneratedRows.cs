using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.Benchmarks;

/// <summary>An IDataView whose rows are computed from their index as a cursor reaches them, so a benchmark of millions
/// of rows holds none. A subclass gives the schema and a <see cref="Row"/> that computes one row at a time.</summary>
public abstract class GeneratedRows(long rows, DataViewSchema schema) : IDataView
{
    public long Rows => rows;
    public bool CanShuffle => false;
    public DataViewSchema Schema => schema;
    public long? GetRowCount() => rows;

    /// <summary>A cursor's row: positions come in order from 0, so it may keep state between them.</summary>
    protected abstract class Row
    {
        public abstract void Compute(long position);

        /// <summary>The getter of the column at <paramref name="column"/>, reading the row last computed.</summary>
        public abstract Delegate Getter(int column);

        protected static ValueGetter<VBuffer<float>> VectorGetter(float[] values) => (ref VBuffer<float> value) =>
        {
            var editor = VBufferEditor.Create(ref value, values.Length);
            values.CopyTo(editor.Values);
            value = editor.Commit();
        };
    }

    protected abstract Row NewRow();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) => new Cursor(this, NewRow());

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) => new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor(GeneratedRows view, Row row) : DataViewRowCursor
    {
        private long _position = -1;

        public override DataViewSchema Schema => view.Schema;
        public override long Position => _position;
        public override long Batch => 0;
        public override bool IsColumnActive(DataViewSchema.Column column) => true;
        public override ValueGetter<DataViewRowId> GetIdGetter() => (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

        public override bool MoveNext()
        {
            if (++_position >= view.Rows) return false;
            row.Compute(_position);
            return true;
        }

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => (ValueGetter<TValue>)row.Getter(column.Index);
    }
}

/// <summary>The process's own memory (Linux: RssAnon of /proc/self/status, the working set less file pages such as
/// the disk cache's), now and its peak sampled every 100 ms while a sampler lives.</summary>
public sealed class AnonymousMemory : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public AnonymousMemory() => _sampling = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _peak, Math.Max(Interlocked.Read(ref _peak), Now()));
            await Task.Delay(100);
        }
    });

    /// <summary>The peak so far, in bytes.</summary>
    public long Peak => Math.Max(Interlocked.Read(ref _peak), Now());

    public static long Now()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("RssAnon:"));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.Wait();
        _stop.Dispose();
    }
}
