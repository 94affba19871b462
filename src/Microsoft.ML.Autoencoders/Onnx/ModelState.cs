using Google.Protobuf;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.ML.Autoencoders.Onnx.Proto;

namespace Microsoft.ML.Autoencoders.Onnx;

/// <summary>Everything a fitted model is: the ONNX graph, plus what the typed transformer exposes (options, history,
/// learned arrays, auxiliary graphs). The latter travels inside the graph's metadata, so one ONNX file is the whole
/// model (docs/conventions.md#saved-model-format). Learned arrays live here only: the outputs read them from here after
/// Fit and after Load alike.</summary>
internal sealed record ModelState
{
    /// <summary>The version of the state's layout that Fit writes.</summary>
    public const int FormatVersion = 2;

    /// <summary>The oldest version Load still reads (ML.NET's verWeCanReadBack): a new format raises
    /// <see cref="FormatVersion"/> and reads the older ones, whose fixtures the tests keep (docs/conventions.md#saved-model-format).</summary>
    public const int OldestReadableVersion = 2;

    /// <summary>The name of the decoder graph of variants that generate.</summary>
    public const string DecoderGraph = "decoder";

    private const string MetadataKey = "microsoft.ml.autoencoders.state";
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public required AutoencoderOptions Options { get; init; }
    public required int InputSize { get; init; }
    public required IReadOnlyList<OutputColumn> Outputs { get; init; }
    public required IReadOnlyList<EpochMetrics> History { get; init; }

    /// <summary>The 1-based epoch whose weights the model holds (the best one when early stopping is on).</summary>
    public required int BestEpoch { get; init; }

    /// <summary>The validation loss of the weights the model holds; null without a validation split.</summary>
    public double? FinalValidationLoss { get; init; }

    /// <summary>The anomaly detector's threshold on the reconstruction error (rows above it are anomalies); null for a
    /// model that is not a detector.</summary>
    public float? AnomalyThreshold { get; init; }

    /// <summary>Whether the code column is left out of the ML.NET columns (an anomaly detector's, unless asked for, as
    /// ML.NET's detectors add only Score and PredictedLabel); the graph still computes it, for <c>Encode</c>.</summary>
    public bool DropsCode { get; init; }

    /// <summary>Variant-specific learned arrays (e.g. archetypes), by name.</summary>
    public Dictionary<string, float[]> Arrays { get; init; } = new();

    /// <summary>The key values of key output columns whose keys stand for names (a classifier's predicted label takes
    /// the label's), by column: key k is names[k - 1]. Other key columns' values are their ids.</summary>
    public Dictionary<string, string[]> KeyNames { get; init; } = new();

    /// <summary>Auxiliary ONNX graphs (e.g. a decoder), by name; stored in the main graph's metadata.</summary>
    public Dictionary<string, byte[]> Graphs { get; init; } = new();

    /// <summary>The graph's output names, one per output column.</summary>
    public string[] GraphNames => Outputs.Select(o => OnnxNames.Of(o, Options.InputColumnName)).ToArray();

    /// <summary>The serialised ONNX model, metadata included; set by <see cref="WithGraph"/>.</summary>
    public byte[] Onnx { get; private set; } = Array.Empty<byte>();

    /// <summary>Serialises the graph with this state in its metadata.</summary>
    public ModelState WithGraph(OnnxGraph graph)
    {
        Onnx = graph.ToModel(new Dictionary<string, string> { [MetadataKey] = Serialised() });
        return this;
    }

    /// <summary>This state with another anomaly threshold (and, when given, the code column dropped or kept), its
    /// graph's metadata rewritten to say so.</summary>
    public ModelState WithAnomalyThreshold(float threshold, bool? dropsCode = null)
    {
        var changed = this with { AnomalyThreshold = threshold, DropsCode = dropsCode ?? DropsCode };
        var model = ModelProto.Parser.ParseFrom(Onnx);
        model.MetadataProps.Single(p => p.Key == MetadataKey).Value = changed.Serialised();
        changed.Onnx = model.ToByteArray();
        return changed;
    }

