using Microsoft.ML.HyperDpo.Scoring;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

[TestClass]
public class ManagedScorerTests
{
    [TestMethod]
    public void ManagedForwardEqualsTorchForwardForEveryConditioningKind()
    {
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind).ScoringModel;
            int f = model.FeatureCount, k = model.Objectives.Count;
            // 37 rows: nine blocks of four plus a single remaining row, through both kernel paths.
            const int rows = 37;
            var (x, w) = ScorerVariants.RandomInputs(rows, f, k, seed: 7);
            float[] expected;
            using (no_grad())
            using (var xt = tensor(x, new long[] { rows, f }))
            using (var wt = tensor(w, new long[] { rows, k }))
            using (var s = model.Network.forward(xt, wt))
                expected = s.data<float>().ToArray();

            var workspace = model.Scorer.CreateWorkspace(rows);
            var perRow = new float[rows];
            model.Scorer.Score(x, rows, w, perRow, workspace);
            for (int r = 0; r < rows; r++)
                Assert.AreEqual(expected[r], perRow[r], 1e-5f, $"{kind}, per-row weights, row {r}");

            // One shared weight vector: the same as giving every row that vector.
            var shared = w.AsSpan(0, k).ToArray();
            var sharedScores = new float[rows];
            model.Scorer.Score(x, rows, shared, sharedScores, workspace);
            var repeated = Enumerable.Range(0, rows).SelectMany(_ => shared).ToArray();
            var repeatedScores = new float[rows];
            model.Scorer.Score(x, rows, repeated, repeatedScores, workspace);
            for (int r = 0; r < rows; r++)
                Assert.AreEqual(repeatedScores[r], sharedScores[r], 1e-5f, $"{kind}, shared weights, row {r}");

            // Row by row, as a prediction engine scores.
            var single = model.Scorer.CreateWorkspace(1);
            var one = new float[1];
            for (int r = 0; r < rows; r++)
            {
                model.Scorer.Score(x.AsSpan(r * f, f), 1, w.AsSpan(r * k, k), one, single);
                Assert.AreEqual(expected[r], one[0], 1e-5f, $"{kind}, single row {r}");
            }
        }
    }

    [TestMethod]
    public void WeightsMatterForEveryConditionedKind()
    {
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind).ScoringModel;
            if (!model.Parameters.ReadsCondition) continue;
            var (x, _) = ScorerVariants.RandomInputs(5, model.FeatureCount, 2, seed: 8);
            var a = new float[5];
            var b = new float[5];
            var workspace = model.Scorer.CreateWorkspace(5);
            model.Scorer.Score(x, 5, new[] { 1f, 0f }, a, workspace);
            model.Scorer.Score(x, 5, new[] { 0f, 1f }, b, workspace);
            CollectionAssert.AreNotEqual(a, b, kind.ToString());
        }
    }
}
