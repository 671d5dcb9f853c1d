using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// Turns K graded labels and a weight vector w into one integer grade that a single-objective ranker (LambdaMART) can train on:
/// <c>round(sum_k w_k * y_k * G / max_k)</c>, where <c>max_k</c> is objective k's largest label on the training data and
/// <c>G = max_k max_k</c> the largest of them, so that every objective is first stretched onto the common scale 0..G.
/// </summary>
/// <remarks>
/// For MQ2008 with relevance (0..2) and a feature grade (0..4), G = 4 and the rule is <c>round(2 w rel + (1 - w) aux)</c>, the
/// label of the two-objective benchmark. Rounding is half away from zero. The result stays within 0..G, so with G &lt;= 4 ML.NET's
/// default label gains apply; beyond, <see cref="Gains"/> extends them the same way (2^(g+1) - 1).
/// </remarks>
public sealed class ScalarisedLabelRule
{
    private readonly float[] _stretch;

    private ScalarisedLabelRule(IReadOnlyList<string> labels, float[] maxima, int top)
    {
        LabelColumnNames = labels.ToArray();
        Maxima = maxima;
        TopGrade = top;
        _stretch = maxima.Select(m => m > 0 ? top / m : 0f).ToArray();
    }

    /// <summary>The objectives' label columns, in the order of the weights.</summary>
    public IReadOnlyList<string> LabelColumnNames { get; }

    /// <summary>Each objective's largest label on the training data.</summary>
    public IReadOnlyList<float> Maxima { get; }

    /// <summary>G: the top of the common scale, the largest label of any objective (rounded up to an integer).</summary>
    public int TopGrade { get; }

    /// <summary>LambdaMART label gains for grades 0..G: 0, 3, 7, 15, 31, ... (ML.NET's default table, extended).</summary>
    public double[] Gains => Enumerable.Range(0, TopGrade + 1).Select(g => g == 0 ? 0.0 : Math.Pow(2, g + 1) - 1).ToArray();

    /// <summary>Reads the label maxima from <paramref name="trainingData"/>.</summary>
    /// <exception cref="ArgumentException">A label column is missing or not numeric.</exception>
    /// <exception cref="InvalidOperationException">A label is negative or not finite; the message names the column and value.</exception>
    public static ScalarisedLabelRule Fit(IDataView trainingData, IReadOnlyList<string> labelColumnNames)
    {
        ArgumentNullException.ThrowIfNull(trainingData);
        ArgumentNullException.ThrowIfNull(labelColumnNames);
        var maxima = new float[labelColumnNames.Count];
        for (int k = 0; k < maxima.Length; k++)
        {
            var column = trainingData.Schema.GetColumnOrNull(labelColumnNames[k])
                ?? throw new ArgumentException($"The label column '{labelColumnNames[k]}' is not in the training data.", nameof(labelColumnNames));
            if (column.Type is not NumberDataViewType)
                throw new ArgumentException($"The label column '{labelColumnNames[k]}' has type {column.Type}; a graded label must be numeric.", nameof(labelColumnNames));
            foreach (float y in ReadSingle(trainingData, column))
            {
                if (!float.IsFinite(y) || y < 0)
                    throw new InvalidOperationException($"The label column '{labelColumnNames[k]}' has the value {y}; graded labels must be finite and >= 0.");
                maxima[k] = Math.Max(maxima[k], y);
            }
        }
        int top = Math.Max(1, (int)Math.Ceiling(maxima.Max()));
        return new ScalarisedLabelRule(labelColumnNames, maxima, top);
    }

    /// <summary>The scalarised grade of one row's labels at weights <paramref name="weights"/>.</summary>
    public float Apply(ReadOnlySpan<float> labels, ReadOnlySpan<float> weights)
    {
        double sum = 0;
        for (int k = 0; k < labels.Length; k++)
            sum += weights[k] * labels[k] * _stretch[k];
        return (float)Math.Min(TopGrade, Math.Round(sum, MidpointRounding.AwayFromZero));
    }

    /// <summary>Adds the scalarised grade at <paramref name="weights"/> to <paramref name="data"/> as the Single column <paramref name="outputColumnName"/>.</summary>
    public IDataView Transform(MLContext mlContext, IDataView data, float[] weights, string outputColumnName)
    {
        if (weights.Length != LabelColumnNames.Count)
            throw new ArgumentException($"{weights.Length} weights for {LabelColumnNames.Count} objectives.", nameof(weights));
        var w = weights.ToArray();
        IEstimator<ITransformer> chain = new EstimatorChain<ITransformer>();
        var converted = LabelColumnNames.Select((name, k) => $"__Scalarise{k}").ToArray();
        for (int k = 0; k < converted.Length; k++)
            chain = chain.Append(mlContext.Transforms.Conversion.ConvertType(converted[k], LabelColumnNames[k], DataKind.Single));
        chain = chain.Append(mlContext.Transforms.Concatenate(LabelVector.ColumnName, converted));
        var input = SchemaDefinition.Create(typeof(LabelVector));
        input[LabelVector.ColumnName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, converted.Length);
        chain = chain.Append(mlContext.Transforms.CustomMapping<LabelVector, ScalarisedGrade>(
            (row, output) => output.Grade = Apply(row.Labels, w), contractName: null, inputSchemaDefinition: input));
        chain = chain.Append(mlContext.Transforms.CopyColumns(outputColumnName, ScalarisedGrade.ColumnName));
        return chain.Fit(data).Transform(data);
    }

    private static IEnumerable<float> ReadSingle(IDataView data, DataViewSchema.Column column)
    {
        // Any context will do: converting a column to Single draws no random numbers.
        var ml = new MLContext();
        var converted = ml.Transforms.Conversion.ConvertType("__Label", column.Name, DataKind.Single).Fit(data).Transform(data);
        return converted.GetColumn<float>("__Label");
    }

    private sealed class LabelVector
    {
        public const string ColumnName = "__ObjectiveLabels";

        [ColumnName(ColumnName)]
        public float[] Labels { get; set; } = Array.Empty<float>();
    }

    private sealed class ScalarisedGrade
    {
        public const string ColumnName = "__ScalarisedGrade";

        [ColumnName(ColumnName)]
        public float Grade { get; set; }
    }
}
