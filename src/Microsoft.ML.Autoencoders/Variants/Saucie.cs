using Microsoft.ML.Data;
using Microsoft.ML.Autoencoders.Analysis;
using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of SAUCIE (Amodio et al., Nature Methods 2019; METHODS.md section 8): one network giving a 2-d
/// embedding, clusters (from a sparse, near-binary clustering layer), denoised and imputed values, and batch-corrected
/// values (maximum mean discrepancy between each batch and a reference on the embedding). When both batch correction and
/// clustering are asked for, Fit runs the authors' two stages: a correcting network first, then clustering and embedding
/// of its corrected output; the fitted model computes every output from the raw input.</summary>
public sealed class SaucieOptions : AutoencoderOptions
{
    /// <summary>The published architecture and training setting: 512-256-128 with a 2-d embedding, Adam 1e-3, batch 256.</summary>
    public SaucieOptions()
    {
        HiddenLayers = new[] { 512, 256, 128 };
        CodeSize = 2;
        OutputColumnName = "Embedding";
        ReconstructionColumnName = "Reconstruction";
        Epochs = 50;
    }

    /// <summary>The embedding column (an alias of <see cref="AutoencoderOptions.OutputColumnName"/>); 2-d by default (<see cref="AutoencoderOptions.CodeSize"/>).</summary>
    [JsonIgnore]
    public string EmbeddingColumnName { get => OutputColumnName; set => OutputColumnName = value; }

    /// <summary>The cluster column, a key type with one value per cluster; missing (0) for unclustered rows. Null: no clustering.</summary>
    public string? ClusterColumnName { get; set; } = "Cluster";

    /// <summary>A scalar text, key or integer column naming each row's batch; null: no batch correction.</summary>
    public string? BatchColumnName { get; set; }

    /// <summary>The reference batch, as text; null: the batch with the most rows.</summary>
    public string? ReferenceBatch { get; set; }

    /// <summary>lambda_c, the weight of the information-dimension (entropy) penalty on the clustering layer.</summary>
    public double ClusterWeight { get; set; } = 0.1;

    /// <summary>lambda_d, the weight of the within-cluster distance penalty; needs <see cref="ClusterWeight"/> above 0.</summary>
    public double IntraClusterWeight { get; set; } = 0.2;

    /// <summary>lambda_b, the weight of the MMD batch-correction penalty.</summary>
    public double BatchWeight { get; set; } = 0.1;

    /// <summary>binmin: clustering-layer patterns with fewer training rows are "unclustered".</summary>
    public int MinClusterSize { get; set; } = 10;

    /// <summary>When set, clusters whose embedded rows are mutual nearest by MMD and closer than this are merged; null: no merging.</summary>
    public double? ClusterMergeDistance { get; set; }

    internal bool Clustering => ClusterColumnName is not null && ClusterWeight > 0;
    internal bool BatchCorrection => BatchColumnName is not null && BatchWeight > 0;

    internal override void Validate()
    {
        base.Validate();
        if (HiddenLayers.Length == 0)
            throw new ArgumentException($"Option {nameof(HiddenLayers)} is empty; SAUCIE's clustering layer is the last decoder hidden layer, expected at least one width.", nameof(HiddenLayers));
        Require(ClusterWeight >= 0 && double.IsFinite(ClusterWeight), nameof(ClusterWeight), ClusterWeight, "a finite number of 0 or more");
        Require(IntraClusterWeight >= 0 && double.IsFinite(IntraClusterWeight), nameof(IntraClusterWeight), IntraClusterWeight, "a finite number of 0 or more");
        Require(BatchWeight >= 0 && double.IsFinite(BatchWeight), nameof(BatchWeight), BatchWeight, "a finite number of 0 or more");
        Require(IntraClusterWeight == 0 || ClusterWeight > 0, nameof(IntraClusterWeight), IntraClusterWeight, "0 while ClusterWeight is 0 (the distance penalty acts on the clustering the entropy penalty makes)");
        Require(MinClusterSize >= 1, nameof(MinClusterSize), MinClusterSize, "at least 1");
        // The regularisers build several BatchSize x BatchSize kernels per step.
        Require(BatchSize <= 4096, nameof(BatchSize), BatchSize, "at most 4096 for SAUCIE (its penalties are quadratic in the minibatch)");
        Require(ClusterMergeDistance is null or >= 0, nameof(ClusterMergeDistance), ClusterMergeDistance!, "null or 0 or more");
        if (Loss != ReconstructionLoss.MeanSquaredError || OutputActivation != Activation.Identity)
            throw new ArgumentException($"SAUCIE reconstructs in input units with squared error; expected Loss = MeanSquaredError and OutputActivation = Identity.", nameof(Loss));
    }

