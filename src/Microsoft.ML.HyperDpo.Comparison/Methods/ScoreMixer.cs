using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// Adds <c>Score = sum_k w_k (s_k - mean_k) / sd_k</c> from K score columns, as the last step of a score soup.
/// </summary>
internal sealed class ScoreMixer
{
    private readonly MLContext _ml;
    private readonly string[] _columns;

    public ScoreMixer(MLContext ml, string[] columns)
    {
        _ml = ml;
        _columns = columns;
    }

    /// <summary>The mixing transformer for weights <paramref name="weights"/>; <paramref name="members"/> produce the score columns from <paramref name="schemaSource"/>.</summary>
    public ITransformer At(IDataView schemaSource, ITransformer members, float[] weights, double[] mean, double[] sd)
    {
        var coefficient = weights.Select((w, k) => w / sd[k]).ToArray();
        double offset = weights.Select((w, k) => w * mean[k] / sd[k]).Sum();
        var input = SchemaDefinition.Create(typeof(ScoreVector));
        input[ScoreVector.ColumnName].ColumnType = new VectorDataViewType(NumberDataViewType.Single, _columns.Length);
        var estimator = _ml.Transforms.Concatenate(ScoreVector.ColumnName, _columns)
            .Append(_ml.Transforms.CustomMapping<ScoreVector, MixedScore>((row, output) =>
            {
                double s = -offset;
                for (int k = 0; k < coefficient.Length; k++)
                    s += coefficient[k] * row.Scores[k];
                output.Score = (float)s;
            }, contractName: null, inputSchemaDefinition: input));
        return estimator.Fit(members.Transform(schemaSource));
    }

    private sealed class ScoreVector
    {
        public const string ColumnName = "__SoupScores";

        [ColumnName(ColumnName)]
        public float[] Scores { get; set; } = Array.Empty<float>();
    }

    private sealed class MixedScore
    {
        public float Score { get; set; }
    }
}
