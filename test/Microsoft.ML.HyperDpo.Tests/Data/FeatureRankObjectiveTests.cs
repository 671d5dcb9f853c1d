using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClassWithSkipReasons]
public class FeatureRankObjectiveTests
{
    public sealed class Row
    {
        public string Group { get; set; } = "";

        [VectorType(3)]
        public float[] Features { get; set; } = [];

        public float Label { get; set; }
    }

    private static Row R(string group, float a, float b, float c, float label = 0) => new() { Group = group, Features = [a, b, c], Label = label };

    // Slot 1 holds the graded feature. Group A is spread over rows 0, 2, 4, 6; B over 1, 3, 5; C is a
    // singleton; D has two equal values.
    private static readonly Row[] Rows =
    [
        R("A", 10, 0.0f, 20, 1), R("B", 11, 3, 21), R("A", 12, 0.5f, 22), R("B", 13, 1, 23),
        R("A", 14, 0.0f, 24), R("B", 15, 2, 25), R("A", 16, 1.0f, 26), R("C", 17, 7, 27),
        R("D", 18, 5, 28), R("D", 19, 5, 29, 2),
    ];

    private static IDataView Keyed(MLContext ml, IEnumerable<Row> rows)
    {
        var view = ml.Data.LoadFromEnumerable(rows.ToArray());
        return ml.Transforms.Conversion.MapValueToKey("GroupId", "Group").Fit(view).Transform(view);
    }

    private static float[] Grades(IDataView view, string column = "Objective") => view.GetColumn<float>(column).ToArray();

