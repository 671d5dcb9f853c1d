using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Everything a fitted HyperDPO ranker needs to score rows: the conditioned network (and its managed copy used for
/// scoring), the columns it reads and the optional reference model. Immutable and safe to share between
/// transformers and threads.
/// </summary>
internal sealed class ConditionedScoringModel
{
    public ConditionedScoringModel(IRankingNetwork network, Device device, string featureColumnName, IReadOnlyList<string> objectives,
        ITransformer? reference, string referenceScoreColumnName, string groupColumnName, float[]? temperatureRange = null, bool referenceInputs = false,
        bool referenceReadsWeights = false)
    {
        if (referenceReadsWeights && (reference is null || referenceInputs))
            throw new ArgumentException("A conditioned reference needs a reference, and cannot be a network input.", nameof(referenceReadsWeights));
        ReferenceReadsWeights = referenceReadsWeights;
        if (referenceInputs && reference is null)
            throw new ArgumentException("A network that reads the reference scores needs the reference.", nameof(referenceInputs));
        TemperatureRange = temperatureRange;
        GroupColumnName = groupColumnName;
        ReferenceInputs = referenceInputs;
        Network = network;
        Device = device;
        FeatureColumnName = featureColumnName;
        Objectives = objectives;
        Reference = reference;
        ReferenceScoreColumnName = referenceScoreColumnName;
        // The network is never trained again once it is here (a resumed fit trains a copy), so one copy of its
        // weights serves every scoring call.
        if (network is ConditionedScorer rowwise)
        {
            _parameters = rowwise.Export();
            _scorer = new ManagedScorer(_parameters);
        }
        else
        {
            Listwise = (Modeling.Transformer.TransformerRanker)network;
        }
    }

    private readonly ScorerParameters? _parameters;
    private readonly ManagedScorer? _scorer;

    public IRankingNetwork Network { get; }

    /// <summary>The listwise (transformer) network, which scores whole groups; null for a row-wise (MLP) network.</summary>
    public Modeling.Transformer.TransformerRanker? Listwise { get; }

    /// <summary>The group column a listwise network's groups are read from (the trainer's <c>RowGroupColumnName</c>).</summary>
    public string GroupColumnName { get; }
    public Device Device { get; }
    public string FeatureColumnName { get; }
    public IReadOnlyList<string> Objectives { get; }
    /// <summary>The feature column's size: the network's inputs, less the K reference scores when it reads them.</summary>
    public int FeatureCount => Network.FeatureCount - (ReferenceInputs ? Objectives.Count : 0);

    /// <summary>
    /// True when the network reads each row's K standardised reference scores after its features (<see cref="ReferenceForm.ExtraInputs"/>):
    /// its inputs are then [x, r], F + K values.
    /// </summary>
    public bool ReferenceInputs { get; }
    public ITransformer? Reference { get; }
    public string ReferenceScoreColumnName { get; }

    /// <summary>
    /// True when <see cref="Reference"/> is a conditioned r(x, w) (<see cref="ConditionedReference"/>): it reads the normalised
    /// weights from <see cref="ConditionedReference.WeightsColumn"/>, which <see cref="ReferenceFor"/> writes first.
    /// </summary>
    public bool ReferenceReadsWeights { get; }

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ObjectiveWeightSource, ITransformer> _referenceChains = new();

    /// <summary>
    /// The chain a scorer with <paramref name="weights"/> runs to get the reference scores: <see cref="Reference"/>, after the
    /// transformer that writes the weights for a conditioned reference (one per weight source, built once).
    /// </summary>
    public ITransformer? ReferenceFor(ObjectiveWeightSource weights)
    {
        if (Reference is null || !ReferenceReadsWeights) return Reference;
        return _referenceChains.GetValue(weights, w =>
            new TransformerChain<ITransformer>(ConditionedReference.Weights(w, FeatureColumnName, FeatureCount, Objectives.Count), Reference));
    }

    /// <summary>The trained temperature range [min, max] of a temperature-conditioned network; null for one trained at one temperature.</summary>
    public float[]? TemperatureRange { get; }

    /// <summary>The length C of the conditioning vector (<see cref="ConditionVector"/>).</summary>
    public int ConditionWidth => Network.ConditionWidth;

    /// <summary>The network's weights as plain arrays (for the managed scorer and the ONNX export).</summary>
    public ScorerParameters Parameters => _parameters ?? throw RowwiseOnly();

    /// <summary>The managed forward pass that scores every row.</summary>
    public ManagedScorer Scorer => _scorer ?? throw RowwiseOnly();

    private static NotSupportedException RowwiseOnly() =>
        new("A listwise (Transformer) HyperDPO model scores whole groups, not single rows; see docs/conditioning.md.");

    /// <summary>Checks that <paramref name="schema"/> has the feature column the network was trained on.</summary>
    public DataViewSchema.Column CheckFeatures(DataViewSchema schema)
    {
        var column = ColumnChecks.FeatureVector(schema, FeatureColumnName);
        int size = ((VectorDataViewType)column.Type).Size;
        if (size != FeatureCount)
            throw new ArgumentException($"The feature column '{FeatureColumnName}' has {size} values per row; this model was trained on {FeatureCount}.", FeatureColumnName);
        return column;
    }

    /// <summary>
    /// Scores <paramref name="rows"/> rows: r_w + g(x; c), with r_w = sum_k w_k r_k the reference soup (sum_k w_k (1 + tanh a_k(x, c)) r_k
    /// for a network that re-weights its references, <see cref="ReweightingParameters"/>). <paramref name="features"/>
    /// is row-major (rows x F); <paramref name="conditions"/> is one conditioning vector c (C values, the normalised weights first,
    /// <see cref="ConditionVector"/>) or one per row (rows x C);
    /// <paramref name="reference"/> holds the K standardised reference scores of each row (rows x K, the
    /// <see cref="ReferenceScores.ColumnName"/> column), or is empty when there is no reference.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int rows, ReadOnlySpan<float> reference, ReadOnlySpan<float> conditions, Span<float> scores,
        ManagedScorer.Workspace workspace)
    {
        if (rows == 0) return;
        int k = Objectives.Count, c = ConditionWidth;
        if (ReferenceInputs)
        {
            // The network's rows are [x, r].
            int f = FeatureCount;
            var joined = workspace.Joined;
            for (int i = 0; i < rows; i++)
            {
                features.Slice(i * f, f).CopyTo(joined.AsSpan(i * (f + k), f));
                reference.Slice(i * k, k).CopyTo(joined.AsSpan(i * (f + k) + f, k));
            }
            features = joined.AsSpan(0, rows * (f + k));
        }
        Scorer.Score(features[..(rows * Network.FeatureCount)], rows, conditions, scores, workspace);
        if (reference.IsEmpty) return;
        bool perRow = conditions.Length == rows * c && rows > 1;
        if (Parameters.Reweighting is { } reweighting)
        {
            // sum_k w_k (1 + tanh a_k(x, c)) r_k; a network that re-weights never reads the reference scores as inputs.
            var scratch = workspace.ReweightingScratch(reweighting);
            int f = FeatureCount;
            for (int i = 0; i < rows; i++)
                scores[i] += reweighting.Term(features.Slice(i * f, f), Parameters.Mean, Parameters.Scale, perRow ? conditions.Slice(i * c, c) : conditions[..c],
                    reference.Slice(i * k, k), scratch);
            return;
        }
        for (int i = 0; i < rows; i++)
        {
            var w = perRow ? conditions.Slice(i * c, k) : conditions[..k];
            float r = 0;
            for (int j = 0; j < k; j++) r += w[j] * reference[i * k + j];
            scores[i] += r;
        }
    }

    /// <summary>
    /// Reads one row's features into <paramref name="row"/> (<see cref="FeatureCount"/> values): every scorer reads them here, so a
    /// vector of another length or with a non-finite value is refused in one place, naming the column and the row.
    /// </summary>
    public void ReadFeatures(in VBuffer<float> buffer, Span<float> row, long position)
    {
        ColumnChecks.CopyVector(buffer, FeatureColumnName, row, position);
        CheckFinite(row, position);
    }

    /// <summary>Throws naming the column and row when a feature value is NaN or infinite.</summary>
    public void CheckFinite(ReadOnlySpan<float> row, long position)
    {
        for (int j = 0; j < row.Length; j++)
            if (!float.IsFinite(row[j]))
                throw new InvalidOperationException($"Column '{FeatureColumnName}' has the value {row[j]} at row {position}, slot {j}. HyperDPO scores only finite features: replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues).");
    }
}
