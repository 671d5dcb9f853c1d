using Microsoft.ML.HyperDpo.Tests.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Modeling;

/// <summary>Checks every registered conditioning kind learns, and that its trade-off follows the weights.</summary>
[TestClass]
public class ConditioningKindTests
{
    private static readonly List<RankingRow> TrainRows = SyntheticRanking.Rows(60, 5, 12, seed: 41);
    private static readonly List<RankingRow> TestRows = SyntheticRanking.Rows(25, 5, 12, seed: 42);

    [TestMethod]
    public void EveryKindLearnsAndItsCornersFollowTheWeights()
    {
        var ml = new MLContext(seed: 1);
        var train = SyntheticRanking.Load(ml, TrainRows);
        var test = SyntheticRanking.Load(ml, TestRows);
        foreach (var kind in ScorerVariants.Kinds)
        {
            var options = ScorerVariants.Options(kind, epochs: 15, seed: 1);
            var model = ml.Ranking.Trainers.HyperDpo(options).Fit(train);
            double Ndcg(float wA, string label) => SyntheticRanking.Ndcg(ml, model.WithObjectiveWeights(wA, 1 - wA).Transform(test), label);
            double aAtA = Ndcg(1, SyntheticRanking.LabelA), aAtB = Ndcg(0, SyntheticRanking.LabelA);
            double bAtB = Ndcg(0, SyntheticRanking.LabelB), bAtA = Ndcg(1, SyntheticRanking.LabelB);
            string figures = $"{kind}: A {aAtA:F3} at (1,0), {aAtB:F3} at (0,1); B {bAtB:F3} at (0,1), {bAtA:F3} at (1,0)";
            Console.WriteLine(figures);
            var losses = model.TrainingReport!.Epochs;
            Assert.IsLessThan(losses[0].MeanLoss, losses[^1].MeanLoss, figures);
            if (ScorerVariants.ReadsWeights(kind))
            {
                // Labels are a function of one feature each: a learnt corner ranks its objective almost perfectly, the other one not.
                Assert.IsGreaterThan(0.9, aAtA, figures);
                Assert.IsGreaterThan(0.9, bAtB, figures);
                Assert.IsGreaterThan(aAtB + 0.1, aAtA, figures);
                Assert.IsGreaterThan(bAtA + 0.1, bAtB, figures);
            }
            else
            {
                // One trade-off (0.5, 0.5) learnt, the same at every weight.
                Assert.AreEqual(aAtA, aAtB, 1e-12, figures);
                Assert.IsGreaterThan(0.7, (aAtA + bAtB) / 2, figures);
            }
        }
    }
}
