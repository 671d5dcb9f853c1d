using Microsoft.ML.Data;
using RankingService;

namespace Microsoft.ML.HyperDpo.Tests.Serving;

/// <summary>The service's model loading for a file saved with its preparation in front, as <c>hyperdpo train --out</c> saves LETOR runs.</summary>
[TestClass]
public class RankingModelTests
{
    [TestMethod]
    public void AModelSavedWithItsFeatureRemovalTakesTheRawFeaturesAndScoresAsTheSavedChain()
    {
        var ml = new MLContext(1);
        var raw = SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 4, 10, seed: 61));
        // An objective from feature 3, removed from the inputs: the network sees 3 features, a request carries 4.
        var preparation = ml.Transforms.FeatureRankObjective("Extra", featureIndex: 2, removeFromFeatures: true).Fit(raw);
        var model = ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 2)).Fit(preparation.Transform(raw));
        Assert.AreEqual(SyntheticRanking.FeatureCount - 1, model.FeatureCount);
        using var temporary = new TemporaryFolder("hyperdpo-rankingmodel");
        string folder = temporary.Path;
        string path = Path.Combine(folder, "model.zip");
        ml.Model.SaveAtomically(new TransformerChain<ITransformer>(preparation, model), raw.Schema, path);

        var served = RankingModel.Load(path);
        Assert.AreEqual(SyntheticRanking.FeatureCount, served.FeatureCount, "requests carry the features as the data gives them");
        var weights = new[] { 0.4f, 0.6f };
        var rows = SyntheticRanking.Rows(3, 5, 5, seed: 62);
        float[] scores = served.Score(served.At(weights), rows.Select(r => r.Features).ToList());

        // Independently: the in-memory chain at the same weights, through ML.NET.
        var expected = SyntheticRanking.Scores(model.WithObjectiveWeights(weights).Transform(preparation.Transform(SyntheticRanking.Load(ml, rows))));
        Assert.HasCount(expected.Length, scores);
        for (int i = 0; i < scores.Length; i++)
            Assert.AreEqual(expected[i], scores[i], 1e-5f, $"row {i}");
    }
}
