using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>The element type of an output column.</summary>
internal enum OutputType { Single, UInt64 }

/// <summary>An output column of a fitted model: <see cref="Size"/> values a row (0: one value, graph shape [batch]).
/// <see cref="Discrete"/> outputs (bits, ids) come from a threshold, where torch and ONNX Runtime may round apart.</summary>
internal sealed record OutputColumn(string Name, int Size, OutputType Type = OutputType.Single, bool Discrete = false)
{
    /// <summary>Values a row.</summary>
    public int Width => Math.Max(1, Size);
}

/// <summary>What makes one autoencoder differ from another: its network, the terms of its loss, how its input is
/// corrupted and which outputs it produces. The training engine owns everything else. This base class is the
/// plain undercomplete autoencoder of METHODS.md section 1.</summary>
internal class AutoencoderVariant
{
    public AutoencoderVariant(AutoencoderOptions options) => Options = options;

    public AutoencoderOptions Options { get; }

    /// <summary>Input size for the template graph that <c>GetOutputSchema</c> derives the output columns from.</summary>
    public virtual int TemplateInputSize => 1;

    /// <summary>The width of the code for a given input size.</summary>
    public virtual int CodeSize(int inputSize) => Options.CodeSize;

    public virtual AutoencoderNetwork CreateNetwork(int inputSize) => new DenseAutoencoderNetwork(inputSize, Options);

    /// <summary>Throws when the input schema lacks a column the variant reads besides the input column.</summary>
    public virtual void CheckSchema(SchemaShape inputSchema) { }

    /// <summary>Throws when the network cannot take vectors of <paramref name="inputSize"/> (e.g. images of another size).</summary>
    public virtual void CheckInputSize(int inputSize, string column) { }

    /// <summary>Values per row that the variant reads besides the input column (e.g. a batch id); 0: none.</summary>
    public virtual int AuxiliaryWidth => 0;

    /// <summary>The auxiliary values of every row, rows × <see cref="AuxiliaryWidth"/>, row-major; throws on bad columns.</summary>
    public virtual float[]? ReadAuxiliary(IDataView data, int rows) => null;

    /// <summary>Called once with all training rows (and their auxiliary values) before the first epoch.</summary>
    public virtual void Prepare(Tensor train, Tensor? auxiliary) { }

    /// <summary>Puts the training rows' positions in this epoch's order; consecutive BatchSize positions form a minibatch.</summary>
    public virtual void Order(long[] order, Random shuffle) => shuffle.Shuffle(order);

    /// <summary>Runs before the main training phase, e.g. greedy layer-wise pretraining through <paramref name="session"/>.</summary>
    public virtual void Pretrain(TrainingSession session, AutoencoderNetwork network, Tensor train, Tensor? validation, Tensor? trainAuxiliary, Tensor? validationAuxiliary) { }

    /// <summary>Called before each epoch (1-based), for schedules such as a KL warm-up.</summary>
    public virtual void BeginEpoch(int epoch) { }

    /// <summary>Graphs besides the main one that the fitted model needs (e.g. a decoder for generation), by name.</summary>
    public virtual Dictionary<string, byte[]> AuxiliaryGraphs(AutoencoderNetwork network, int inputSize) => new();

    /// <summary>Learned arrays the fitted model exposes besides its graph (e.g. archetypes), by name.</summary>
    /// <param name="network">The trained network.</param>
    /// <param name="parts">Every row of the training data: the training rows, then the validation rows if any.</param>
    public virtual Dictionary<string, float[]> LearnedArrays(AutoencoderNetwork network, IReadOnlyList<Tensor> parts) => new();

    /// <summary>The training input made from a clean minibatch; identity except for denoising variants.</summary>
    public virtual Tensor Corrupt(Tensor x) => x;

    /// <summary>The loss to minimise for clean rows <paramref name="x"/> fed to the network as <paramref name="input"/>.
    /// Each named term is also put into <paramref name="terms"/> for the training history.</summary>
    public virtual Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, Tensor? auxiliary, IDictionary<string, Tensor> terms)
        => Objective(network, x, input, terms);

    /// <summary>The objective of variants that read no auxiliary values.</summary>
    public virtual Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, IDictionary<string, Tensor> terms)
    {
        var reconstruction = Losses.Reconstruction(Options.Loss, network.forward(input), x);
        terms["reconstruction"] = reconstruction;
        return reconstruction;
    }

    /// <summary>The columns the fitted model produces.</summary>
    public virtual IReadOnlyList<OutputColumn> OutputColumns(int inputSize)
    {
        var columns = new List<OutputColumn> { new(Options.OutputColumnName, CodeSize(inputSize)) };
        if (Options.ReconstructionColumnName is { } r) columns.Add(new(r, inputSize));
        if (Options.ReconstructionErrorColumnName is { } e) columns.Add(new(e, 0));
        return columns;
    }

    /// <summary>Adds the optional reconstruction and per-row error outputs, in torch.</summary>
    protected void AddReconstruction(Dictionary<string, Tensor> outputs, Tensor reconstruction, Tensor x)
    {
        if (Options.ReconstructionColumnName is { } r) outputs[r] = reconstruction;
        if (Options.ReconstructionErrorColumnName is { } e) outputs[e] = Losses.PerRow(Options.Loss, reconstruction, x);
    }

    /// <summary><see cref="AddReconstruction(Dictionary{string, Tensor}, Tensor, Tensor)"/> in the graph.</summary>
    protected void AddReconstruction(Dictionary<string, string> outputs, OnnxGraph graph, string reconstruction, string x)
    {
        if (Options.ReconstructionColumnName is { } r) outputs[r] = reconstruction;
        if (Options.ReconstructionErrorColumnName is { } e) outputs[e] = Losses.EmitPerRow(graph, Options.Loss, reconstruction, x);
    }

    /// <summary>Whether any output needs the reconstruction.</summary>
    protected bool WantsReconstruction => Options.ReconstructionColumnName is not null || Options.ReconstructionErrorColumnName is not null;

    /// <summary>The output columns computed in torch, for checking the exported graph.</summary>
    public virtual Dictionary<string, Tensor> TorchOutputs(AutoencoderNetwork network, Tensor x)
    {
        var code = network.Encode(x);
        var outputs = new Dictionary<string, Tensor> { [Options.OutputColumnName] = code };
        if (WantsReconstruction) AddReconstruction(outputs, network.Decode(code), x);
        return outputs;
    }

    /// <summary>The same outputs as <see cref="TorchOutputs"/>, written into an ONNX graph.</summary>
    public virtual Dictionary<string, string> EmitOutputs(OnnxGraph graph, AutoencoderNetwork network, string x)
    {
        var code = network.EmitEncoder(graph, x);
        var outputs = new Dictionary<string, string> { [Options.OutputColumnName] = code };
        if (WantsReconstruction) AddReconstruction(outputs, graph, network.EmitDecoder(graph, code), x);
        return outputs;
    }

    /// <summary>First-party ML.NET steps applied after the graph, in the saved chain and in the batched Transform.</summary>
    public virtual IEnumerable<IEstimator<ITransformer>> PostProcessing(TransformsCatalog catalog, ModelState state) => Array.Empty<IEstimator<ITransformer>>();

    /// <summary>The columns a fitted model adds, as the user sees them (after post-processing).</summary>
    public virtual IEnumerable<string> ColumnNames(int inputSize) => OutputColumns(inputSize).Select(c => c.Name);

    /// <summary>The typed transformer of this variant.</summary>
    public virtual AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new(catalog, state);
}