    internal override AutoencoderVariant CreateVariant() => new SaucieVariant(this);
}

internal sealed class SaucieVariant(SaucieOptions options) : AutoencoderVariant(options)
{
    internal const string Patterns = "clusterPatterns", PatternIds = "clusterPatternIds", Threshold = "clusterThreshold";
    private const double ZScoreWeight = 0.01;
    private string[] _batchNames = Array.Empty<string>();
    private int _reference;
    private int[] _trainBatches = Array.Empty<int>();
    private float[] _patterns = Array.Empty<float>();
    private float[] _patternIds = Array.Empty<float>();
    private float _threshold = 1e-6f;

    private bool TwoStages => options.Clustering && options.BatchCorrection;
    private string RawClusterName => "_ae/cluster_id";

    public override AutoencoderNetwork CreateNetwork(int inputSize) => new SaucieNetwork(inputSize, options, TwoStages, options.Clustering);

    // ---- Batches -------------------------------------------------------------------------------------------------

    public override int AuxiliaryWidth => options.BatchCorrection ? 1 : 0;

    public override void CheckSchema(SchemaShape inputSchema)
    {
        if (!options.BatchCorrection) return;
        var found = inputSchema.Where(c => c.Name == options.BatchColumnName).Cast<SchemaShape.Column?>().FirstOrDefault();
        if (found is not SchemaShape.Column column)
            throw new ArgumentOutOfRangeException(nameof(SaucieOptions.BatchColumnName), $"{nameof(SaucieOptions.BatchColumnName)}: column '{options.BatchColumnName}' was not found in the data; expected a scalar text, key or integer column.");
        if (column.Kind != SchemaShape.Column.VectorKind.Scalar || column.ItemType is NumberDataViewType { RawType: var t } && (t == typeof(float) || t == typeof(double)))
            throw new ArgumentOutOfRangeException(nameof(SaucieOptions.BatchColumnName), $"{nameof(SaucieOptions.BatchColumnName)}: column '{options.BatchColumnName}' is {column.ItemType}{(column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : " vector")}; expected a scalar text, key or integer column.");
    }

    public override float[]? ReadAuxiliary(IDataView data, int rows)
    {
        if (!options.BatchCorrection) return null;
        var (codes, names) = CategoryReader.Read(data, options.BatchColumnName!, nameof(SaucieOptions.BatchColumnName));
        if (names.Length < 2)
            throw new InvalidOperationException($"Batch column '{options.BatchColumnName}' holds one batch ('{names[0]}'); batch correction needs at least two. Set BatchColumnName to null to train without it.");
        var counts = names.Select((_, b) => codes.Count(c => c == b)).ToArray();
        if (options.ReferenceBatch is { } reference)
        {
            _reference = Array.IndexOf(names, reference);
            if (_reference < 0)
                throw new ArgumentOutOfRangeException(nameof(SaucieOptions.ReferenceBatch), $"ReferenceBatch '{reference}' is not a batch of column '{options.BatchColumnName}'; its batches are {string.Join(", ", names.Select(n => $"'{n}'"))}.");
        }
        else _reference = Array.IndexOf(counts, counts.Max());
        int batch = Math.Min(options.BatchSize, rows);
        for (int b = 0; b < names.Length; b++)
            if ((long)counts[b] * batch < rows)
                throw new InvalidOperationException($"Batch '{names[b]}' of column '{options.BatchColumnName}' has {counts[b]} of {rows} rows: a minibatch of {batch} rows would hold none of it, but every minibatch must hold each batch. Expected at least {(rows + batch - 1) / batch} rows per batch, or a larger BatchSize.");
        _batchNames = names;
        return codes.Select(c => (float)c).ToArray();
    }

    public override void Prepare(Tensor train, Tensor? auxiliary)
    {
        if (auxiliary is not null) _trainBatches = auxiliary.cpu().data<float>().ToArray().Select(v => (int)v).ToArray();
    }

