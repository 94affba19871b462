using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>Runs an ONNX graph on many rows per ONNX Runtime call (ML.NET's ONNX transformer makes one call a row);
/// safe to dispose while other threads run it (<see cref="Shared{T}"/>).</summary>
internal sealed class OnnxScorer : IDisposable
{
    private readonly Shared<InferenceSession> _session;
    private readonly string _inputName;
    private readonly int _inputSize;
    private readonly string[] _outputNames;
    private readonly OutputColumn[] _outputs;

    /// <summary>A scorer of a graph with one float input [batch, inputSize] and the given outputs, named in the graph by <paramref name="graphNames"/>.</summary>
    public OnnxScorer(byte[] model, string inputName, int inputSize, IReadOnlyList<OutputColumn> outputs, IReadOnlyList<string> graphNames)
    {
        _session = new Shared<InferenceSession>(new InferenceSession(model));
        _inputName = inputName;
        _inputSize = inputSize;
        _outputs = outputs.ToArray();
        _outputNames = graphNames.ToArray();
    }

    /// <summary>The input and output names of a decoder graph (<see cref="ModelState.DecoderGraph"/>).</summary>
    public const string DecoderInput = "latent", DecoderOutput = "decoded";

    /// <summary>The scorer of a fitted model's decoder graph, which takes latent vectors of <paramref name="latentSize"/>.</summary>
    public static OnnxScorer Decoder(ModelState state, int latentSize)
        => new(state.Graphs[ModelState.DecoderGraph], DecoderInput, latentSize, new[] { OutputColumn.Vector(DecoderOutput, state.InputSize) }, new[] { DecoderOutput });

    /// <summary>The scorer of a fitted model's main graph.</summary>
    public OnnxScorer(ModelState state)
        : this(state.Onnx, state.Options.InputColumnName, state.InputSize, state.Outputs, state.GraphNames) { }

    /// <summary>One array per output (float[] or ulong[]), <paramref name="rows"/> × the output's width, row-major; only
    /// the outputs in <paramref name="wanted"/> (all when null) are computed, the others are null.</summary>
    /// <param name="input">At least <paramref name="rows"/> × the input size values; only those are read.</param>
    /// <param name="rows">Rows to score.</param>
    /// <param name="wanted">Output indices to compute; null: all.</param>
    /// <param name="reuse">Arrays of a previous call to write into when large enough: a batch's outputs are large-object
    /// allocations otherwise, and in a large process each one can cost a full garbage collection.</param>
    public Array?[] Run(Memory<float> input, int rows, IReadOnlyList<int>? wanted = null, Array?[]? reuse = null)
    {
        wanted ??= Enumerable.Range(0, _outputNames.Length).ToArray();
        using var session = _session.Acquire();
        using var value = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, input[..(rows * _inputSize)], new long[] { rows, _inputSize });
        using var runOptions = new RunOptions();
        // ONNX Runtime computes only what the requested outputs need (e.g. no decoder for the code alone).
        using var results = session.Value.Run(runOptions, new[] { _inputName }, new[] { value }, wanted.Select(c => _outputNames[c]).ToArray());
        var outputs = new Array?[_outputNames.Length];
        for (int r = 0; r < wanted.Count; r++)
        {
            int c = wanted[r];
            outputs[c] = _outputs[c].Type == OutputType.UInt64 ? Copy(results[r], rows, c, reuse?[c] as ulong[]) : Copy(results[r], rows, c, reuse?[c] as float[]);
        }
        return outputs;
    }

    /// <summary>The float output <paramref name="output"/> alone.</summary>
    public float[] RunSingle(ReadOnlySpan<float> input, int rows, int output)
    {
        var result = new float[rows * _outputs[output].Width];
        RunInto(input, rows, output, result);
        return result;
    }

    /// <summary>Writes the float output <paramref name="output"/> of <paramref name="rows"/> rows straight into
    /// <paramref name="destination"/>: ONNX Runtime reads the caller's input and writes the caller's output, no copy.</summary>
    public unsafe void RunInto(ReadOnlySpan<float> input, int rows, int output, Span<float> destination)
    {
        var column = _outputs[output];
        using var session = _session.Acquire();
        fixed (float* x = input)
        fixed (float* y = destination)
        {
            using var value = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, new long[] { rows, _inputSize }, (IntPtr)x, (long)rows * _inputSize * sizeof(float));
            using var result = OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, TensorElementType.Float, column.Dims.Prepend(rows).ToArray(), (IntPtr)y, (long)rows * column.Width * sizeof(float));
            using var runOptions = new RunOptions();
            session.Value.Run(runOptions, new[] { _inputName }, new[] { value }, new[] { _outputNames[output] }, new[] { result });
        }
    }

    private T[] Copy<T>(OrtValue value, int rows, int c, T[]? reuse) where T : unmanaged
    {
        var span = value.GetTensorDataAsSpan<T>();
        if (span.Length != rows * _outputs[c].Width)
            throw new InvalidOperationException($"ONNX output '{_outputNames[c]}' has {span.Length} values for {rows} rows; expected {_outputs[c].Width} a row.");
        if (reuse is null || reuse.Length < span.Length) return span.ToArray();
        span.CopyTo(reuse);
        return reuse;
    }

    public void Dispose() => _session.Dispose();
}
