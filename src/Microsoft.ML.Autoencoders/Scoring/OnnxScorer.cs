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
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        _session = new InferenceSession(state.Onnx, options);
        _inputName = state.Options.InputColumnName;
        _inputSize = state.InputSize;
        _outputNames = state.Outputs.Select(o => OnnxNames.Of(o.Name, _inputName)).ToArray();
        _outputSizes = state.Outputs.Select(o => Math.Max(1, o.Size)).ToArray();
    }

    /// <summary>One array per output column, <paramref name="rows"/> × the column's size, row-major.</summary>
    public float[][] Run(float[] input, int rows)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, new long[] { rows, _inputSize });
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, new[] { _inputName }, new[] { value }, _outputNames);
        var outputs = new float[_outputNames.Length][];
        for (int c = 0; c < outputs.Length; c++)
        {
            var span = results[c].GetTensorDataAsSpan<float>();
            if (span.Length != rows * _outputSizes[c])
                throw new InvalidOperationException($"ONNX output '{_outputNames[c]}' has {span.Length} values for {rows} rows; expected {_outputSizes[c]} a row.");
            outputs[c] = span.ToArray();
        }
        return outputs;
    }

    public void Dispose() => _session.Dispose();
}
