using Microsoft.ML.Data;
using Microsoft.ML.Autoencoders.MLNet;
using Microsoft.ML.Autoencoders.Onnx;

namespace Microsoft.ML.Autoencoders;

/// <summary>A fitted autoencoder. It scores through ONNX Runtime in batches of rows; <c>mlContext.Model.Save</c>
/// writes it as a chain of ML.NET's own transformers, which <c>mlContext.Model.Load</c> reads back in any process
/// (no TorchSharp, no reference to this library needed). <see cref="Load(MLContext, string)"/> gives back this typed
/// transformer with its options and training history.</summary>
public class AutoencoderTransformer : ITransformer, IDisposable
{
    // Each is made when first needed; Dispose releases those that were. One ONNX Runtime session per graph serves
    // Transform, the row-to-row mapper of PredictionEngines and the array API; only Save builds the saved chain.
    private readonly Lazy<ITransformer> _postProcessing;
    private readonly Lazy<OnnxScorer> _scorer;
    private readonly Lazy<OnnxScorer> _decoder;
    private volatile bool _disposed;

    // The model and each row-to-row mapper it hands out (one per PredictionEngine) share its sessions: ML.NET's
    // PredictionEngine disposes the model it was given when the engine is disposed (PredictionEngineOptions.
    // OwnsTransformer, true by default, and PredictionEnginePool disposes engines as it trims), so one engine's
    // Dispose must not stop the others. The sessions go when the model and every such engine have disposed it.
    private readonly object _gate = new();
    private int _owners = 1;

    private readonly TransformsCatalog _catalog;

    internal AutoencoderTransformer(TransformsCatalog catalog, ModelState state)
    {
        State = state;
        _catalog = catalog;
        _postProcessing = new(() => FirstPartyChain.PostProcessing(catalog, state));
        _scorer = new(() => new OnnxScorer(state));
        _decoder = new(() => OnnxScorer.Decoder(state, DecoderInputSize));
    }

    internal ModelState State { get; }

    /// <summary>The scorer of the main graph; throws once the model is disposed.</summary>
    private OnnxScorer Scorer => Live(_scorer);