    private string Serialised()
    {
        var state = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["optionsType"] = Options.GetType().FullName,
            ["options"] = JsonSerializer.SerializeToNode(Options, Options.GetType(), Json),
            ["inputSize"] = InputSize,
            ["outputs"] = JsonSerializer.SerializeToNode(Outputs, Json),
            ["history"] = JsonSerializer.SerializeToNode(History, Json),
            ["bestEpoch"] = BestEpoch,
            ["finalValidationLoss"] = FinalValidationLoss,
            ["anomalyThreshold"] = AnomalyThreshold,
            ["dropsCode"] = DropsCode,
            ["arrays"] = JsonSerializer.SerializeToNode(Arrays, Json),
            ["keyNames"] = JsonSerializer.SerializeToNode(KeyNames, Json),
            ["graphs"] = JsonSerializer.SerializeToNode(Graphs, Json),
        };
        return state.ToJsonString();
    }

    /// <summary>Whether <paramref name="onnx"/> is a model with this library's state in its metadata.</summary>
    public static bool IsOurs(byte[] onnx)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(onnx).MetadataProps.Any(p => p.Key == MetadataKey);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return false;
        }
    }

    /// <summary>Reads the state back from a model written by <see cref="WithGraph"/>; throws
    /// <see cref="InvalidDataException"/> on another format version or a malformed state.</summary>
    public static ModelState FromOnnx(byte[] onnx)
    {
        var model = GraphCheck.Reader.ParseFrom(onnx);
        var text = model.MetadataProps.FirstOrDefault(p => p.Key == MetadataKey)?.Value
            ?? throw new InvalidDataException("The ONNX model was not written by Microsoft.ML.Autoencoders (its metadata has no model state).");
        try
        {
            var state = JsonNode.Parse(text)!.AsObject();
            int version = (int?)state["formatVersion"] ?? 1;
            if (version > FormatVersion)
                throw new InvalidDataException($"The model's state has format version {version}, written by a newer Microsoft.ML.Autoencoders; this version reads versions {OldestReadableVersion} to {FormatVersion}. Update the package to load it.");
            if (version < OldestReadableVersion)
                throw new InvalidDataException($"The model's state has format version {version}, older than this version of Microsoft.ML.Autoencoders reads ({OldestReadableVersion} to {FormatVersion}); fit the model again.");
            // Only types of assemblies already loaded, so a file cannot make us load code.
            var typeName = (string)state["optionsType"]!;
            var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
            if (type is null || type.IsAbstract || !typeof(AutoencoderOptions).IsAssignableFrom(type))
                throw new InvalidDataException($"The model's options type '{typeName}' is not an options class of this library or of a loaded variant.");
            T Required<T>(string name) where T : class => state[name]?.Deserialize<T>(Json) ?? throw new InvalidDataException($"The model's state has no '{name}'.");
            var result = new ModelState
            {
                Options = (AutoencoderOptions)(state["options"]?.Deserialize(type, Json) ?? throw new InvalidDataException("The model's state has no 'options'.")),
                InputSize = (int)state["inputSize"]!,
                Outputs = Required<List<OutputColumn>>("outputs"),
                History = Required<List<EpochMetrics>>("history"),
                BestEpoch = (int)state["bestEpoch"]!,
                FinalValidationLoss = (double?)state["finalValidationLoss"],
                AnomalyThreshold = (float?)state["anomalyThreshold"],
                // Models saved before 0.3 kept the code column.
                DropsCode = (bool?)state["dropsCode"] ?? false,
                Arrays = Required<Dictionary<string, float[]>>("arrays"),
                KeyNames = state["keyNames"]?.Deserialize<Dictionary<string, string[]>>(Json) ?? new(),
                Graphs = Required<Dictionary<string, byte[]>>("graphs"),
                Onnx = onnx,
            };
            if (result.Outputs.Any(o => o is null || o.Name is null) || result.History.Any(e => e is null) || result.Arrays.Values.Any(a => a is null) || result.Graphs.Values.Any(g => g is null))
                throw new InvalidDataException("The model's state has an empty output, epoch, array or graph.");
            foreach (var (column, names) in result.KeyNames)
                if (names is null || result.Outputs.FirstOrDefault(o => o.Name == column) is not { Type: OutputType.Key } key || names.Length != key.KeyCount
                    || names.Any(string.IsNullOrEmpty) || names.Distinct().Count() != names.Length)
                    throw new InvalidDataException($"The model's key names for '{column}' do not match a key output of as many distinct, non-empty names.");
            if (result.AnomalyThreshold is { } threshold && (!float.IsFinite(threshold) || result.Outputs.All(o => o.Name != result.Options.ReconstructionErrorColumnName)))
                throw new InvalidDataException($"The model's anomaly threshold {threshold} needs a finite value and a reconstruction error output.");
            // The graph must be the one the state describes: its input and outputs are what scoring relies on.
            var input = model.Graph?.Input.Count == 1 ? model.Graph.Input[0] : null;
            var dims = input?.Type?.TensorType?.Shape?.Dim;
            long? width = dims?.Count == 2 ? dims[1].DimValue : null;
            if (input?.Name != result.Options.InputColumnName || width != result.InputSize || result.InputSize < 1)
                throw new InvalidDataException($"The model's graph takes '{input?.Name}' of width {width}; its state says '{result.Options.InputColumnName}' of width {result.InputSize}.");
            var outputs = model.Graph!.Output.Select(o => o.Name).ToArray();
            if (!outputs.SequenceEqual(result.GraphNames))
                throw new InvalidDataException($"The model's graph has outputs {string.Join(", ", outputs)}; its state declares {string.Join(", ", result.GraphNames)}.");
            GraphCheck.Check(model, onnx, "The model's graph", result.GraphNames.Zip(result.Outputs, (name, column) => (name, column.Dims)).ToList());
            if (result.Graphs.TryGetValue(DecoderGraph, out var decoder))
                GraphCheck.Check(GraphCheck.Reader.ParseFrom(decoder), decoder, "The model's decoder graph", new[] { (OnnxScorer.DecoderOutput, new long[] { result.InputSize }) });
            return result;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException or ArgumentException
                                   or Google.Protobuf.InvalidProtocolBufferException or OverflowException)
        {
            throw new InvalidDataException($"The model's state is malformed: {e.Message}", e);
        }
    }
}
