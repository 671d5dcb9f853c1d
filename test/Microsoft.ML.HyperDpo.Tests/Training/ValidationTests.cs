using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>Wrong options, wrong columns and wrong values fail up front with a message that names what is wrong.</summary>
[TestClass]
public class ValidationTests
{
    private sealed class ScalarFeatureRow
    {
        public float Features { get; set; }
        public float RelevanceA { get; set; }
        public float RelevanceB { get; set; }
        public uint QueryId { get; set; }
    }

    private sealed class TextFeatureRow
    {
        public string Features { get; set; }
        public float RelevanceA { get; set; }
        public float RelevanceB { get; set; }
        public uint QueryId { get; set; }
    }

    private sealed class TextLabelRow
    {
        [VectorType(SyntheticRanking.FeatureCount)]
        public float[] Features { get; set; }
        public string RelevanceA { get; set; }
        public float RelevanceB { get; set; }
        public uint QueryId { get; set; }
    }

    private static readonly MLContext Ml = new(seed: 1);

    private static HyperDpoRankingTrainer.Options With(Action<HyperDpoRankingTrainer.Options> change)
    {
        var o = SyntheticRanking.FastOptions(epochs: 1);
        change(o);
        return o;
    }

    private static IDataView Good(int queries = 6) => SyntheticRanking.Load(Ml, SyntheticRanking.Rows(queries, 3, 6, seed: 2));

    private static IDataView Keyed<T>(IEnumerable<T> rows) where T : class
    {
        var view = Ml.Data.LoadFromEnumerable(rows);
        return Ml.Transforms.Conversion.MapValueToKey("GroupId", "QueryId").Fit(view).Transform(view);
    }

    private static void AssertNames(ArgumentException e, string name)
    {
        Assert.AreEqual(name, e.ParamName);
        Assert.Contains(name, e.Message);
    }

    // ---- Options.Validate ----

    [TestMethod]
    public void FewerThanTwoObjectivesIsRejected()
    {
        foreach (var labels in new[] { Array.Empty<string>(), new[] { "RelevanceA" }, null })
        {
            var o = With(x => x.LabelColumnNames = labels);
            var e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
            AssertNames(e, nameof(o.LabelColumnNames));
            Assert.ThrowsExactly<ArgumentException>(() => Ml.Ranking.Trainers.HyperDpo(o));
        }
    }

    [TestMethod]
    public void DuplicateLabelColumnIsRejectedNamingIt()
    {
        var o = With(x => x.LabelColumnNames = new[] { "RelevanceA", "RelevanceB", "RelevanceA" });
        var e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        AssertNames(e, nameof(o.LabelColumnNames));
        Assert.Contains("'RelevanceA'", e.Message);
    }

    [TestMethod]
    public void EachBadNumericOptionIsNamed()
    {
        var cases = new (string Option, Action<HyperDpoRankingTrainer.Options> Change)[]
        {
            ("Network.HiddenSizes", o => o.Network.HiddenSizes = new[] { 8, 0 }),
            ("Network.Dropout", o => o.Network.Dropout = 1),
            ("Loss.TopK", o => o.Loss.TopK = 0),
            ("Loss.TopK", o => { o.Loss.Kind = ListwiseLossKind.ListNet; o.Loss.TopK = 10; }),
            ("Loss.Ties", o => { o.Loss.Kind = ListwiseLossKind.ListNet; o.Loss.Ties = TieHandling.RandomOrder; }),
            ("Loss.Beta", o => o.Loss.Beta = float.NaN),
            ("References.Beta", o => o.References.Beta = 0),
            ("Loss.DirichletAlpha", o => o.Loss.DirichletAlpha = 0),
            ("Loss.CosmosPenalty", o => o.Loss.CosmosPenalty = -1),
            ("Optimiser.NumberOfEpochs", o => o.Optimiser.NumberOfEpochs = 0),
            ("Optimiser.BatchSize", o => o.Optimiser.BatchSize = 0),
            ("Optimiser.MaxListLength", o => o.Optimiser.MaxListLength = 1),
            ("Optimiser.LearningRate", o => o.Optimiser.LearningRate = float.PositiveInfinity),
            ("Optimiser.WeightDecay", o => o.Optimiser.WeightDecay = -1e-3f),
            ("Optimiser.GradientClipNorm", o => o.Optimiser.GradientClipNorm = -1),
            ("Validation.EarlyStoppingPatience", o => o.Validation.EarlyStoppingPatience = -1),
            ("Validation.GridDivisions", o => o.Validation.GridDivisions = 0),
            ("Validation.EvaluationTruncation", o => o.Validation.EvaluationTruncation = 0),
            ("References.ScoreColumnName", o => o.References.ScoreColumnName = " "),
            ("Runtime.NumberOfThreads", o => o.Runtime.NumberOfThreads = 0),
            ("LargeData.Rows", o => o.LargeData.Rows = 0),
            ("LargeData.RowsPerStep", o => o.LargeData.RowsPerStep = 0),
            ("LargeData.ValidationLists", o => o.LargeData.ValidationLists = 0),
            ("Checkpointing.Interval", o => o.Checkpointing.Interval = 0),
            ("Checkpointing.StepInterval", o => o.Checkpointing.StepInterval = -1),
            ("Checkpointing.Seconds", o => o.Checkpointing.Seconds = double.NaN),
            ("Checkpointing.Path", o => o.Checkpointing.Path = " "),
            ("Checkpointing.Resume", o => o.Checkpointing.Resume = true),
            ("FeatureColumnName", o => o.FeatureColumnName = " "),
            ("RowGroupColumnName", o => o.RowGroupColumnName = ""),
            ("InitialObjectiveWeights", o => o.InitialObjectiveWeights = new[] { 1f, -1f }),
        };
        foreach (var (option, change) in cases)
        {
            var e = Assert.ThrowsExactly<ArgumentException>(With(change).Validate, option);
            AssertNames(e, option);
        }
    }

