using Microsoft.ML.Autoencoders.Networks;
using Microsoft.ML.Autoencoders.Onnx;
using Microsoft.ML.Autoencoders.Ops;
using Microsoft.ML.Autoencoders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders;

/// <summary>Options of AAnet, archetypal analysis in a learned latent space (docs/methods.md#aanet-archetypal-analysis): the encoder maps
/// a row into R^(K-1), which holds a fixed regular simplex with K vertices; the row's barycentric coordinates in it
/// are its archetype weights (they sum to 1). The loss adds gamma · mean_i (sum_k max(-b_ik, 0))^2, pulling rows into
/// the simplex, and Gaussian noise on the latent point during training fills the simplex so the vertices — decoded,
/// the archetypes — sit on the data.</summary>
public sealed class ArchetypalAnalysisOptions : VariantOptions
{
    internal override AutoencoderVariant CreateVariant() => new ArchetypalVariant(this);

    /// <summary>The default output is the archetype weights; two hidden layers each way. <see cref="AutoencoderOptions.CodeSize"/>
    /// is not used: the latent space has <see cref="ArchetypeCount"/> - 1 dimensions.</summary>
    public ArchetypalAnalysisOptions()
    {
        OutputColumnName = "ArchetypeWeights";
        HiddenLayers = new[] { 64, 32 };
    }

    /// <summary>K, the number of archetypes; the latent space has K - 1 dimensions.</summary>
    public int ArchetypeCount { get; set; } = 4;

    /// <summary>Standard deviation of the Gaussian noise added to the latent point during training (the simplex's
    /// vertices are at distance 1 from its centre). Larger noise fills the simplex more surely but blurs the decoder near
    /// the vertices, i.e. the archetypes.</summary>
    public double LatentNoise { get; set; } = 0.05;

    /// <summary>gamma_a, the weight of the penalty on negative archetype weights. With 1, rows' largest weights reached
    /// 1.07-1.10 on synthetic data; 10 keeps them within 1.02.</summary>
    public double ArchetypalWeight { get; set; } = 10;

    /// <summary>The weight of the anchoring term: the rows nearest to linear archetypal analysis's archetypes (PCHA) are
    /// pulled onto the simplex's vertices (mean squared latent distance), fading out over the first fifth of the
    /// epochs. Anchoring recovers 5 and more archetypes, which training alone did not, and can cost accuracy with 3 or 4.
    /// Null (the default): both are trained from the same start, without anchoring and with weight 1, and the fit whose
    /// archetypes lie nearer the training rows (mean squared distance from each to its nearest row) is kept, at twice
    /// the training time; 0 trains once without anchoring (docs/methods.md#aanet-archetypal-analysis has the
    /// figures).</summary>
    public double? AnchorWeight { get; set; }

    /// <summary>When set, a column of this name holds each row's distance to its nearest archetype,
    /// (1 - max_k b_k) / (1 - 1/K): 0 on an archetype, 1 at the simplex's centre.</summary>
    public string? DistanceColumnName { get; set; }

    internal override void Validate()
    {
        Check.Option(ArchetypeCount >= 2 && ArchetypeCount <= 256, nameof(ArchetypeCount), ArchetypeCount, "from 2 to 256");
        if (CodeSize != DefaultCodeSize)
            throw new ArgumentException($"Option {nameof(CodeSize)} is {CodeSize}, but AAnet's latent space has {nameof(ArchetypeCount)} - 1 dimensions and its code the {nameof(ArchetypeCount)} archetype weights; set {nameof(ArchetypeCount)} and leave {nameof(CodeSize)} unset.", nameof(CodeSize));
        base.Validate();
        Check.Option(LatentNoise >= 0 && double.IsFinite(LatentNoise), nameof(LatentNoise), LatentNoise, "a finite number of 0 or more");
        Check.Option(ArchetypalWeight >= 0 && double.IsFinite(ArchetypalWeight), nameof(ArchetypalWeight), ArchetypalWeight, "a finite number of 0 or more");
        Check.Option(AnchorWeight is null || AnchorWeight >= 0 && double.IsFinite(AnchorWeight.Value), nameof(AnchorWeight), AnchorWeight!, "null or a finite number of 0 or more");
        if (CodeActivation != Activation.Identity)
            throw new ArgumentException($"{nameof(CodeActivation)} is {CodeActivation}; the latent simplex needs an unconstrained latent space, expected {nameof(Activation.Identity)}.", nameof(CodeActivation));
    }

}

internal sealed class ArchetypalVariant(ArchetypalAnalysisOptions options) : DenseVariant(options)
{
    public const string ArchetypesArray = "archetypes", ArchetypalTerm = "archetypal", AnchorTerm = "anchor";
    private readonly Simplex _simplex = new(options.ArchetypeCount);

    private int K => options.ArchetypeCount;

