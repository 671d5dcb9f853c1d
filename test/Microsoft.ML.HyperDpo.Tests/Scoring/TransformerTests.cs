using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Scoring;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

[TestClass]
public class TransformerTests
{
    private static MLContext _ml;
    private static HyperDpoRankingTransformer _model;

    [ClassInitialize]
    public static void Fit(TestContext _)
    {
        _ml = new MLContext(seed: 1);
        _model = _ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 3))
            .Fit(SyntheticRanking.Load(_ml, SyntheticRanking.Rows(20, 5, 12, seed: 10)));
    }

    /// <summary>Rows spanning two scoring blocks and part of a third.</summary>
    private static List<RankingRow> ManyRows() => SyntheticRanking.Rows(170, 10, 20, seed: 11);

    // ---- Objective weights ----

    [TestMethod]
    public void ValidWeightsAreNormalisedAndTheOriginalIsUnchanged()
    {
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f }, _model.ObjectiveWeights.ToArray(), "initial weights are uniform");
        var moved = _model.WithObjectiveWeights(1, 3);
        CollectionAssert.AreEqual(new[] { 0.25f, 0.75f }, moved.ObjectiveWeights.ToArray());
        CollectionAssert.AreEqual(new[] { 0.5f, 0.5f }, _model.ObjectiveWeights.ToArray());
        CollectionAssert.AreEqual(new[] { 0f, 1f }, _model.WithObjectiveWeights(0, 7).ObjectiveWeights.ToArray());
        CollectionAssert.AreEqual(new[] { SyntheticRanking.LabelA, SyntheticRanking.LabelB }, moved.Objectives.ToArray());

        // Scaling the weights changes nothing; other weights change the scores.
        var data = SyntheticRanking.Load(_ml, SyntheticRanking.Rows(5, 5, 8, seed: 12));
        float[] quarter = SyntheticRanking.Scores(moved.Transform(data));
        CollectionAssert.AreEqual(quarter, SyntheticRanking.Scores(_model.WithObjectiveWeights(2, 6).Transform(data)));
        CollectionAssert.AreNotEqual(quarter, SyntheticRanking.Scores(_model.Transform(data)));
    }

    [TestMethod]
    public void InvalidWeightsAreRejected()
    {
        var cases = new[]
        {
            new[] { 1f },
            new[] { 1f, 1f, 1f },
            new[] { -0.1f, 1f },
            new[] { float.NaN, 1f },
            new[] { 1f, float.PositiveInfinity },
            new[] { 0f, 0f },
        };
        foreach (var w in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => _model.WithObjectiveWeights(w), $"({string.Join(", ", w)})");
            Assert.AreEqual("weights", e.ParamName);
        }
        Assert.ThrowsExactly<ArgumentNullException>(() => _model.WithObjectiveWeights(null));
    }

    // ---- Columns ----

    [TestMethod]
    public void FeatureVectorOfAnotherSizeIsRejectedNamingTheColumn()
    {
        var five = _ml.Data.LoadFromEnumerable(new[] { new FiveFeatureRow { Features = new float[5], QueryId = 1 } });
        var fromTransform = Assert.ThrowsExactly<ArgumentException>(() => _model.Transform(five));
        var fromSchema = Assert.ThrowsExactly<ArgumentException>(() => _model.GetOutputSchema(five.Schema));
        var fromEngine = Assert.ThrowsExactly<ArgumentException>(() => _ml.Model.CreatePredictionEngine<FiveFeatureRow, ScoreRow>(_model));
        foreach (var e in new[] { fromTransform, fromSchema })
        {
            Assert.AreEqual("Features", e.ParamName);
            Assert.Contains("'Features'", e.Message);
            Assert.Contains("5", e.Message);
            Assert.Contains("4", e.Message);
        }
        Assert.Contains("Features", fromEngine.Message);
    }

    [TestMethod]
    public void TransformIsLazyAndPassesEveryColumnThrough()
    {
        var rows = ManyRows();
        var input = SyntheticRanking.Load(_ml, rows);
        var counting = new CountingDataView(input);
        var scored = _model.Transform(counting);
        Assert.AreEqual(0, counting.Cursors, "Transform must not read the data");
        Assert.AreEqual(input.GetRowCount(), scored.GetRowCount());

        Assert.HasCount(input.Schema.Count + 1, scored.Schema);
        for (int i = 0; i < input.Schema.Count; i++)
        {
            Assert.AreEqual(input.Schema[i].Name, scored.Schema[i].Name);
            Assert.AreEqual(input.Schema[i].Type, scored.Schema[i].Type, input.Schema[i].Name);
        }
        Assert.AreEqual("Score", scored.Schema[^1].Name);
        Assert.AreEqual(NumberDataViewType.Single, scored.Schema[^1].Type);

        CollectionAssert.AreEqual(input.GetColumn<float>("RelevanceA").ToArray(), scored.GetColumn<float>("RelevanceA").ToArray());
        CollectionAssert.AreEqual(input.GetColumn<float>("RelevanceB").ToArray(), scored.GetColumn<float>("RelevanceB").ToArray());
        CollectionAssert.AreEqual(input.GetColumn<uint>("QueryId").ToArray(), scored.GetColumn<uint>("QueryId").ToArray());
        CollectionAssert.AreEqual(input.GetColumn<uint>("GroupId").ToArray(), scored.GetColumn<uint>("GroupId").ToArray());
        var before = input.GetColumn<float[]>("Features").ToArray();
        var after = scored.GetColumn<float[]>("Features").ToArray();
        Assert.HasCount(before.Length, after);
        for (int r = 0; r < before.Length; r++) CollectionAssert.AreEqual(before[r], after[r], $"row {r}");

        // The key column keeps its key values, which ML.NET's evaluator and MapKeyToValue rely on.
        var keyValues = default(VBuffer<uint>);
        scored.Schema["GroupId"].GetKeyValues(ref keyValues);
        Assert.AreEqual(170, keyValues.Length);
        CollectionAssert.AreEqual(rows.Select(r => r.QueryId).Distinct().ToArray(), keyValues.DenseValues().ToArray());
    }

    [TestMethod]
    public void BadFeatureValueSurfacesOnlyWhenTheScoreIsRead()
    {
        var rows = ManyRows();
        rows[1100].Features[3] = float.NaN;
        var scored = _model.Transform(SyntheticRanking.Load(_ml, rows));
        Assert.HasCount(rows.Count, scored.GetColumn<float>("RelevanceA").ToArray(), "other columns read fine");
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(scored));
        Assert.Contains("'Features'", e.Message);
        Assert.Contains("row 1100", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [TestMethod]
    public void BlockScoresEqualPredictionEngineScoresRowByRow()
    {
        var rows = ManyRows();
        Assert.IsGreaterThan(2 * ScoredDataView.BlockRows, rows.Count);
        var model = _model.WithObjectiveWeights(0.3f, 0.7f);
        float[] blocks = SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(_ml, rows)));
        Assert.HasCount(rows.Count, blocks);

        var engine = _ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(model);
        for (int r = 0; r < rows.Count; r++)
        {
            float single = engine.Predict(rows[r]).Score;
            Assert.IsTrue(float.IsFinite(single));
            Assert.AreEqual(single, blocks[r], 1e-5f, $"row {r}");
        }
        // Distinct rows get distinct scores: the engine does not serve a stale cached score.
        Assert.AreNotEqual(engine.Predict(rows[0]).Score, engine.Predict(rows[1]).Score);
    }

    [TestMethod]
    public void ScoreColumnWorksWithMlNetRankingEvaluator()
    {
        var rows = ManyRows();
        var data = SyntheticRanking.Load(_ml, rows);
        var scored = _model.Transform(data);
        var metrics = _ml.Ranking.Evaluate(scored, SyntheticRanking.LabelA, "GroupId");
        Assert.HasCount(10, metrics.NormalizedDiscountedCumulativeGains);

        // The same figures from the scores read back, grouped by query.
        float[] scores = SyntheticRanking.Scores(scored);
        var starts = new List<int> { 0 };
        for (int r = 1; r < rows.Count; r++)
            if (rows[r].QueryId != rows[r - 1].QueryId) starts.Add(r);
        starts.Add(rows.Count);
        for (int k = 1; k <= 10; k++)
            Assert.AreEqual(metrics.NormalizedDiscountedCumulativeGains[k - 1],
                ListNdcg.Mean(scores, r => rows[r].RelevanceA, starts.ToArray(), k), 1e-6, $"NDCG@{k}");
    }

    [TestMethod]
    public void EstimatorWorksInsideAnAppendChain()
    {
        var raw = _ml.Data.LoadFromEnumerable(SyntheticRanking.Rows(20, 5, 10, seed: 13));
        var pipeline = _ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(RankingRow.QueryId))
            .Append(_ml.Transforms.NormalizeMinMax("Features"))
            .Append(_ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions(epochs: 2)))
            // A later step that needs GroupId to still be a key with key values.
            .Append(_ml.Transforms.Conversion.MapKeyToValue("QueryAgain", "GroupId"));

        var shape = pipeline.GetOutputSchema(MlNetInternals.ShapeOf(raw.Schema));
        Assert.AreEqual(NumberDataViewType.Single, shape.Single(c => c.Name == "Score").ItemType);
        Assert.IsTrue(shape.Single(c => c.Name == "GroupId").IsKey);
        Assert.AreEqual(NumberDataViewType.UInt32, shape.Single(c => c.Name == "QueryAgain").ItemType);

        var fitted = pipeline.Fit(raw);
        var scored = fitted.Transform(raw);
        Assert.IsTrue(SyntheticRanking.Scores(scored).All(float.IsFinite));
        CollectionAssert.AreEqual(raw.GetColumn<uint>("QueryId").ToArray(), scored.GetColumn<uint>("QueryAgain").ToArray());
        // ML.NET's NDCG of the pipeline's scores is the float64 NDCG from the definition over the same groups, grades and scores.
        var metrics = _ml.Ranking.Evaluate(scored, SyntheticRanking.LabelB, "GroupId");
        var groups = scored.GetColumn<uint>("GroupId").ToArray();
        var grades = scored.GetColumn<float>(SyntheticRanking.LabelB).ToArray();
        var scores = SyntheticRanking.Scores(scored);
        var expected = Evaluation.NdcgAnyGradeTests.ReferenceNdcg(groups.Select((g, i) => ((int)g, (int)grades[i], scores[i])).ToList(), 10);
        Assert.HasCount(10, metrics.NormalizedDiscountedCumulativeGains);
        for (int k = 0; k < 10; k++)
            Assert.AreEqual(expected[k], metrics.NormalizedDiscountedCumulativeGains[k], 1e-9, $"NDCG@{k + 1}");
    }

    [TestMethod]
    public void TrainerOutputShapeMatchesTheTransformedSchema()
    {
        var data = SyntheticRanking.Load(_ml, SyntheticRanking.Rows(5, 3, 6, seed: 14));
        var shape = _ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions()).GetOutputSchema(MlNetInternals.ShapeOf(data.Schema));
        var actual = MlNetInternals.ShapeOf(_model.Transform(data).Schema);
        Assert.HasCount(actual.Count, shape);
        foreach (var column in actual)
        {
            var predicted = shape.Single(c => c.Name == column.Name);
            Assert.AreEqual(column.Kind, predicted.Kind, column.Name);
            Assert.AreEqual(column.ItemType, predicted.ItemType, column.Name);
            Assert.AreEqual(column.IsKey, predicted.IsKey, column.Name);
            CollectionAssert.AreEqual(column.Annotations.Select(a => a.Name).ToArray(), predicted.Annotations.Select(a => a.Name).ToArray(), column.Name);
        }
    }

    /// <summary>Passes every call to <see cref="_inner"/> and counts the cursors opened on it.</summary>
    private sealed class CountingDataView : IDataView
    {
        private readonly IDataView _inner;
        public CountingDataView(IDataView inner) => _inner = inner;
        public int Cursors { get; private set; }
        public bool CanShuffle => _inner.CanShuffle;
        public DataViewSchema Schema => _inner.Schema;
        public long? GetRowCount() => _inner.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            Cursors++;
            return _inner.GetRowCursor(columnsNeeded, rand);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            Cursors++;
            return _inner.GetRowCursorSet(columnsNeeded, n, rand);
        }
    }
}
