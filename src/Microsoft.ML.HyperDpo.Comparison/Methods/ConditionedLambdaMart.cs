using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>How <see cref="ConditionedLambdaMart"/> turns K graded labels and a weight vector w into one training grade.</summary>
public enum LabelAggregation
{
    /// <summary>The scalarised grade of <see cref="ScalarisedLabelRule"/>: round(sum_k w_k y_k G / max_k), the same for every document of a list.</summary>
    Linear,

    /// <summary>
    /// Stochastic label aggregation (Carmel et al., WWW 2020): each document draws one objective k with probability w_k and
    /// takes that objective's label on the common scale, round(y_k G / max_k). In expectation the gain is a mix of the
    /// objectives' gains, and no grade is rounded from a blend.
    /// </summary>
    Stochastic,
}

/// <summary>
/// Conditioned LambdaMART: one FastTree model for every trade-off. Each training list is repeated for M weight vectors
/// w ~ Dirichlet(alpha), drawn per list; w is appended to the features, and the label of each copy is the aggregated grade
/// under w (<see cref="LabelAggregation"/>). At prediction the ranker for w appends w to the features and scores with the
/// one model: the tree-side answer to "one model for every trade-off".
/// </summary>
/// <remarks>
/// The training data grows M-fold (a copy of every list per draw), so one fit costs about what M single-objective fits on the
/// original data cost. Default trainer options otherwise, and the label gains of <see cref="ScalarisedLabelRule.Gains"/>.
/// </remarks>
public sealed class ConditionedLambdaMart : FrontMethod
{
    /// <summary>The column the fitted model reads: the features followed by the K weights.</summary>
    internal const string FeaturesColumn = "__ConditionedFeatures";
    private const string LabelColumn = "__ConditionedLabel";
    private const string GroupColumn = "__ConditionedGroup";
    private readonly int _copies;
    private readonly float _alpha;
    private readonly LabelAggregation _aggregation;

    /// <summary>Creates the method.</summary>
    /// <param name="copies">M: weight vectors drawn per training list (at least 1). Default 10, about the grid of K = 2.</param>
    /// <param name="alpha">The Dirichlet concentration (positive). Default 0.5, HyperDPO's default, which draws more weights near the corners.</param>
    /// <param name="aggregation">How the K labels become one grade. Default <see cref="LabelAggregation.Linear"/>.</param>
    public ConditionedLambdaMart(int copies = 10, float alpha = 0.5f, LabelAggregation aggregation = LabelAggregation.Linear)
    {
        if (copies < 1) throw new ArgumentOutOfRangeException(nameof(copies), copies, "At least one weight vector per training list.");
        if (!(float.IsFinite(alpha) && alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The Dirichlet concentration must be a positive number.");
        _copies = copies;
        _alpha = alpha;
        _aggregation = aggregation;
    }

    /// <inheritdoc/>
    public override string Name => _aggregation == LabelAggregation.Linear ? "Conditioned FastTree" : "Conditioned FastTree (stochastic labels)";

    /// <inheritdoc/>
    public override string Key => _aggregation == LabelAggregation.Linear ? FrontMethodKeys.FastTreeConditioned : FrontMethodKeys.FastTreeConditionedStochastic;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => 1;

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var ml = context.MLContext;
        var (model, elapsed) = Train(context);
        int features = FeatureCount(context.Split.Train, context.FeatureColumnName);
        return new FittedFront(w => WithWeights(ml, context.Split.Train, context.FeatureColumnName, features, w).Append(model), elapsed, 1);
    }

    /// <summary>
    /// The one FastTree model on the expanded training data, which reads <see cref="FeaturesColumn"/> (the features followed by the
    /// K weights), and the time taken, the expansion included.
    /// </summary>
    internal (ITransformer Model, TimeSpan Elapsed) Train(FrontFitContext context)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ml = context.MLContext;
        var rule = ScalarisedLabelRule.Fit(context.Split.Train, context.LabelColumnNames);
        var expanded = ml.Data.Cache(Expand(context, rule));
        var prepared = clock.Elapsed;
        var conditioned = context with { FeatureColumnName = FeaturesColumn, RowGroupColumnName = GroupColumn };
        var (model, elapsed) = LambdaMart.Train(conditioned, LambdaMartLibrary.FastTree, expanded, LabelColumn, rule.Gains);
        return (model, prepared + elapsed);
    }