    /// <summary>The value, made if needed; throws once the model is disposed, also when Dispose ran while it was made.</summary>
    private T Live<T>(Lazy<T> value)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var made = value.Value;
        if (_disposed)
        {
            (made as IDisposable)?.Dispose();
            throw new ObjectDisposedException(GetType().Name);
        }
        return made;
    }

    /// <summary>The latent width of the decoder graph of variants that generate.</summary>
    private protected virtual int DecoderInputSize => throw new InvalidOperationException("This model keeps no decoder.");

    /// <summary>Decodes <paramref name="count"/> latent vectors through the model's decoder graph.</summary>
    private protected float[] RunDecoder(float[] latent, int count) => Live(_decoder).RunSingle(latent, count, 0);

    /// <summary>The options the model was trained with (a copy; progress, cancellation and validation data are not kept).</summary>
    public AutoencoderOptions Options
    {
        get => State.Options.Clone();
    }

    /// <summary>One entry per training epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> TrainingHistory => State.History;

    /// <summary>The epoch whose weights the model holds: the best one when early stopping is on, else the last.</summary>
    public int BestEpoch => State.BestEpoch;

    /// <summary>The validation loss of the weights the model holds (recomputed after restoring the best epoch); null
    /// when <see cref="AutoencoderOptions.ValidationFraction"/> was 0.</summary>
    public double? FinalValidationLoss => State.FinalValidationLoss;

    /// <summary>An anomaly detector's threshold on the reconstruction error: <c>PredictedLabel</c> is true for rows whose
    /// score is above it. Null for a model that is not a detector.</summary>
    public float? AnomalyThreshold => State.AnomalyThreshold;

    /// <summary>This model as an anomaly detector with another threshold (a new transformer; this one is unchanged), as
    /// <c>mlContext.BinaryClassification.ChangeModelThreshold</c> does for a classifier. The model needs a reconstruction
    /// error column; a detector's is <c>Score</c>. Saved, the threshold loads with the model.</summary>
    public AutoencoderTransformer WithAnomalyThreshold(float threshold) => WithAnomalyThreshold(threshold, dropsCode: null);

    /// <summary>The same, with the code column dropped from (or kept in) the output when <paramref name="dropsCode"/> is given.</summary>
    internal AutoencoderTransformer WithAnomalyThreshold(float threshold, bool? dropsCode)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Check.Option(float.IsFinite(threshold), nameof(threshold), threshold, "a finite number");
        if (State.Options.ReconstructionErrorColumnName is null)
            throw new InvalidOperationException("This model has no reconstruction error column to threshold; fit it with ReconstructionErrorColumnName set, or with mlContext.AnomalyDetection.Trainers.Autoencoder.");
        return State.Options.Clone().CreateVariant().CreateTransformer(_catalog, State.WithAnomalyThreshold(threshold, dropsCode));
    }

    /// <summary>Length of the input vectors.</summary>
    public int InputSize => State.InputSize;

    /// <summary>Length of the code vectors.</summary>
    public int CodeSize => State.Outputs[0].Width;

    /// <summary>Writes the model as a standalone ONNX file: one input named after the input column, shape
    /// [batch, <see cref="InputSize"/>], and one output per output column.</summary>
    public void ExportOnnx(Stream stream)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        stream.Write(State.Onnx);
    }

    /// <summary>The encoder's Jacobian dz/dx at <paramref name="point"/>: <see cref="CodeSize"/> rows of
    /// <see cref="InputSize"/> values, by central differences through the exported graph (so it needs no torch and
    /// works the same after reload).</summary>
    public double[][] EncoderJacobian(float[] point)
    {
        CheckRow(point, nameof(point));
        int d = InputSize;
        if (d > 8192)
            throw new NotSupportedException($"EncoderJacobian takes 2 x {d} forward passes of {d} values; it supports inputs of up to 8192 values.");
        var rows = new float[2 * d * d];
        var steps = new double[d];
        for (int i = 0; i < d; i++)
        {
            point.CopyTo(rows, 2 * i * d);
            point.CopyTo(rows, (2 * i + 1) * d);
            // A step relative to the value (float32 would round a fixed small step away on large values); the
            // difference actually taken is what was representable.
            float h = 1e-3f * Math.Max(1f, Math.Abs(point[i]));
            rows[2 * i * d + i] += h;
            rows[(2 * i + 1) * d + i] -= h;
            steps[i] = (double)rows[2 * i * d + i] - rows[(2 * i + 1) * d + i];
        }
        var codes = Score(rows, 2 * d, 0);
        int k = CodeSize;
        var jacobian = new double[k][];
        for (int j = 0; j < k; j++)
        {
            jacobian[j] = new double[d];
            for (int i = 0; i < d; i++)
                jacobian[j][i] = ((double)codes[2 * i * k + j] - codes[(2 * i + 1) * k + j]) / steps[i];
        }
        return jacobian;
    }

    /// <summary>Throws unless <paramref name="row"/> has <see cref="InputSize"/> finite values.</summary>
    internal void CheckRow(float[] row, string parameter)
    {
        ArgumentNullException.ThrowIfNull(row, parameter);
        if (row.Length != InputSize)
            throw new ArgumentException($"The row has {row.Length} values; the model takes {InputSize}.", parameter);
        if (DataReader.FirstOutside(row, unitInterval: false) is int i and >= 0)
            throw new ArgumentException($"The row's value {i} is {row[i]}; expected finite values.", parameter);
    }

    /// <summary>The float output <paramref name="output"/> for <paramref name="count"/> rows.</summary>
    internal float[] Score(float[] rows, int count, int output)
    {
        var result = new float[count * State.Outputs[output].Width];
        ScoreInto(rows.AsSpan(0, count * InputSize), output, result);
        return result;
    }

    /// <summary>Scores rows into <paramref name="destination"/>, a chunk of about 4 MB of input per ONNX Runtime call,
    /// each chunk checked for non-finite values just before: ONNX Runtime then reads it from the cache, not memory.</summary>
    private void ScoreInto(ReadOnlySpan<float> rows, int output, Span<float> destination)
    {
        int width = State.Outputs[output].Width, count = rows.Length / InputSize;
        int chunk = Math.Clamp((1 << 20) / InputSize, 16, 4096);
        for (int start = 0; start < count; start += chunk)
        {
            int n = Math.Min(chunk, count - start);
            var input = rows.Slice(start * InputSize, n * InputSize);
            if (DataReader.FirstOutside(input, unitInterval: false) is int bad and >= 0)
                throw new ArgumentException($"Row {start + bad / InputSize}, feature {bad % InputSize} is {input[bad]}; expected finite values.", nameof(rows));
            Scorer.RunInto(input, n, output, destination.Slice(start * width, n * width));
        }
    }

    /// <summary>The codes of rows given as one row-major array of <see cref="InputSize"/> values a row, written into
    /// <paramref name="codes"/> (<see cref="CodeSize"/> values a row), without an <see cref="IDataView"/>: the fastest way
    /// to score data already in memory. Rows are checked as at <c>Transform</c>: a non-finite value throws
    /// <see cref="ArgumentException"/> naming its row and feature (codes of earlier rows may already be written).</summary>
    public void Encode(ReadOnlySpan<float> rows, Span<float> codes) => Into(rows, codes, 0, nameof(codes));

    /// <summary>The reconstructions of rows, like <see cref="Encode"/>; needs a model fitted with
    /// <see cref="AutoencoderOptions.ReconstructionColumnName"/> set.</summary>
    public void Reconstruct(ReadOnlySpan<float> rows, Span<float> reconstructions)
    {
        int output = State.Outputs.ToList().FindIndex(o => o.Name == State.Options.ReconstructionColumnName);
        if (output < 0)
            throw new InvalidOperationException("This model has no reconstruction output; set ReconstructionColumnName when fitting it.");
        Into(rows, reconstructions, output, nameof(reconstructions));
    }

    private void Into(ReadOnlySpan<float> rows, Span<float> destination, int output, string parameter)
    {
        int width = State.Outputs[output].Width;
        if (rows.Length % InputSize != 0)
            throw new ArgumentException($"{nameof(rows)} has {rows.Length} values, not a whole number of rows of {InputSize}.", nameof(rows));
        if (destination.Length != rows.Length / InputSize * width)
            throw new ArgumentException($"{parameter} has {destination.Length} values; {rows.Length / InputSize} rows need {rows.Length / InputSize * width}.", parameter);
        ScoreInto(rows, output, destination);
    }

    /// <summary>Reads a model saved with <c>mlContext.Model.Save</c> back as the typed transformer of its variant.</summary>
    /// <exception cref="InvalidDataException">The file is not such a model, holds several (see the overload naming
    /// one), is of another format version, or its options or outputs fail validation.</exception>
    public static AutoencoderTransformer Load(MLContext mlContext, string path) => Load<AutoencoderTransformer>(mlContext, path);

    /// <summary>Reads a model saved with <c>mlContext.Model.Save</c> back as the typed transformer of its variant.</summary>
    /// <inheritdoc cref="Load(MLContext, string)" path="/exception"/>
    public static AutoencoderTransformer Load(MLContext mlContext, Stream stream) => Load<AutoencoderTransformer>(mlContext, stream);

    /// <summary>Reads the autoencoder whose output column is <paramref name="outputColumnName"/> (e.g. of a pipeline
    /// with several) from a file written by <c>mlContext.Model.Save</c>, as <typeparamref name="TTransformer"/>.</summary>
    /// <exception cref="InvalidDataException">As <see cref="Load(MLContext, string)"/>, and when the file's autoencoder
    /// is not a <typeparamref name="TTransformer"/>.</exception>
    public static TTransformer Load<TTransformer>(MLContext mlContext, string path, string? outputColumnName = null) where TTransformer : AutoencoderTransformer
    {
        using var file = File.OpenRead(path);
        return Load<TTransformer>(mlContext, file, outputColumnName);
    }

    /// <inheritdoc cref="Load{TTransformer}(MLContext, string, string?)"/>
    public static TTransformer Load<TTransformer>(MLContext mlContext, Stream stream, string? outputColumnName = null) where TTransformer : AutoencoderTransformer
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        var state = FirstPartyChain.ReadState(stream, outputColumnName);
        var transformer = Checked(state).CreateTransformer(mlContext.Transforms, state);
        if (transformer is TTransformer typed) return typed;
        transformer.Dispose();
        throw new InvalidDataException($"The saved model is a {transformer.GetType().Name}, not a {typeof(TTransformer).Name}.");
    }

    /// <summary>Checks a file written by <c>mlContext.Model.Save</c> without loading anything of it into ONNX Runtime:
    /// the chain's steps and entries agree, every ONNX step is an autoencoder of this library whose options, outputs and
    /// graphs pass the checks of <see cref="Load(MLContext, string)"/> (only operators this library writes, nothing
    /// sized by the data). Call it before ML.NET's <c>mlContext.Model.Load</c> of a file from elsewhere, which checks
    /// none of this (docs/conventions.md#loading-files-from-elsewhere). ML.NET's own steps in the chain are read by
    /// ML.NET's loaders and are not checked here.</summary>
    /// <exception cref="InvalidDataException">What is wrong with the file.</exception>
    public static void Validate(string path)
    {
        using var file = File.OpenRead(path);
        Validate(file);
    }

    /// <inheritdoc cref="Validate(string)"/>
    public static void Validate(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var state in FirstPartyChain.ReadEveryState(stream)) Checked(state);
    }

    /// <summary>The variant of a state read from a file, after checking the state against what its options declare.</summary>
    private static AutoencoderVariant Checked(ModelState state)
    {
        var variant = state.Options.CreateVariant();
        try
        {
            variant.Validate();
            variant.CheckInputSize(state.InputSize, state.Options.InputColumnName);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"The saved model's options are invalid: {e.Message}", e);
        }
        var expected = variant.OutputColumns(state.InputSize, state.Arrays);
        if (!expected.SequenceEqual(state.Outputs))
            throw new InvalidDataException($"The saved model's output columns ({Describe(state.Outputs)}) are not those its options declare ({Describe(expected)}).");
        if (variant.DecoderInputSize is not null && !state.Graphs.ContainsKey(ModelState.DecoderGraph))
            throw new InvalidDataException($"The saved model is a {state.Options.GetType().Name} but holds no decoder graph.");
        return variant;
    }

    private static string Describe(IEnumerable<OutputColumn> columns) => string.Join(", ", columns.Select(c => $"{c.Name} [{c.Width}]"));

    /// <inheritdoc/>
    public bool IsRowToRowMapper => true;

    /// <inheritdoc/>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        DataReader.CheckSize(inputSchema, State.Options.InputColumnName, InputSize);
        return Live(_postProcessing).GetOutputSchema(ScoredDataView.SchemaOf(inputSchema, State));
    }

    /// <inheritdoc/>
    /// <remarks>Each mapper shares the model's sessions (see <see cref="Dispose"/>).</remarks>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        DataReader.CheckSize(inputSchema, State.Options.InputColumnName, InputSize);
        var mapper = new ScoringMapper(inputSchema, State, () => Scorer, Live(_postProcessing));
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _owners++;
        }
        return mapper;
    }

    /// <summary>Appends the output columns; rows are scored lazily, many per ONNX Runtime call.</summary>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        DataReader.CheckSize(input.Schema, State.Options.InputColumnName, InputSize);
        ThrowIfConvertingToOnnx();
        // The batched scorer stands in for the chain's ONNX transformer; the first-party post-processing follows as saved.
        return Live(_postProcessing).Transform(new ScoredDataView(input, State, () => Scorer));
    }

    /// <summary>ML.NET's <c>ConvertToOnnx</c> exports only its own steps: it walks the transformed view back to the first
    /// step it does not know, ours, and silently writes a graph whose inputs are our outputs. It passes nothing that tells
    /// its call apart, so its frame on the stack is the sign (a stack walk, once per Transform call, not per row).</summary>
    private static void ThrowIfConvertingToOnnx()
    {
        if (new System.Diagnostics.StackTrace().GetFrames().Any(f => f.GetMethod()?.DeclaringType?.FullName == "Microsoft.ML.OnnxExportExtensions"))
            throw new NotSupportedException("mlContext.Model.ConvertToOnnx cannot convert an autoencoder: its network is not an ML.NET step. " +
                "Write the network's graph with AutoencoderTransformer.ExportOnnx(stream) (input [batch, InputSize], one output per column), or save the pipeline with mlContext.Model.Save.");
    }

    /// <summary>Saves the first-party chain, so the file loads without this library.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        // The chain is made for saving only and released at once: the model keeps no second session nor graph file.
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var saved = FirstPartyChain.Fit(_catalog, State);
        saved.Chain.Save(ctx);
    }

    /// <summary>Releases the model's ONNX Runtime sessions once the model and every PredictionEngine made from it have
    /// been disposed: ML.NET's PredictionEngine disposes the model it was given when the engine is disposed, so one
    /// engine's Dispose leaves the model scoring for the others, for <c>Transform</c> and for <see cref="Encode"/>.
    /// Scoring that is under way at the last Dispose finishes its batch; later use throws
    /// <see cref="ObjectDisposedException"/>. An engine made with <c>OwnsTransformer = false</c> never disposes the
    /// model, so its share is released by the garbage collector (docs/conventions.md#feedback-cancellation-and-lifetime).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed || --_owners > 0) return;
            _disposed = true;
        }
        if (_scorer.IsValueCreated) _scorer.Value.Dispose();
        if (_decoder.IsValueCreated) _decoder.Value.Dispose();
        GC.SuppressFinalize(this);
    }
}
