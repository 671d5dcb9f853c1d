using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Tests.Persistence;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

public sealed class DoubleWeightRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    [VectorType(2)]
    public double[] ObjectiveWeights { get; set; }
}

public sealed class ThreeWeightRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    [VectorType(3)]
    public float[] ObjectiveWeights { get; set; }
}

public sealed class ScalarWeightRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    public float ObjectiveWeights { get; set; }
}

public sealed class VariableWeightRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; }

    public float[] ObjectiveWeights { get; set; }
}

[TestClass]
public class WeightedScoreTests
{
    private static HyperDpoRankingTransformer Model => ScorerVariants.Model(ConditioningKind.FiLM);

    [TestMethod]
    public void EachRowIsScoredAtItsOwnWeights()
    {
        var ml = new MLContext(1);
        // More than two blocks, so that per-row weights cross block boundaries.
        var rows = SaveLoadTests.WeightedRows(2500, seed: 50);
        var data = ml.Data.LoadFromEnumerable(rows);
        var transformer = ml.Transforms.WeightedScore(Model).Fit(data);
        float[] scores = SyntheticRanking.Scores(transformer.Transform(data));
        var engine = ml.Model.CreatePredictionEngine<WeightedRow, ScoreRow>(transformer);
        for (int r = 0; r < rows.Count; r += 97)
        {
            var single = ml.Data.LoadFromEnumerable(new[] { rows[r] });
            float expected = SyntheticRanking.Scores(Model.WithObjectiveWeights(rows[r].ObjectiveWeights).Transform(single))[0];
            Assert.AreEqual(expected, scores[r], 1e-5f, $"row {r}");
            Assert.AreEqual(expected, engine.Predict(rows[r]).Score, 1e-5f, $"engine, row {r}");
        }
        // Unnormalised weights are normalised: (2, 6) scores as (0.25, 0.75).
        var scaled = rows.Take(3).Select(r => new WeightedRow { Features = r.Features, ObjectiveWeights = new[] { 2f, 6f } }).ToList();
        var quarter = Model.WithObjectiveWeights(0.25f, 0.75f).Transform(ml.Data.LoadFromEnumerable(scaled));
        CollectionAssert.AreEqual(SyntheticRanking.Scores(quarter), SyntheticRanking.Scores(transformer.Transform(ml.Data.LoadFromEnumerable(scaled))));
    }

