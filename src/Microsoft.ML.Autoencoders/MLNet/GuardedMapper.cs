using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The saved chain's row-to-row mapper (what a PredictionEngine scores with), holding the chain for each
/// value it computes, so a model disposed while requests run (PredictionEnginePool's hot reload) fails them with
/// <see cref="ObjectDisposedException"/> instead of using a released ONNX Runtime session.</summary>
internal sealed class GuardedMapper(IRowToRowMapper mapper, Shared<FirstPartyChain.Saved> chain) : IRowToRowMapper
{
    public DataViewSchema InputSchema => mapper.InputSchema;
    public DataViewSchema OutputSchema => mapper.OutputSchema;

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) => mapper.GetDependencies(dependingColumns);

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        using var lease = chain.Acquire();
        return new Row(mapper.GetRow(input, activeColumns), chain);
    }

    private sealed class Row(DataViewRow row, Shared<FirstPartyChain.Saved> chain) : DataViewRow
    {
        public override long Position => row.Position;
        public override long Batch => row.Batch;
        public override DataViewSchema Schema => row.Schema;
        public override bool IsColumnActive(DataViewSchema.Column column) => row.IsColumnActive(column);
        public override ValueGetter<DataViewRowId> GetIdGetter() => row.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            var getter = row.GetGetter<TValue>(column);
            return (ref TValue value) =>
            {
                using var lease = chain.Acquire();
                getter(ref value);
            };
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) row.Dispose();
            base.Dispose(disposing);
        }
    }
}