    /// <summary>Every training list repeated M times, each copy with its own w appended to the features and its own grades.</summary>
    private IDataView Expand(FrontFitContext context, ScalarisedLabelRule rule)
    {
        var ml = context.MLContext;
        var train = context.Split.Train;
        int k = context.Objectives;
        var labelViews = context.LabelColumnNames.Select((label, j) =>
            ml.Transforms.Conversion.ConvertType($"__Label{j}", label, DataKind.Single).Fit(train).Transform(train)).ToArray();
        var labels = labelViews.Select((view, j) => view.GetColumn<float>($"__Label{j}").ToArray()).ToArray();
        var features = train.GetColumn<float[]>(context.FeatureColumnName).ToArray();
        var groups = Groups(train, context.RowGroupColumnName);
        // The rows of each list, in the order lists first appear (a list's rows need not be contiguous in the training data).
        var lists = Enumerable.Range(0, groups.Length).GroupBy(r => groups[r]).Select(g => g.ToArray()).ToArray();

        using var generator = new TorchSharp.torch.Generator((ulong)context.Seed, TorchSharp.torch.CPU);
        var sampler = new DirichletSampler(k, _alpha, generator, TorchSharp.torch.CPU);
        float[] draws;
        using (var sample = sampler.Sample(lists.Length * _copies))
            draws = sample.data<float>().ToArray();
        var random = new Random(context.Seed);
        var rows = new List<ExpandedRow>(features.Length * _copies);
        var row = new float[k];
        var corner = new float[k];
        for (int list = 0; list < lists.Length; list++)
            for (int m = 0; m < _copies; m++)
            {
                var w = new ReadOnlySpan<float>(draws, (list * _copies + m) * k, k);
                uint group = (uint)(list * _copies + m + 1);
                foreach (int r in lists[list])
                {
                    for (int j = 0; j < k; j++) row[j] = labels[j][r];
                    float grade;
                    if (_aggregation == LabelAggregation.Linear)
                        grade = rule.Apply(row, w);
                    else
                    {
                        Array.Clear(corner);
                        corner[Draw(random, w)] = 1f;
                        grade = rule.Apply(row, corner);
                    }
                    var x = new float[features[r].Length + k];
                    features[r].CopyTo(x, 0);
                    w.CopyTo(x.AsSpan(features[r].Length));
                    rows.Add(new ExpandedRow { Features = x, Label = grade, Group = group });
                }
            }

        var schema = SchemaDefinition.Create(typeof(ExpandedRow));
        schema[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features.Length == 0 ? k : features[0].Length + k);
        schema[GroupColumn].ColumnType = new KeyDataViewType(typeof(uint), lists.Length * _copies);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>An objective index drawn with probabilities w (which sum to 1 up to rounding; the last index takes the rest).</summary>
    private static int Draw(Random random, ReadOnlySpan<float> w)
    {
        double u = random.NextDouble(), cumulative = 0;
        for (int j = 0; j < w.Length - 1; j++)
        {
            cumulative += w[j];
            if (u < cumulative) return j;
        }
        return w.Length - 1;
    }

    private static ulong[] Groups(IDataView data, string groupColumn)
    {
        var column = ColumnChecks.GroupKey(data.Schema, groupColumn);
        using var cursor = data.GetRowCursor(new[] { column });
        var key = ColumnChecks.KeyGetter(cursor, column);
        var groups = new List<ulong>();
        while (cursor.MoveNext()) groups.Add(key());
        return groups.ToArray();
    }

    private static int FeatureCount(IDataView data, string featureColumn) =>
        data.Schema[featureColumn].Type is VectorDataViewType { Size: > 0 } v
            ? v.Size
            : throw new ArgumentException($"The feature column '{featureColumn}' must be a vector of known size; it is {data.Schema[featureColumn].Type}.", nameof(data));

    /// <summary>The transformer that appends the constant w to every row's features, as <see cref="FeaturesColumn"/>.</summary>
    private static ITransformer WithWeights(MLContext ml, IDataView schemaSource, string featureColumn, int features, float[] weights)
    {
        var w = weights.ToArray();
        var input = SchemaDefinition.Create(typeof(FeatureVector));
        input[nameof(FeatureVector.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
        var output = SchemaDefinition.Create(typeof(ConditionedVector));
        output[FeaturesColumn].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features + w.Length);
        return ml.Transforms.CopyColumns(nameof(FeatureVector.Features), featureColumn)
            .Append(ml.Transforms.CustomMapping<FeatureVector, ConditionedVector>((row, result) =>
            {
                var x = new float[row.Features.Length + w.Length];
                row.Features.CopyTo(x, 0);
                w.CopyTo(x, row.Features.Length);
                result.Features = x;
            }, contractName: null, inputSchemaDefinition: input, outputSchemaDefinition: output))
            .Fit(schemaSource);
    }

    private sealed class ExpandedRow
    {
        [ColumnName(FeaturesColumn)]
        public float[] Features { get; set; } = Array.Empty<float>();

        [ColumnName(LabelColumn)]
        public float Label { get; set; }

        [ColumnName(GroupColumn)]
        public uint Group { get; set; }
    }

    private sealed class FeatureVector
    {
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    private sealed class ConditionedVector
    {
        [ColumnName(FeaturesColumn)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }
}