    [TestMethod]
    public void CustomColumnNamesAreUsed()
    {
        var ml = new MLContext(1);
        var data = ml.Transforms.CopyColumns("W", "ObjectiveWeights").Fit(ml.Data.LoadFromEnumerable(SaveLoadTests.WeightedRows(5, 51)))
            .Transform(ml.Data.LoadFromEnumerable(SaveLoadTests.WeightedRows(5, 51)));
        var estimator = ml.Transforms.WeightedScore(Model, "W", "Ranked");
        var shape = estimator.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema));
        Assert.AreEqual(NumberDataViewType.Single, shape.Single(c => c.Name == "Ranked").ItemType);
        var scored = estimator.Fit(data).Transform(data);
        CollectionAssert.AreEqual(SyntheticRanking.Scores(ml.Transforms.WeightedScore(Model).Fit(data).Transform(data)), scored.GetColumn<float>("Ranked").ToArray());
    }

    private static void AssertSchemaError(IDataView data, params string[] fragments)
    {
        var ml = new MLContext(1);
        var estimator = ml.Transforms.WeightedScore(Model);
        var errors = new List<ArgumentException>
        {
            Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(data)),
            Assert.ThrowsExactly<ArgumentException>(() => new WeightedScoreTransformer(Model, "ObjectiveWeights", "Score").Transform(data)),
        };
        try { estimator.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema)); }
        catch (ArgumentException e) { errors.Add(e); }
        foreach (var e in errors)
        {
            Assert.AreEqual("ObjectiveWeights", e.ParamName, e.Message);
            foreach (string fragment in fragments) Assert.Contains(fragment, e.Message);
        }
    }

    [TestMethod]
    public void MissingWeightsColumnIsRejectedNamingIt()
    {
        var ml = new MLContext(1);
        AssertSchemaError(SyntheticRanking.Load(ml, SyntheticRanking.Rows(2, 2, 3, 52)), "'ObjectiveWeights'", "not in the");
    }

    [TestMethod]
    public void WeightsColumnOfTheWrongTypeOrSizeIsRejectedNamingIt()
    {
        var ml = new MLContext(1);
        var f = new float[SyntheticRanking.FeatureCount];
        AssertSchemaError(ml.Data.LoadFromEnumerable(new[] { new DoubleWeightRow { Features = f, ObjectiveWeights = new[] { 1.0, 1.0 } } }), "'ObjectiveWeights'", "Double");
        AssertSchemaError(ml.Data.LoadFromEnumerable(new[] { new ThreeWeightRow { Features = f, ObjectiveWeights = new[] { 1f, 1f, 1f } } }), "'ObjectiveWeights'", "3 values", "RelevanceA, RelevanceB");
        AssertSchemaError(ml.Data.LoadFromEnumerable(new[] { new ScalarWeightRow { Features = f, ObjectiveWeights = 1 } }), "'ObjectiveWeights'");
        var variable = ml.Data.LoadFromEnumerable(new[] { new VariableWeightRow { Features = f, ObjectiveWeights = new[] { 1f, 1f } } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.WeightedScore(Model).Fit(variable));
        Assert.Contains("known-size", e.Message);
    }

    [TestMethod]
    public void InvalidWeightsInARowAreRejectedNamingTheRowAndItsValues()
    {
        var ml = new MLContext(1);
        var cases = new (float[] Weights, string Shown)[]
        {
            (new[] { -0.5f, 1f }, "(-0.5, 1)"),
            (new[] { float.NaN, 1f }, "(NaN, 1)"),
            (new[] { 0f, 0f }, "(0, 0)"),
            (new[] { 1f, float.PositiveInfinity }, "(1, ∞)"),
        };
        foreach (var (weights, shown) in cases)
        {
            var rows = SaveLoadTests.WeightedRows(1500, seed: 53);
            rows[1200].ObjectiveWeights = weights;
            var data = ml.Data.LoadFromEnumerable(rows);
            var transformer = ml.Transforms.WeightedScore(Model).Fit(data);
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(transformer.Transform(data)));
            Assert.Contains("'ObjectiveWeights'", e.Message);
            Assert.Contains("row 1200", e.Message);
            Assert.Contains(shown.Replace("∞", float.PositiveInfinity.ToString(System.Globalization.CultureInfo.InvariantCulture)), e.Message);

            var engine = ml.Model.CreatePredictionEngine<WeightedRow, ScoreRow>(transformer);
            var single = Assert.ThrowsExactly<InvalidOperationException>(() => engine.Predict(rows[1200]));
            Assert.Contains("'ObjectiveWeights'", single.Message);
        }
    }

    [TestMethod]
    public void ConstantWeightsMatchTheModelMovedToThoseWeights()
    {
        var ml = new MLContext(1);
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 3, 9, seed: 54));
        var pipeline = ml.Transforms.ConstantObjectiveWeights(new[] { 1f, 3f }).Append(ml.Transforms.WeightedScore(Model));
        var shape = pipeline.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema));
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, shape.Single(c => c.Name == "ObjectiveWeights").Kind);
        var scored = pipeline.Fit(data).Transform(data);
        var weights = scored.GetColumn<float[]>("ObjectiveWeights").ToArray();
        Assert.IsTrue(weights.All(w => w.SequenceEqual(new[] { 1f, 3f })));
        var expected = SyntheticRanking.Scores(Model.WithObjectiveWeights(0.25f, 0.75f).Transform(data));
        var actual = SyntheticRanking.Scores(scored);
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(expected[r], actual[r], 1e-6f, $"row {r}");
    }

    /// <summary>A row whose first Single column is a scalar (as LETOR data, where Label comes first).</summary>
    public sealed class LabelFirstRow
    {
        public float Label { get; set; }
        [Microsoft.ML.Data.VectorType(SyntheticRanking.FeatureCount)]
        public float[] Features { get; set; }
    }

    [TestMethod]
    public void ConstantWeightsWorkWhenTheFirstSingleColumnIsAScalar()
    {
        var ml = new MLContext(1);
        var rows = SyntheticRanking.Rows(5, 3, 9, seed: 55).Select(r => new LabelFirstRow { Label = r.RelevanceA, Features = r.Features }).ToList();
        var data = ml.Data.LoadFromEnumerable(rows);
        var scored = ml.Transforms.ConstantObjectiveWeights(new[] { 1f, 3f }).Append(ml.Transforms.WeightedScore(Model)).Fit(data).Transform(data);
        var expected = SyntheticRanking.Scores(Model.WithObjectiveWeights(0.25f, 0.75f).Transform(data));
        var actual = SyntheticRanking.Scores(scored);
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(expected[r], actual[r], 1e-6f, $"row {r}");
    }

    [TestMethod]
    public void InvalidConstantWeightsAreRejected()
    {
        var ml = new MLContext(1);
        foreach (var w in new[] { new[] { -1f, 2f }, new[] { float.NaN, 1f }, new[] { 0f, 0f }, Array.Empty<float>() })
            Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ConstantObjectiveWeights(w), string.Join(",", w));
        Assert.ThrowsExactly<ArgumentNullException>(() => ml.Transforms.ConstantObjectiveWeights(null));
        // Without any Single column there is nothing to attach the constant to.
        var text = ml.Data.LoadFromEnumerable(new[] { new TextRow { Text = "a" } });
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.ConstantObjectiveWeights(new[] { 1f, 1f }).Fit(text));
        Assert.Contains("'ObjectiveWeights'", e.Message);
    }

    public sealed class TextRow
    {
        public string Text { get; set; }
    }
}