    [TestMethod]
    public void HigherIsBetter_GradesByHand()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, Rows);
        var output = ml.Transforms.FeatureRankObjective("Objective", featureIndex: 1).Fit(data).Transform(data);

        // A: 0, 0.5, 0, 1 -> for 0: worse 0 -> 0; 0.5: worse 2, better 1 -> floor(5*2/3) = 3; 1: worse 3, better 0 -> min(4, 5) = 4.
        // B: 3, 1, 2 -> 4, 0, floor(5*1/2) = 2. C: singleton -> 0. D: all equal -> 0.
        CollectionAssert.AreEqual(new float[] { 0, 4, 3, 0, 0, 2, 4, 0, 0, 0 }, Grades(output));
    }

    [TestMethod]
    public void LowerIsBetter_GradesByHand()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, Rows);
        var output = ml.Transforms.FeatureRankObjective("Objective", 1, FeatureDirection.LowerIsBetter).Fit(data).Transform(data);

        // A: 0 -> worse 2, better 0 -> 4; 0.5 -> worse 1, better 2 -> floor(5/3) = 1; 1 -> 0.  B: 3 -> 0, 1 -> 4, 2 -> 2.
        CollectionAssert.AreEqual(new float[] { 4, 0, 1, 4, 4, 2, 0, 0, 0, 0 }, Grades(output));
    }

    [TestMethod]
    public void MostlyZeroGroup_TiesShareAGrade_BothDirections()
    {
        var ml = new MLContext(seed: 1);
        float[] values = [0, 0, 0.2f, 0, 0, 1, 0, 0.7f, 0, 0];
        var data = Keyed(ml, values.Select(v => R("Q", 0, v, 0)));

        var higher = Grades(ml.Transforms.FeatureRankObjective("Objective", 1).Fit(data).Transform(data));
        // zeros: worse 0 -> 0; 0.2: worse 7, better 2 -> floor(35/9) = 3; 0.7: worse 8, better 1 -> floor(40/9) = 4; 1 -> 4.
        CollectionAssert.AreEqual(new float[] { 0, 0, 3, 0, 0, 4, 0, 4, 0, 0 }, higher);

        var lower = Grades(ml.Transforms.FeatureRankObjective("Objective", 1, FeatureDirection.LowerIsBetter).Fit(data).Transform(data));
        // zeros: worse 3, better 0 -> 4; 0.2: worse 2, better 7 -> floor(10/9) = 1; 0.7: worse 1, better 8 -> 0; 1 -> 0.
        CollectionAssert.AreEqual(new float[] { 4, 4, 1, 4, 4, 0, 4, 0, 4, 4 }, lower);
    }

    [TestMethod]
    public void DistinctValues_SpreadOverAllGrades_AndFewerGrades()
    {
        var ml = new MLContext(seed: 1);
        float[] values = [3, -1, 4, 1.5f, 9];
        var data = Keyed(ml, values.Select(v => R("Q", 0, v, 0)));
        // Ranks 2, 0, 3, 1, 4 of 5 -> floor(5 * rank / 4) = 2, 0, 3, 1, 5 -> clamped 4.
        CollectionAssert.AreEqual(new float[] { 2, 0, 3, 1, 4 }, Grades(ml.Transforms.FeatureRankObjective("Objective", 1).Fit(data).Transform(data)));
        // G = 3: floor(3 * rank / 4) = 1, 0, 2, 0, 3 -> clamped 2.
        CollectionAssert.AreEqual(new float[] { 1, 0, 2, 0, 2 }, Grades(ml.Transforms.FeatureRankObjective("Objective", 1, grades: 3).Fit(data).Transform(data)));
    }

    [TestMethod]
    public void Removal_DropsOnlyThatSlot_KeepsSlotNames_AndPassesOtherColumnsThrough()
    {
        var ml = new MLContext(seed: 1);
        var pipeline = ml.Transforms.Conversion.MapValueToKey("GroupId", "Group")
            .Append(ml.Transforms.Concatenate("Features", "F0", "F1", "F2"))
            .Append(ml.Transforms.FeatureRankObjective("Objective", 1, removeFromFeatures: true))
            .Append(ml.Transforms.CopyColumns("LabelCopy", "Label"))
            .Append(ml.Transforms.NormalizeMinMax("Normalized", "Features"));
        var input = ml.Data.LoadFromEnumerable(Rows.Select(r => new Flat(r)));
        var output = pipeline.Fit(input).Transform(input);

        var features = output.Schema["Features"];
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 2), features.Type);
        VBuffer<ReadOnlyMemory<char>> names = default;
        features.GetSlotNames(ref names);
        CollectionAssert.AreEqual(new[] { "F0", "F2" }, names.DenseValues().Select(n => n.ToString()).ToArray());

        var kept = output.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
        for (int i = 0; i < Rows.Length; i++)
            CollectionAssert.AreEqual(new[] { Rows[i].Features[0], Rows[i].Features[2] }, kept[i], $"row {i}");
        CollectionAssert.AreEqual(new float[] { 0, 4, 3, 0, 0, 2, 4, 0, 0, 0 }, Grades(output));
        CollectionAssert.AreEqual(Rows.Select(r => r.Label).ToArray(), output.GetColumn<float>("LabelCopy").ToArray());
        CollectionAssert.AreEqual(Rows.Select(r => r.Group).ToArray(), output.GetColumn<string>("Group").ToArray());
        // A later estimator in the chain was fitted on the shortened vector: F0 runs 10..19 and F2 20..29, each divided by its maximum.
        var normalized = output.GetColumn<VBuffer<float>>("Normalized").Select(v => v.DenseValues().ToArray()).ToList();
        for (int i = 0; i < Rows.Length; i++)
        {
            Assert.AreEqual(Rows[i].Features[0] / 19f, normalized[i][0], 1e-6f, $"normalized F0 of row {i}");
            Assert.AreEqual(Rows[i].Features[2] / 29f, normalized[i][1], 1e-6f, $"normalized F2 of row {i}");
        }
        Assert.IsTrue(output.Schema.Single(c => c.Name == "Features" && c.IsHidden).Type is VectorDataViewType { Size: 3 }, "the input vector stays, hidden");
    }

    public sealed class Flat
    {
        public Flat() { }

        public Flat(Row r) => (Group, F0, F1, F2, Label) = (r.Group, r.Features[0], r.Features[1], r.Features[2], r.Label);

        public string Group { get; set; } = "";
        public float F0 { get; set; }
        public float F1 { get; set; }
        public float F2 { get; set; }
        public float Label { get; set; }
    }

    [TestMethod]
    public void OutputColumnOfAnExistingName_ReplacesIt()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, Rows);
        var transformer = ml.Transforms.FeatureRankObjective("Label", 1).Fit(data);
        var output = transformer.Transform(data);
        CollectionAssert.AreEqual(new float[] { 0, 4, 3, 0, 0, 2, 4, 0, 0, 0 }, Grades(output, "Label"));
        Assert.AreEqual(output.Schema.Count, data.Schema.Count + 1);
        Assert.IsFalse(transformer.IsRowToRowMapper);
    }

    [TestMethod]
    public void SavedAndLoaded_RemovesTheSlotRowByRow_WithoutTheGradeColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, Rows);
        var removing = ml.Transforms.FeatureRankObjective("Objective", 1, removeFromFeatures: true).Fit(data);
        var keeping = ml.Transforms.FeatureRankObjective("Objective", 1).Fit(data);
        foreach (var (transformer, expected) in new[]
        {
            (removing, Rows.Select(r => new[] { r.Features[0], r.Features[2] })),
            (keeping, Rows.Select(r => r.Features)),
        })
        {
            using var stream = new MemoryStream();
            ml.Model.Save(transformer, data.Schema, stream);
            stream.Position = 0;
            var loaded = new MLContext(seed: 2).Model.Load(stream, out var schema);
            Assert.AreEqual(3, ((VectorDataViewType)schema["Features"].Type).Size, "the saved input schema has the full vector");

            var output = loaded.Transform(data);
            Assert.IsNull(output.Schema.GetColumnOrNull("Objective"), "a grade needs its whole group: not part of the saved form");
            var features = output.GetColumn<VBuffer<float>>("Features").Select(v => v.DenseValues().ToArray()).ToList();
            var wanted = expected.ToList();
            for (int i = 0; i < Rows.Length; i++)
                CollectionAssert.AreEqual(wanted[i], features[i], $"row {i}, removal {transformer.RemoveFromFeatures}");
            // The loaded form maps rows one at a time, so a prediction engine can serve it.
            Assert.IsTrue(loaded.IsRowToRowMapper);
        }
    }

    [TestMethod]
    public void SchemaErrors_NameTheColumnAndTheProblem()
    {
        var ml = new MLContext(seed: 1);
        var keyed = Keyed(ml, Rows);
        var unkeyed = ml.Data.LoadFromEnumerable(Rows);

        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 3).Fit(keyed));
        StringAssert.Contains(e.Message, "feature index 3");
        StringAssert.Contains(e.Message, "3 slots");

        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 1, rowGroupColumnName: "Group").Fit(unkeyed));
        StringAssert.Contains(e.Message, "'Group'");
        StringAssert.Contains(e.Message, "key type");

        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 1).Fit(unkeyed));
        StringAssert.Contains(e.Message, "no row group column 'GroupId'");

        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 0, featuresColumnName: "Label").Fit(keyed));
        StringAssert.Contains(e.Message, "'Label'");
        StringAssert.Contains(e.Message, "known-size vector of Single");

        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 0, featuresColumnName: "Nope").Fit(keyed));
        StringAssert.Contains(e.Message, "no features column 'Nope'");

        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.FeatureRankObjective("Objective", -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.FeatureRankObjective("Objective", 0, grades: 1));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Features", 0));
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("GroupId", 0));
    }

    [TestMethod]
    public void SchemaShape_AddsAScalarSingle_AndChecksKinds()
    {
        var ml = new MLContext(seed: 1);
        var keyed = Keyed(ml, Rows);
        // SchemaShape.Create is internal to ML.NET; reach it only here, to get the shape of a real view.
        var create = typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])!;
        var shape = (SchemaShape)create.Invoke(null, [keyed.Schema])!;

        var output = ml.Transforms.FeatureRankObjective("Objective", 1, removeFromFeatures: true).GetOutputSchema(shape);
        var objective = output.Single(c => c.Name == "Objective");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Scalar, objective.Kind);
        Assert.AreEqual(NumberDataViewType.Single, objective.ItemType);
        Assert.IsFalse(objective.IsKey);
        Assert.AreEqual(shape.Count + 1, output.Count);

        var unkeyed = (SchemaShape)create.Invoke(null, [ml.Data.LoadFromEnumerable(Rows).Schema])!;
        var e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 1, rowGroupColumnName: "Group").GetOutputSchema(unkeyed));
        StringAssert.Contains(e.Message, "'Group'");
        e = Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.FeatureRankObjective("Objective", 1, featuresColumnName: "Label").GetOutputSchema(shape));
        StringAssert.Contains(e.Message, "'Label'");
    }

    [TestMethod]
    public void NaNFeature_IsReportedWithRowAndColumn()
    {
        var ml = new MLContext(seed: 1);
        var data = Keyed(ml, [R("A", 0, 1, 0), R("A", 0, float.NaN, 0)]);
        var output = ml.Transforms.FeatureRankObjective("Objective", 1).Fit(data).Transform(data);
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => Grades(output));
        StringAssert.Contains(e.Message, "row 1");
        StringAssert.Contains(e.Message, "NaN in slot 1 of column 'Features'");
    }

    [TestMethod]
    public void MissingGroupKey_IsReportedWithRow()
    {
        // ML.NET's own SVMlight loader gives a line without qid the missing key (0).
        string path = Path.Combine(Path.GetTempPath(), $"noqid-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, "1 qid:3 1:1 2:2\n0 1:1 2:3\n");
        try
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromSvmLightFile(path, inputSize: 2, zeroBased: false);
            var output = ml.Transforms.FeatureRankObjective("Objective", 1).Fit(data).Transform(data);
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => output.GetColumn<float>("Objective").ToArray());
            StringAssert.Contains(e.Message, "row 1");
            StringAssert.Contains(e.Message, "missing key");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Mq2008_S1_PageRankObjective_RankingEvaluatorAgreesWithTheRule()
    {
        string path = SharedData.RequireFile("letor4-mq2008/S1.txt");
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadLetorFiles(path);
        var graded = ml.Transforms.FeatureRankObjective("PageRankLabel", featureIndex: 40, removeFromFeatures: true).Fit(data).Transform(data);

        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 45), graded.Schema["Features"].Type);
        var labels = graded.GetColumn<float>("PageRankLabel").ToArray();
        Assert.HasCount(2933, labels);
        Assert.IsTrue(labels.All(l => l is 0 or 1 or 2 or 3 or 4), "grades within 0..4");

        // PageRank read from the text: feature 41 of each line, grouped by qid.
        var pageRank = File.ReadLines(path).Select(line =>
        {
            string[] tokens = line.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return (Qid: tokens[1], Value: float.Parse(tokens.Single(t => t.StartsWith("41:"))[3..], System.Globalization.CultureInfo.InvariantCulture));
        }).ToList();
        for (int i = 0; i < labels.Length; i++)
        {
            var group = pageRank.Where(p => p.Qid == pageRank[i].Qid).Select(p => p.Value).ToList();
            if (pageRank[i].Value == group.Min())
                Assert.AreEqual(0f, labels[i], $"row {i}: the group's lowest PageRank gets 0");
            else if (pageRank[i].Value == group.Max())
                Assert.AreEqual(4f, labels[i], $"row {i}: the group's highest PageRank gets 4");
        }

        // Scoring by PageRank itself ranks every query perfectly by these grades (tied scores have tied
        // grades), so ML.NET's NDCG@k is 1 for each query with two distinct PageRanks and 0 for the others.
        var scored = ml.Transforms.CustomMapping<PageRankInput, ScoreOutput>((input, output) => output.Score = input.Features[40], contractName: null)
            .Fit(data).Transform(data);
        scored = ml.Transforms.FeatureRankObjective("PageRankLabel", featureIndex: 40).Fit(scored).Transform(scored);
        var metrics = ml.Ranking.Evaluate(scored, labelColumnName: "PageRankLabel", rowGroupColumnName: "GroupId", scoreColumnName: "Score");
        double informative = pageRank.GroupBy(p => p.Qid).Count(g => g.Select(p => p.Value).Distinct().Count() > 1) / 157.0;
        Assert.IsGreaterThan(0.5, informative, "share of queries with two distinct PageRanks");
        foreach (double ndcg in metrics.NormalizedDiscountedCumulativeGains)
            Assert.AreEqual(informative, ndcg, 1e-9);
    }

    public sealed class PageRankInput
    {
        [VectorType(46)]
        public float[] Features { get; set; } = [];
    }

    public sealed class ScoreOutput
    {
        public float Score { get; set; }
    }
}
