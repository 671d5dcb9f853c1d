using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo;

namespace RankingService;

/// <summary>
/// The HyperDPO model the service ranks with, loaded once at start-up with <c>mlContext.Model.LoadHyperDpo</c>
/// (managed scoring, checked weights). The transformers are immutable and thread-safe; each request scores its own
/// small data view. A model saved with its preparation in front (<c>hyperdpo train --out</c> on LETOR files removes the
/// objectives' features first) takes the documents' features as the files give them.
/// </summary>
public sealed class RankingModel
{
    private readonly HyperDpoRankingTransformer _model;
    private readonly ITransformer? _preparation;
    private readonly DataViewSchema _schema;

    private RankingModel(HyperDpoRankingTransformer model, ITransformer? preparation, DataViewSchema inputSchema)
    {
        _model = model;
        _preparation = preparation;
        var features = inputSchema.GetColumnOrNull(model.FeatureColumnName);
        FeatureCount = features?.Type is VectorDataViewType { IsKnownSize: true } vector ? vector.Size : model.FeatureCount;
        _schema = FeatureRowsView.SchemaFor(model.FeatureColumnName, FeatureCount);
    }

    /// <summary>Loads a model written by <c>hyperdpo train --out</c> (or any saved HyperDPO transformer or WeightedScore).</summary>
    /// <exception cref="InvalidDataException">The file is not a HyperDPO model.</exception>
    public static RankingModel Load(string path)
    {
        var loaded = new MLContext(seed: 0).Model.LoadHyperDpo(path, out var inputSchema);
        // 'train --out' saves the ranker alone, or a chain of the preparation and the ranker; each request brings its weights.
        var parts = HyperDpoModelParts.Of(loaded, path);
        return new RankingModel(parts.Ranker, parts.Preparation, inputSchema);
    }

    /// <summary>The objectives, in the order of the weights.</summary>
    public IReadOnlyList<string> Objectives => _model.Objectives;

    /// <summary>Features per document, as the request gives them (before any preparation).</summary>
    public int FeatureCount { get; }

    /// <summary>The model at <paramref name="weights"/>; throws <see cref="ArgumentException"/> for invalid weights.</summary>
    public HyperDpoRankingTransformer At(float[] weights) => _model.WithObjectiveWeights(weights);

    /// <summary>Scores the documents' features (each of <see cref="FeatureCount"/> finite values) with <paramref name="model"/>.</summary>
    public float[] Score(HyperDpoRankingTransformer model, IReadOnlyList<float[]> features)
    {
        var data = new FeatureRowsView(_schema, features);
        var scores = new float[features.Count];
        var scored = model.Transform(_preparation?.Transform(data) ?? data);
        var column = scored.Schema[model.ScoreColumnName];
        using var cursor = scored.GetRowCursor(new[] { column });
        var getter = cursor.GetGetter<float>(column);
        for (int i = 0; cursor.MoveNext(); i++) getter(ref scores[i]);
        return scores;
    }
}