    /// <summary>The dense network with a latent space of K - 1 dimensions (<see cref="AutoencoderOptions.CodeSize"/> is not used).</summary>
    public override DenseAutoencoderNetwork Network(int inputSize, IReadOnlyDictionary<string, float[]> arrays) => new(inputSize, options, codeSize: K - 1);

    public override void CheckInputSize(int inputSize, string column)
    {
        if (K - 1 > inputSize)
            throw new ArgumentOutOfRangeException(nameof(inputSize),
                $"ArchetypeCount is {K}, so the latent space has {K - 1} dimensions, more than the {inputSize} features of input column '{column}'; expected ArchetypeCount - 1 <= {inputSize}.");
    }

    /// <summary>The main phase, anchored (<see cref="ArchetypalAnalysisOptions.AnchorWeight"/>) on the rows nearest to
    /// linear archetypal analysis's archetypes (PCHA on up to 2,000 training rows): the encoder is pulled to put them on
    /// the simplex's vertices, so the learned archetypes start at extreme points of the data instead of wherever
    /// training first puts them.</summary>
    protected override TrainingPhase MainPhase(DenseAutoencoderNetwork network, TrainingData train)
    {
        // With AnchorWeight null, Pretrain has trained both ways and kept the better: nothing is left to train.
        if (options.AnchorWeight is not double weight) return base.MainPhase(network, train) with { Epochs = 0 };
        var anchors = weight == 0 ? null : Anchors(Sample(train));
        return base.MainPhase(network, train) with { Objective = batch => Loss(network, batch, anchors, weight) };
    }

    /// <summary>With AnchorWeight null: training with weight 1 and without anchoring, from the same initial weights and
    /// random streams, as two phases (each the fit its weight trains alone, on the CPU); the network keeps the weights
    /// of the fit whose archetypes lie nearer the data (validation rows when there are, else training rows)
    /// (<see cref="DistanceToRows"/>). Archetypes are extreme points of the data (convex combinations of rows, in
    /// linear archetypal analysis), so a decoded vertex far from every row is one the fit did not place on the data.</summary>
    protected override void Pretrain(TrainingSession session, DenseAutoencoderNetwork network, TrainingData train, TrainingData? validation)
    {
        if (options.AnchorWeight is not null) return;
        var rows = Sample(train);
        var anchors = Anchors(rows);
        // Judged on rows the anchors were not picked from (the validation rows when there are): a vertex kept on an
        // anchor row would otherwise score its own row.
        var judged = validation is null ? rows : Sample(validation);
        int anchoredEpoch, plainEpoch;
        using var streams = session.StartingStreams();
        var start = TrainingSession.Snapshot(network);
        Tensor[]? anchored = null;
        try
        {
            var withAnchors = base.MainPhase(network, train) with { Name = AnchoredPhase, Objective = batch => Loss(network, batch, anchors, 1) };
            anchoredEpoch = session.Run(withAnchors, train, validation);
            // Cancelled (keeping the best so far): the anchored fit is all there is.
            if (session.Cancelled)
            {
                session.KeptEpoch = anchoredEpoch;
                return;
            }
            double anchoredDistance = DistanceToRows(network, judged, train.Device), anchoredLoss = session.Evaluate(withAnchors, validation ?? train);
            anchored = TrainingSession.Snapshot(network);
            TrainingSession.Restore(network, start);
            // The second fit is the one AnchorWeight = 0 trains alone: same weights, same minibatches and noise.
            session.Replay(streams, train.Device);
            var plain = base.MainPhase(network, train) with { Name = PlainPhase, Objective = batch => Loss(network, batch, null, 0) };
            plainEpoch = session.Run(plain, train, validation);
            double plainDistance = DistanceToRows(network, judged, train.Device), plainLoss = session.Evaluate(plain, validation ?? train);
            bool keepAnchored = anchors is not null && anchoredDistance < plainDistance;
            if (keepAnchored) TrainingSession.Restore(network, anchored);
            session.KeptEpoch = keepAnchored ? anchoredEpoch : plainEpoch;
            session.Info(FormattableString.Invariant($"AAnet kept the {(keepAnchored ? AnchoredPhase : PlainPhase)} fit (archetypes' mean squared distance to the nearest row {anchoredDistance:R} anchored, {plainDistance:R} not; loss {anchoredLoss:R} anchored, {plainLoss:R} not)."));
        }
        finally
        {
            foreach (var t in start.Concat(anchored ?? Array.Empty<Tensor>())) t.Dispose();
        }
    }

    /// <summary>The phases of the choice AnchorWeight = null makes.</summary>
    public const string AnchoredPhase = "anchored", PlainPhase = "not anchored";