    // ---- Columns: GetOutputSchema(SchemaShape) and Fit reject the same things ----

    private static void AssertRejectedColumn(HyperDpoRankingTrainer.Options options, IDataView data, string column, params string[] alsoMentioned)
    {
        var trainer = Ml.Ranking.Trainers.HyperDpo(options);
        var fromShape = Assert.ThrowsExactly<ArgumentException>(() => trainer.GetOutputSchema(MlNetInternals.ShapeOf(data.Schema)));
        var fromFit = Assert.ThrowsExactly<ArgumentException>(() => trainer.Fit(data));
        foreach (var e in new[] { fromShape, fromFit })
        {
            Assert.AreEqual(column, e.ParamName);
            Assert.Contains($"'{column}'", e.Message);
            foreach (string s in alsoMentioned) Assert.Contains(s, e.Message);
        }
    }

    [TestMethod]
    public void MissingFeatureColumnIsNamed() =>
        AssertRejectedColumn(With(o => o.FeatureColumnName = "Feats"), Good(), "Feats");

    [TestMethod]
    public void MissingLabelColumnIsNamed() =>
        AssertRejectedColumn(With(o => o.LabelColumnNames = new[] { "RelevanceA", "Clicks" }), Good(), "Clicks");

    [TestMethod]
    public void MissingGroupColumnIsNamed() =>
        AssertRejectedColumn(With(o => o.RowGroupColumnName = "Query"), Good(), "Query");

    [TestMethod]
    public void ScalarFeatureColumnIsRejected() =>
        AssertRejectedColumn(SyntheticRanking.FastOptions(), Keyed(new[] { new ScalarFeatureRow { Features = 1, QueryId = 1 } }), "Features", "vector");

    [TestMethod]
    public void TextFeatureColumnIsRejected() =>
        AssertRejectedColumn(SyntheticRanking.FastOptions(), Keyed(new[] { new TextFeatureRow { Features = "a b", QueryId = 1 } }), "Features", "vector");

    [TestMethod]
    public void TextLabelColumnIsRejected() =>
        AssertRejectedColumn(SyntheticRanking.FastOptions(),
            Keyed(new[] { new TextLabelRow { Features = new float[4], RelevanceA = "2", QueryId = 1 } }), "RelevanceA", "numeric");

    [TestMethod]
    public void GroupColumnThatIsNotAKeyPointsToMapValueToKey()
    {
        var raw = Ml.Data.LoadFromEnumerable(SyntheticRanking.Rows(4, 3, 5, seed: 3));
        AssertRejectedColumn(With(o => o.RowGroupColumnName = "QueryId"), raw, "QueryId", "MapValueToKey");
    }

    [TestMethod]
    public void OutputSchemaIsTheInputPlusASingleScore()
    {
        var data = Good();
        var shape = Ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions()).GetOutputSchema(MlNetInternals.ShapeOf(data.Schema));
        var names = shape.Select(c => c.Name).ToArray();
        CollectionAssert.AreEqual(data.Schema.Select(c => c.Name).Append("Score").ToArray(), names);
        var score = shape.Single(c => c.Name == "Score");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, score.Kind);
        Assert.AreEqual(NumberDataViewType.Single, score.ItemType);
        var group = shape.Single(c => c.Name == "GroupId");
        Assert.IsTrue(group.IsKey);
        var features = shape.Single(c => c.Name == "Features");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, features.Kind);
    }

    // ---- Values ----

    private static InvalidOperationException FitFails(IEnumerable<RankingRow> rows) =>
        Assert.ThrowsExactly<InvalidOperationException>(() =>
            Ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions()).Fit(SyntheticRanking.Load(Ml, rows)));

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteFeatureIsReportedWithColumnRowAndValue(float bad)
    {
        var rows = SyntheticRanking.Rows(5, 3, 5, seed: 4);
        rows[7].Features[2] = bad;
        var e = FitFails(rows);
        Assert.Contains("'Features'", e.Message);
        Assert.Contains($"value {bad}", e.Message);
        Assert.Contains("row 7", e.Message);
        Assert.Contains("slot 2", e.Message);
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(-1f)]
    [DataRow(float.PositiveInfinity)]
    public void BadLabelIsReportedWithColumnAndValue(float bad)
    {
        var rows = SyntheticRanking.Rows(5, 3, 5, seed: 4);
        rows[4].RelevanceB = bad;
        var e = FitFails(rows);
        Assert.Contains("'RelevanceB'", e.Message);
        Assert.Contains($"value {bad}", e.Message);
        Assert.Contains("row 4", e.Message);
    }

    [TestMethod]
    public void EmptyDataIsRejected()
    {
        var e = FitFails(Array.Empty<RankingRow>());
        Assert.Contains("no rows", e.Message);
    }

    [TestMethod]
    public void ValidationDataWithAnotherFeatureCountIsRejected()
    {
        var five = Ml.Data.LoadFromEnumerable(new[] { new FiveFeatureRow { Features = new float[5], RelevanceA = 1, QueryId = 1 } });
        five = Ml.Transforms.Conversion.MapValueToKey("GroupId", "QueryId").Fit(five).Transform(five);
        var e = Assert.ThrowsExactly<ArgumentException>(() => Ml.Ranking.Trainers.HyperDpo(SyntheticRanking.FastOptions()).Fit(Good(), five));
        Assert.Contains("'Features'", e.Message);
    }
}
