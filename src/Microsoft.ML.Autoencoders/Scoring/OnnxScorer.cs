using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Microsoft.ML.Autoencoders;

/// <summary>Runs a fitted model's graph on many rows per ONNX Runtime call (ML.NET's ONNX transformer makes one call a row).</summary>
internal sealed class OnnxScorer : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string[] _outputNames;
    private readonly int[] _outputSizes;
    private readonly int _inputSize;

    public OnnxScorer(ModelState state)
    {
        _session = new InferenceSession(state.Onnx);
        _inputName = state.Options.InputColumnName;
        _inputSize = state.InputSize;
        _outputNames = state.Outputs.Select(o => OnnxNames.Of(o.Name, _inputName)).ToArray();
        _outputSizes = state.Outputs.Select(o => Math.Max(1, o.Size)).ToArray();
    }

    /// <summary>One array per output column, <paramref name="rows"/> × the column's size, row-major; only the
    /// columns in <paramref name="wanted"/> (all when null) are computed, the others are null.</summary>
    public float[]?[] Run(float[] input, int rows, IReadOnlyList<int>? wanted = null)
    {
        wanted ??= Enumerable.Range(0, _outputNames.Length).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, new long[] { rows, _inputSize });
        using var runOptions = new RunOptions();
        // ONNX Runtime computes only what the requested outputs need (e.g. no decoder for the code alone).
        using var results = _session.Run(runOptions, new[] { _inputName }, new[] { value }, wanted.Select(c => _outputNames[c]).ToArray());
        var outputs = new float[]?[_outputNames.Length];
        for (int r = 0; r < wanted.Count; r++)
        {
            int c = wanted[r];
            var span = results[r].GetTensorDataAsSpan<float>();
            if (span.Length != rows * _outputSizes[c])
                throw new InvalidOperationException($"ONNX output '{_outputNames[c]}' has {span.Length} values for {rows} rows; expected {_outputSizes[c]} a row.");
            outputs[c] = span.ToArray();
        }
        return outputs;
    }

    public void Dispose() => _session.Dispose();
}