    /// <summary>Stratified order: each batch's rows are spread evenly over the epoch, so every minibatch holds rows of
    /// the reference and of each other batch, in proportion.</summary>
    public override void Order(long[] order, Random shuffle)
    {
        if (_trainBatches.Length == 0) { shuffle.Shuffle(order); return; }
        var keys = new double[order.Length];
        foreach (var group in Enumerable.Range(0, order.Length).GroupBy(i => _trainBatches[i]))
        {
            var members = group.ToArray();
            shuffle.Shuffle(members);
            for (int r = 0; r < members.Length; r++) keys[members[r]] = (r + shuffle.NextDouble()) / members.Length;
        }
        var sorted = Enumerable.Range(0, order.Length).OrderBy(i => keys[i]).Select(i => (long)i).ToArray();
        sorted.CopyTo(order, 0);
    }

    // ---- Training ------------------------------------------------------------------------------------------------

    /// <summary>With two stages, the correcting network is trained first, as its own phase.</summary>
    public override void Pretrain(TrainingSession session, AutoencoderNetwork network, Tensor train, Tensor? validation, Tensor? trainAuxiliary, Tensor? validationAuxiliary)
    {
        if (!TwoStages) return;
        var corrector = ((SaucieNetwork)network).Corrector!;
        session.RunPhase(new StageObjective(this, corrector, batchTerms: true, clusterTerms: false), new StageNetwork(corrector), train, validation,
            options.Epochs, "batch correction", trainAuxiliary, validationAuxiliary);
    }

