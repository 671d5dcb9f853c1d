using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Everything a fitted HyperDPO ranker needs to score rows: the conditioned network, the columns it reads and
/// the optional reference model. Immutable and safe to share between transformers and threads.
/// </summary>
internal sealed class ConditionedScoringModel
{
    public ConditionedScoringModel(ConditionedScorer network, Device device, string featureColumnName, IReadOnlyList<string> objectives,
        ITransformer? reference, string referenceScoreColumnName)
    {
        Network = network;
        Device = device;
        FeatureColumnName = featureColumnName;
        Objectives = objectives;
        Reference = reference;
        ReferenceScoreColumnName = referenceScoreColumnName;
    }

    public ConditionedScorer Network { get; }
    public Device Device { get; }
    public string FeatureColumnName { get; }
    public IReadOnlyList<string> Objectives { get; }
    public int FeatureCount => Network.FeatureCount;
    public ITransformer? Reference { get; }
    public string ReferenceScoreColumnName { get; }

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
    /// Scores <paramref name="rows"/> rows: reference score + g(x; w). <paramref name="features"/> is row-major
    /// (rows x F); <paramref name="reference"/> may be empty when there is no reference model.
    /// </summary>
    public void Score(ReadOnlySpan<float> features, int rows, ReadOnlySpan<float> reference, float[] weights, Span<float> scores)
    {
        if (rows == 0) return;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var x = tensor(features[..(rows * FeatureCount)].ToArray(), new long[] { rows, FeatureCount }).to(Device);
            var w = tensor(weights, new long[] { 1, weights.Length }).to(Device);
            var s = Network.forward(x, w).cpu();
            s.data<float>().CopyTo(scores[..rows]);
        }
        if (!reference.IsEmpty)
            for (int i = 0; i < rows; i++) scores[i] += reference[i];
    }

    /// <summary>Throws naming the column and row when a feature value is NaN or infinite.</summary>
    public void CheckFinite(ReadOnlySpan<float> row, long position)
    {
        for (int j = 0; j < row.Length; j++)
            if (!float.IsFinite(row[j]))
                throw new InvalidOperationException($"Column '{FeatureColumnName}' has the value {row[j]} at row {position}, slot {j}. HyperDPO scores only finite features: replace missing values first (e.g. mlContext.Transforms.ReplaceMissingValues).");
    }
}