    /// <summary>Up to 2,000 training rows, evenly spaced.</summary>
    private static float[][] Sample(TrainingData train)
    {
        int every = Math.Max(1, (train.Count + 1999) / 2000);
        var positions = Enumerable.Range(0, train.Count).Where(i => i % every == 0).Select(i => (long)i).ToArray();
        var values = new float[positions.Length * train.Size];
        train.Read(positions, values);
        return Enumerable.Range(0, positions.Length).Select(i => values.AsSpan(i * train.Size, train.Size).ToArray()).ToArray();
    }

    /// <summary>The rows nearest to linear archetypal analysis's archetypes (PCHA), K × D row-major; null with fewer rows
    /// than archetypes.</summary>
    private float[]? Anchors(float[][] rows)
    {
        if (rows.Length < K) return null;   // fewer rows than archetypes: nothing to anchor on
        var hull = LinearArchetypes.Fit(rows, K, seed: 0);
        return hull.SelectMany(a => rows.MinBy(r => LinearAlgebra.SquaredDistance(r, a))!).ToArray();
    }

    /// <summary>The mean over the archetypes (the decoded vertices) of the squared distance to the nearest of
    /// <paramref name="rows"/>.</summary>
    private double DistanceToRows(DenseAutoencoderNetwork network, float[][] rows, Device device)
    {
        var archetypes = Archetypes(network, device);
        int d = rows[0].Length;
        return Enumerable.Range(0, K).Average(k => rows.Min(r => LinearAlgebra.SquaredDistance(r, archetypes.AsSpan(k * d, d))));
    }

    /// <summary>Anchoring starts training and fades out linearly over the first fifth of the epochs, so the anchors
    /// set where the archetypes start without holding them at rows that are only near the true extremes.</summary>
    private static double AnchorWeightAt(Minibatch batch, double weight)
        => batch.Progress is (int epoch, int epochs) ? weight * Math.Max(0, 1 - (epoch - 1) / Math.Max(1, 0.2 * epochs)) : 0;

    protected override TrainingLoss Objective(DenseAutoencoderNetwork network, Minibatch batch) => Loss(network, batch, anchors: null, 0);

    private TrainingLoss Loss(DenseAutoencoderNetwork network, Minibatch batch, float[]? anchors, double anchorWeight)
    {
        var z = network.Encode(batch.Input);
        var noisy = network.training && options.LatentNoise > 0 ? z.Plus(randn_like(z).Times(options.LatentNoise)) : z;
        var outside = nn.functional.relu(-_simplex.Weights(TorchOps.Instance, z)).sum(1).Squared().mean();
        var loss = TrainingLoss.Reconstruction(Losses.Mean(options.Loss, network.Decode(noisy), batch.Target)).Add(ArchetypalTerm, options.ArchetypalWeight, outside);
        // Training only: validation measures the model, not how far into the fade-out it is.
        double weight = AnchorWeightAt(batch, anchorWeight);
        if (anchors is null || weight == 0 || !network.training) return loss;
        var anchored = network.Encode(TorchOps.Owned(anchors, new long[] { K, anchors.Length / K }, z.device));
        var vertices = tensor(_simplex.Vertices, new long[] { K, K - 1 }, device: z.device);
        return loss.Add(AnchorTerm, weight, anchored.Minus(vertices).Squared().sum(1).mean());
    }

    public override IReadOnlyList<OutputColumn> OutputColumns(int inputSize, IReadOnlyDictionary<string, float[]> learned)
    {
        var columns = base.OutputColumns(inputSize, learned).ToList();
        columns[0] = columns[0] with { Width = K };
        if (options.DistanceColumnName is { } d) columns.Add(OutputColumn.Scalar(d));
        return columns;
    }

    /// <summary>The archetype weights (the latent point's barycentric coordinates) and the distance to the nearest
    /// archetype, (1 - max_k b_k) / (1 - 1/K).</summary>
    protected override Dictionary<string, T> Outputs<T>(IOps<T> ops, DenseAutoencoderNetwork network, T x, IReadOnlyDictionary<string, float[]> learned)
    {
        var z = network.Encode(ops, x);
        var weights = _simplex.Weights(ops, z);
        var outputs = CodeAndReconstruction(ops, weights, () => network.Decode(ops, z), x);
        float scale = (float)(1 / (1 - 1.0 / K));
        if (options.DistanceColumnName is { } d) outputs[d] = ops.Affine(ops.RowMax(weights), -scale, scale);
        return outputs;
    }

    public override int? DecoderInputSize => K - 1;

    /// <summary>The archetypes in data space: the decoded simplex vertices, K × D row-major.</summary>
    protected override Dictionary<string, float[]> Learn(DenseAutoencoderNetwork network, TrainingData rows)
        => new() { [ArchetypesArray] = Archetypes(network, rows.Device) };