    public override Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, Tensor? auxiliary, IDictionary<string, Tensor> terms)
    {
        var saucie = (SaucieNetwork)network;
        // In two stages the main stage learns the corrected data; batches no longer matter to it.
        bool batchTerms = options.BatchCorrection && !TwoStages;
        return StageLoss(saucie.Main, saucie.StageInput(x), auxiliary, batchTerms, options.Clustering, terms);
    }

    internal Tensor StageLoss(SaucieStage stage, Tensor x, Tensor? batches, bool batchTerms, bool clusterTerms, IDictionary<string, Tensor> terms)
    {
        var (embedding, clustering, reconstruction) = stage.Run(x);
        Tensor loss;
        if (batchTerms && batches is not null)
        {
            var ids = batches.squeeze(1).to_type(ScalarType.Int64);
            loss = terms["reconstruction"] = SaucieLosses.BatchReconstruction(reconstruction, x, ids, _reference, _batchNames.Length, ZScoreWeight);
            var mmd = terms["batch"] = SaucieLosses.BatchMmd(embedding, ids, _reference, _batchNames.Length);
            loss = loss + options.BatchWeight * mmd;
        }
        else loss = terms["reconstruction"] = nn.functional.mse_loss(reconstruction, x);
        if (clusterTerms)
        {
            var entropy = terms["cluster entropy"] = SaucieLosses.InformationDimension(clustering);
            loss = loss + options.ClusterWeight * entropy;
            if (options.IntraClusterWeight > 0)
            {
                var distance = terms["intra-cluster"] = SaucieLosses.WithinClusterDistance(clustering, x);
                loss = loss + options.IntraClusterWeight * distance;
            }
        }
        return loss;
    }

    /// <summary>One stage's loss, for training the correcting stage as a phase of its own.</summary>
    private sealed class StageObjective(SaucieVariant owner, SaucieStage stage, bool batchTerms, bool clusterTerms) : AutoencoderVariant(owner.Options)
    {
        public override void Order(long[] order, Random shuffle) => owner.Order(order, shuffle);
        public override Tensor Objective(AutoencoderNetwork network, Tensor x, Tensor input, Tensor? auxiliary, IDictionary<string, Tensor> terms)
            => owner.StageLoss(stage, x, auxiliary, batchTerms, clusterTerms, terms);
    }

    /// <summary>A stage seen as a network, so the engine's phase loop can train it alone.</summary>
    private sealed class StageNetwork : AutoencoderNetwork
    {
        private readonly SaucieStage _stage;
        public StageNetwork(SaucieStage stage) : base(nameof(StageNetwork)) { _stage = stage; RegisterComponents(); }
        public override Tensor Encode(Tensor x) => _stage.Run(x).Embedding;
        public override Tensor Decode(Tensor z) => _stage.Decode(z);
        public override string EmitEncoder(OnnxGraph graph, string x) => throw new NotSupportedException();
        public override string EmitDecoder(OnnxGraph graph, string z) => throw new NotSupportedException();
    }

    // ---- Clusters ------------------------------------------------------------------------------------------------

    /// <summary>Binarises the clustering layer over all rows (A / max A above 1e-6: the unit is active); each distinct
    /// pattern with at least MinClusterSize rows is a cluster, numbered by size; optionally merges clusters.</summary>
    public override Dictionary<string, float[]> LearnedArrays(AutoencoderNetwork network, IReadOnlyList<Tensor> parts)
    {
        var arrays = new Dictionary<string, float[]>();
        if (!options.Clustering) return arrays;
        var saucie = (SaucieNetwork)network;
        using var noGrad = no_grad();
        // In chunks, each in its own scope: the activations of a million rows at once would not fit in memory. The
        // first pass finds the clustering layer's maximum over all rows, the second binarises against it.
        const int chunk = 8192;
        long n = parts.Sum(p => p.shape[0]);
        void ForEachChunk(Action<Tensor, Tensor> body)
        {
            foreach (var rows in parts)
                for (long start = 0; start < rows.shape[0]; start += chunk)
                {
                    using var step = NewDisposeScope();
                    var (e, a, _) = saucie.Main.Run(saucie.StageInput(rows.narrow(0, start, Math.Min(chunk, rows.shape[0] - start))));
                    body(e, a);
                }
        }
        float max = 0;
        ForEachChunk((_, a) => max = Math.Max(max, a.max().item<float>()));
        _threshold = 1e-6f * Math.Max(max, 1e-12f);
        // Each row's active units as bits packed in 64-bit words; equal patterns share a dictionary entry.
        var patterns = new List<ulong[]>();
        var embeddingValues = new List<float>();
        int width = 0;
        ForEachChunk((e, a) =>
        {
            width = (int)a.shape[1];
            int words = (width + 63) / 64;
            // Pack in torch: bit j of a word is unit j's activity times 2^j; distinct powers of two never carry, so the
            // int64 sum is the bit pattern (bit 63 as long.MinValue). Only rows x words values cross into .NET.
            var bits = nn.functional.pad((a > _threshold).to_type(ScalarType.Int64), new long[] { 0, words * 64 - width })
                .reshape(-1, words, 64);
            var powers = tensor(Enumerable.Range(0, 64).Select(j => unchecked((long)(1UL << j))).ToArray(), device: a.device);
            var packed = (bits * powers).sum(new long[] { 2 }).cpu().data<long>().ToArray();
            for (int r = 0; r < packed.Length / words; r++)
                patterns.Add(packed.AsSpan(r * words, words).ToArray().Select(v => unchecked((ulong)v)).ToArray());
            embeddingValues.AddRange(e.cpu().data<float>().ToArray());
        });
        var counts = new Dictionary<ulong[], (int Count, int First)>(BitWordsComparer.Instance);
        for (int i = 0; i < n; i++)
            counts[patterns[i]] = counts.TryGetValue(patterns[i], out var c) ? (c.Count + 1, c.First) : (1, i);
        var clusters = counts.Where(p => p.Value.Count >= options.MinClusterSize)
            .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Value.First).Select(p => p.Key).ToList();
        _patterns = clusters.SelectMany(words => Enumerable.Range(0, width).Select(j => (float)((words[j / 64] >> (j % 64)) & 1))).ToArray();
        _patternIds = Enumerable.Range(1, clusters.Count).Select(i => (float)i).ToArray();
        if (options.ClusterMergeDistance is double limit && clusters.Count > 1)
        {
            var index = new Dictionary<ulong[], int>(BitWordsComparer.Instance);
            for (int i = 0; i < clusters.Count; i++) index[clusters[i]] = i;
            using var scope = NewDisposeScope();
            var embedding = tensor(embeddingValues.ToArray(), new long[] { n, options.CodeSize });
            _patternIds = SaucieLosses.MergeClusters(embedding, patterns.Select(p => index.GetValueOrDefault(p, -1)).ToArray(), clusters.Count, limit);
        }
        arrays[Patterns] = _patterns;
        arrays[PatternIds] = _patternIds;
        arrays[Threshold] = new[] { _threshold };
        return arrays;
    }

    // ---- Outputs -------------------------------------------------------------------------------------------------

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize)
    {
        var columns = base.OutputColumns(inputSize).ToList();
        if (options.Clustering) columns.Add(new(RawClusterName, 0, Discrete: true));
        return columns;
    }

    public override IEnumerable<string> ColumnNames(int inputSize)
        => base.OutputColumns(inputSize).Select(c => c.Name).Concat(options.Clustering ? new[] { options.ClusterColumnName! } : Array.Empty<string>());

    public override Dictionary<string, Tensor> TorchOutputs(AutoencoderNetwork network, Tensor x)
    {
        var saucie = (SaucieNetwork)network;
        var stageInput = saucie.StageInput(x);
        var (embedding, clustering, reconstruction) = saucie.Main.Run(stageInput);
        // The reconstruction is the corrected data: the correcting stage's output when there is one.
        var corrected = saucie.Corrector is null ? reconstruction : stageInput;
        var outputs = new Dictionary<string, Tensor> { [Options.OutputColumnName] = embedding };
        AddReconstruction(outputs, corrected, x);
        if (options.Clustering) outputs[RawClusterName] = ClusterIds(clustering);
        return outputs;
    }

    public override Dictionary<string, string> EmitOutputs(OnnxGraph graph, AutoencoderNetwork network, string x)
    {
        var saucie = (SaucieNetwork)network;
        var stageInput = saucie.EmitStageInput(graph, x);
        var (embedding, clustering, reconstruction) = saucie.Main.Emit(graph, stageInput);
        var corrected = saucie.Corrector is null ? reconstruction : stageInput;
        var outputs = new Dictionary<string, string> { [Options.OutputColumnName] = embedding };
        AddReconstruction(outputs, graph, corrected, x);
        if (options.Clustering) outputs[RawClusterName] = EmitClusterIds(graph, clustering);
        return outputs;
    }

    /// <summary>Each row's cluster id: the id of the learned pattern equal to its binarised clustering layer, else 0.</summary>
    private Tensor ClusterIds(Tensor clustering)
    {
        int c = _patternIds.Length;
        if (c == 0) return zeros(clustering.shape[0], device: clustering.device);
        var bits = (clustering > _threshold).to_type(ScalarType.Float32);
        var patterns = tensor(_patterns, new long[] { c, clustering.shape[1] }, device: clustering.device);
        var mismatches = bits.matmul((1 - patterns).t()) + (1 - bits).matmul(patterns.t());
        var (min, arg) = mismatches.min(1);
        var ids = tensor(_patternIds, device: clustering.device).index_select(0, arg);
        return where(min < 0.5, ids, zeros_like(ids));
    }

    private string EmitClusterIds(OnnxGraph graph, string clustering)
    {
        int c = _patternIds.Length;
        if (c == 0) return graph.Node("ReduceMax", new[] { graph.Node("Mul", new[] { clustering, graph.Constant(new[] { 0f }) }) }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        var bits = graph.Node("Cast", new[] { graph.Node("Greater", new[] { clustering, graph.Constant(new[] { _threshold }) }) }, OnnxGraph.Int("to", 1));
        int width = _patterns.Length / c;
        var patternsT = Transpose(_patterns, c, width);
        var inverseT = patternsT.Select(v => 1 - v).ToArray();
        var ones = graph.Node("Sub", new[] { graph.Constant(new[] { 1f }), bits });
        var mismatches = graph.Node("Add", new[] {
            graph.Node("MatMul", new[] { bits, graph.Constant(inverseT, width, c) }),
            graph.Node("MatMul", new[] { ones, graph.Constant(patternsT, width, c) }) });
        var min = graph.Node("ReduceMin", new[] { mismatches }, OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        var arg = graph.Node("ArgMin", new[] { mismatches }, OnnxGraph.Int("axis", 1), OnnxGraph.Int("keepdims", 0));
        var ids = graph.Node("Gather", new[] { graph.Constant(_patternIds, c), arg });
        var matched = graph.Node("Less", new[] { min, graph.Constant(new[] { 0.5f }) });
        return graph.Node("Where", new[] { matched, ids, graph.Constant(new[] { 0f }) });
    }

    private static float[] Transpose(float[] m, int rows, int cols)
    {
        var t = new float[m.Length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = m[i * cols + j];
        return t;
    }

    /// <summary>Cluster ids become a key type (1..C; 0, unclustered, becomes the missing key).</summary>
    public override IEnumerable<IEstimator<ITransformer>> PostProcessing(TransformsCatalog catalog, ModelState state)
    {
        if (!options.Clustering) yield break;
        int count = Math.Max(1, (int)state.Arrays.GetValueOrDefault(PatternIds, Array.Empty<float>()).DefaultIfEmpty(0).Max());
        var keys = new MLContext().Data.LoadFromEnumerable(Enumerable.Range(1, count).Select(i => new KeyRow { Id = i }));
        yield return catalog.Conversion.MapValueToKey(options.ClusterColumnName!, RawClusterName, keyData: keys);
        yield return catalog.DropColumns(RawClusterName);
    }

    private sealed class KeyRow
    {
        public float Id;
    }

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new SaucieTransformer(catalog, state);
}
