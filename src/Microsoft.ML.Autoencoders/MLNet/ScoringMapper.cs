using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The row-to-row mapper of a fitted model (what a PredictionEngine scores with): one row per ONNX Runtime
/// call through the model's own scorer, then the saved chain's post-processing steps. It needs no second session nor
/// the saved chain's graph file, and after Dispose its calls throw <see cref="ObjectDisposedException"/>.</summary>
internal sealed class ScoringMapper : IRowToRowMapper
{
    private readonly ModelState _state;
    private readonly Func<OnnxScorer> _scorer;
    private readonly IRowToRowMapper _post;
    private readonly DataViewSchema _scored;

    public ScoringMapper(DataViewSchema input, ModelState state, Func<OnnxScorer> scorer, ITransformer postProcessing)
    {
        (InputSchema, _state, _scorer) = (input, state, scorer);
        _scored = ScoredDataView.SchemaOf(input, state);
        _post = postProcessing.GetRowToRowMapper(_scored);
    }

    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema => _post.OutputSchema;

    /// <summary>The input columns the outputs need: those passed through, and the input column for any model output.</summary>
    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = _post.GetDependencies(dependingColumns).ToList();
        var input = needed.Where(c => c.Index < InputSchema.Count).Select(c => InputSchema[c.Index]).ToList();
        if (needed.Any(c => c.Index >= InputSchema.Count)) input.Add(InputSchema[_state.Options.InputColumnName]);
        return input.DistinctBy(c => c.Index);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns)
    {
        var active = activeColumns.ToList();
        var needed = _post.GetDependencies(active).ToList();
        return _post.GetRow(new ScoredRow(this, input, needed.Where(c => c.Index >= InputSchema.Count).Select(c => c.Index - InputSchema.Count).ToArray()), active);
    }

    /// <summary>The input row with the model's outputs appended, scored when a row's first output is read.</summary>
    private sealed class ScoredRow(ScoringMapper mapper, DataViewRow input, int[] wanted) : DataViewRow
    {
        private readonly float[] _features = new float[mapper._state.InputSize];
        private VBuffer<float> _row;
        private Array?[] _outputs = Array.Empty<Array>();
        private long _scoredPosition;
        private bool _scored;

        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override DataViewSchema Schema => mapper._scored;
        public override bool IsColumnActive(DataViewSchema.Column column) => column.Index < mapper.InputSchema.Count ? input.IsColumnActive(mapper.InputSchema[column.Index]) : wanted.Contains(column.Index - mapper.InputSchema.Count);
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            int inputs = mapper.InputSchema.Count;
            if (column.Index < inputs) return input.GetGetter<TValue>(mapper.InputSchema[column.Index]);
            int c = column.Index - inputs;
            if (!wanted.Contains(c))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the row was made.");
            var read = input.GetGetter<VBuffer<float>>(mapper.InputSchema[mapper._state.Options.InputColumnName]);
            return ScoredDataView.OutputGetter<TValue>(column, mapper._state.Outputs[c], () =>
            {
                if (!_scored || _scoredPosition != input.Position)
                {
                    read(ref _row);
                    DataReader.CopyRow(_row, _features, mapper._state.Options.InputColumnName, input.Position);
                    _outputs = mapper._scorer().Run(_features, 1, wanted, _outputs.Length == 0 ? null : _outputs);
                    (_scoredPosition, _scored) = (input.Position, true);
                }
                return (_outputs[c]!, 0);
            });
        }
    }
}