    private float[] Archetypes(DenseAutoencoderNetwork network, Device device)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return TorchOps.ToArray(network.Decode(TorchOps.Owned(_simplex.Vertices, new long[] { K, K - 1 }, device)));
    }

    public override AutoencoderTransformer CreateTransformer(TransformsCatalog catalog, ModelState state) => new ArchetypalAnalysisTransformer(catalog, state);
}

/// <summary>A regular simplex with K unit-length vertices centred at the origin of R^(K-1), and the affine map from a
/// point to its barycentric coordinates: solve [V^T; 1^T] b = [z; 1].</summary>
internal sealed class Simplex
{
    public Simplex(int k)
    {
        // Centred standard basis vectors of R^K, expressed in an orthonormal basis of the plane sum = 0.
        var centred = Enumerable.Range(0, k).Select(i => Enumerable.Range(0, k).Select(j => (i == j ? 1.0 : 0.0) - 1.0 / k).ToArray()).ToArray();
        var basis = LinearAlgebra.Orthonormalize(centred)[..(k - 1)];
        double scale = Math.Sqrt((k - 1.0) / k); // |e_i - 1/K| : rescale to unit circumradius
        var vertices = new double[k, k - 1];
        for (int i = 0; i < k; i++)
            for (int d = 0; d < k - 1; d++)
                vertices[i, d] = LinearAlgebra.Dot(centred[i], basis[d]) / scale;
        var m = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            for (int d = 0; d < k - 1; d++) m[d, i] = vertices[i, d];
            m[k - 1, i] = 1;
        }
        var inverse = LinearAlgebra.Inverse(m);
        ToWeights = new float[(k - 1) * k];
        for (int d = 0; d < k - 1; d++)
            for (int i = 0; i < k; i++) ToWeights[d * k + i] = (float)inverse[i, d];
        Offset = Enumerable.Range(0, k).Select(i => (float)inverse[i, k - 1]).ToArray();
        Vertices = vertices.Cast<double>().Select(v => (float)v).ToArray();
        K = k;
    }

    public int K { get; }

    /// <summary>K × (K-1), row-major.</summary>
    public float[] Vertices { get; }

    /// <summary>(K-1) × K: b = z · ToWeights + Offset.</summary>
    public float[] ToWeights { get; }

    public float[] Offset { get; }

    /// <summary>The barycentric coordinates of latent points <paramref name="z"/>.</summary>
    public T Weights<T>(IOps<T> ops, T z)
        => ops.Linear(z, TorchOps.Owned(ToWeights, new long[] { K - 1, K }), TorchOps.Owned(Offset, new long[] { K }), transposed: false);
}

/// <summary>A fitted AAnet: rows' archetype weights, the archetypes in data space, and generation from the simplex.</summary>
public sealed class ArchetypalAnalysisTransformer : AutoencoderTransformer
{
    private readonly float[] _vertices;

    internal ArchetypalAnalysisTransformer(TransformsCatalog catalog, ModelState state) : base(catalog, state)
    {
        _vertices = new Simplex(ArchetypeCount).Vertices;
        var flat = state.Arrays.GetValueOrDefault(ArchetypalVariant.ArchetypesArray) ?? Array.Empty<float>();
        if (flat.Length != (long)ArchetypeCount * InputSize)
            throw new InvalidDataException($"The model holds {flat.Length} archetype values; {ArchetypeCount} archetypes of {InputSize} values are {(long)ArchetypeCount * InputSize}.");
        Archetypes = Enumerable.Range(0, ArchetypeCount).Select(k => flat.AsSpan(k * InputSize, InputSize).ToArray()).ToArray();
    }

    private protected override int DecoderInputSize => ArchetypeCount - 1;

    /// <summary>K, the number of archetypes.</summary>
    public int ArchetypeCount => CodeSize;

    /// <summary>The archetypes in input units: the decoded vertices of the latent simplex, K rows of the input's size.</summary>
    public float[][] Archetypes { get; }

    /// <summary>Draws <paramref name="count"/> rows: weights b ~ Dirichlet(1, ..., 1) mixing the simplex vertices, decoded.</summary>
    public float[][] Generate(int count, int? seed = null)
    {
        Check.Option(count >= 1, nameof(count), count, "at least 1");
        var rand = seed is int s ? new Random(s) : new Random();
        int k = ArchetypeCount, d = k - 1;
        var z = new float[count * d];
        for (int i = 0; i < count; i++)
        {
            // Dirichlet(1) = normalised Exp(1) draws.
            var w = Enumerable.Range(0, k).Select(_ => -Math.Log(1 - rand.NextDouble())).ToArray();
            double total = w.Sum();
            for (int j = 0; j < k; j++)
                for (int c = 0; c < d; c++) z[i * d + c] += (float)(w[j] / total * _vertices[j * d + c]);
        }
        var rows = RunDecoder(z, count);
        return Enumerable.Range(0, count).Select(i => rows.AsSpan(i * InputSize, InputSize).ToArray()).ToArray();
    }
}
