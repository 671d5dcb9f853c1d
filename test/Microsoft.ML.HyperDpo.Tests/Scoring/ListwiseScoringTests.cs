using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling.Transformer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

public sealed class GroupWeightRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; } = Array.Empty<float>();

    public uint QueryId { get; set; }

    [VectorType(2)]
    public float[] ObjectiveWeights { get; set; } = Array.Empty<float>();
}

/// <summary>The transformer architecture end to end: fit, group-aware Transform, ONNX per group, checkpoints, errors.</summary>
[TestClass]
public class ListwiseScoringTests
{
    private static readonly Dictionary<ConditioningKind, HyperDpoRankingTransformer> Models = new();
    private static readonly List<RankingRow> TrainRows = SyntheticRanking.Rows(60, 5, 12, seed: 61);
    private static readonly List<RankingRow> TestRows = SyntheticRanking.Rows(20, 3, 14, seed: 62);

    internal static HyperDpoRankingTrainer.Options Options(ConditioningKind kind, int epochs = 12)
    {
        var o = SyntheticRanking.FastOptions(epochs, seed: 2);
        o.Network.Architecture = RankerArchitecture.Transformer;
        o.Network.Conditioning = kind;
        o.Network.TransformerWidth = 16;
        o.Network.AttentionHeads = 2;
        o.Network.PromptCount = 2;
        if (TransformerConditioning.IgnoresCondition(kind)) o.Loss.FixedObjectiveWeights = new[] { 1f, 0f };
        return o;
    }

    internal static HyperDpoRankingTransformer Model(ConditioningKind kind)
    {
        lock (Models)
        {
            if (!Models.TryGetValue(kind, out var model))
            {
                var ml = new MLContext(1);
                Models[kind] = model = ml.Ranking.Trainers.HyperDpo(Options(kind)).Fit(SyntheticRanking.Load(ml, TrainRows));
            }
            return model;
        }
    }

    [TestMethod]
    public void EveryTransformerKindLearnsAndItsCornersFollowTheWeights()
    {
        var ml = new MLContext(1);
        var test = SyntheticRanking.Load(ml, TestRows);
        foreach (var kind in TransformerConditioning.Kinds)
        {
            var model = Model(kind);
            double Ndcg(float wA, string label) => SyntheticRanking.Ndcg(ml, model.WithObjectiveWeights(wA, 1 - wA).Transform(test), label);
            double aAtA = Ndcg(1, SyntheticRanking.LabelA), aAtB = Ndcg(0, SyntheticRanking.LabelA), bAtB = Ndcg(0, SyntheticRanking.LabelB);
            string figures = $"{kind}: A {aAtA:F3} at (1,0), {aAtB:F3} at (0,1); B {bAtB:F3} at (0,1)";
            Console.WriteLine(figures);
            Assert.IsGreaterThan(0.85, aAtA, figures);
            if (!TransformerConditioning.IgnoresCondition(kind))
            {
                Assert.IsGreaterThan(0.85, bAtB, figures);
                Assert.IsGreaterThan(aAtB + 0.1, aAtA, figures);
            }
        }
    }

    [TestMethod]
    public void OnnxRuntimeScoresEachGroupAsTheTransformDoesForEveryTransformerKind()
    {
        var ml = new MLContext(1);
        var test = SyntheticRanking.Load(ml, TestRows);
        foreach (var kind in TransformerConditioning.Kinds)
        {
            var model = Model(kind).WithObjectiveWeights(0.3f, 0.7f);
            float[] expected = SyntheticRanking.Scores(model.Transform(test));
            byte[] perGroup, fixedWeights;
            using (var s = new MemoryStream()) { model.ExportToOnnx(s); perGroup = s.ToArray(); }
            using (var s = new MemoryStream()) { model.ExportToOnnx(s, fixedObjectiveWeights: true); fixedWeights = s.ToArray(); }
            using var session = new InferenceSession(perGroup);
            using var fixedSession = new InferenceSession(fixedWeights);
            int start = 0;
            foreach (var group in TestRows.GroupBy(r => r.QueryId))
            {
                int n = group.Count();
                var x = new DenseTensor<float>(group.SelectMany(r => r.Features).ToArray(), new[] { n, SyntheticRanking.FeatureCount });
                var w = new DenseTensor<float>(new[] { 3f, 7f }, new[] { 1, 2 });   // normalised in the graph
                using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", x), NamedOnnxValue.CreateFromTensor("ObjectiveWeights", w) });
                using var fixedResults = fixedSession.Run(new[] { NamedOnnxValue.CreateFromTensor("Features", x) });
                var actual = results.Single().AsTensor<float>().ToArray();
                var actualFixed = fixedResults.Single().AsTensor<float>().ToArray();
                for (int i = 0; i < n; i++)
                {
                    Assert.AreEqual(expected[start + i], actual[i], 1e-4f, $"{kind}, group {group.Key}, document {i}");
                    Assert.AreEqual(expected[start + i], actualFixed[i], 1e-4f, $"{kind}, fixed weights, group {group.Key}, document {i}");
                }
                start += n;
            }
        }
    }

    [TestMethod]
    public void TransformScoresEachGroupAsAWholeWhateverTheBlocks()
    {
        // Scoring the whole data (groups buffered into blocks) equals scoring each group as its own data view.
        var ml = new MLContext(1);
        var model = Model(ConditioningKind.HyperPrompt);
        var many = SyntheticRanking.Rows(150, 5, 14, seed: 63);   // more than one block of 1024 rows
        float[] all = SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, many)));
        int start = 0;
        foreach (var group in many.GroupBy(r => r.QueryId).Where((_, i) => i % 37 == 0 || i == 149))
        {
            start = many.FindIndex(r => r.QueryId == group.Key);
            float[] alone = SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, group)));
            for (int i = 0; i < alone.Length; i++)
                Assert.AreEqual(alone[i], all[start + i], 1e-5f, $"group {group.Key}, document {i}");
        }
    }

    [TestMethod]
    public void NonContiguousGroupsPredictionEnginesAndModelSaveGiveClearErrors()
    {
        var ml = new MLContext(1);
        var model = Model(ConditioningKind.HyperPrompt);
        var rows = SyntheticRanking.Rows(3, 4, 4, seed: 64);
        (rows[5], rows[9]) = (rows[9], rows[5]);   // a row of the third group inside the second
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, rows))));
        Assert.Contains("'GroupId'", e.Message);
        Assert.Contains("contiguous", e.Message);

        var engine = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.CreatePredictionEngine<RankingRow, ScoreRow>(model));
        Assert.Contains("one row at a time", engine.Message);
        var data = SyntheticRanking.Load(ml, rows);
        var save = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.Save(model, data.Schema, new MemoryStream()));
        Assert.Contains("HyperDpoCheckpoint", save.Message);
    }

    [TestMethod]
    public void CheckpointIsTheSavedFormOfAListwiseModel()
    {
        var ml = new MLContext(1);
        var model = Model(ConditioningKind.HyperPrompt).WithObjectiveWeights(0.8f, 0.2f);
        var test = SyntheticRanking.Load(ml, TestRows);
        string path = Path.Combine(Path.GetTempPath(), $"hyperdpo-listwise-{Guid.NewGuid():N}.zip");
        try
        {
            HyperDpoCheckpoint.Save(model, path);
            var loaded = HyperDpoCheckpoint.Load(ml, path).Model;
            CollectionAssert.AreEqual(SyntheticRanking.Scores(model.Transform(test)), SyntheticRanking.Scores(loaded.Transform(test)));
            Assert.AreEqual(RankerArchitecture.Transformer, HyperDpoCheckpoint.Load(ml, path).TrainerOptions.Network.Architecture);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WeightedScoreAndThePickerWorkPerGroup()
    {
        var ml = new MLContext(1);
        var model = Model(ConditioningKind.HyperPrompt);
        var groups = TestRows.GroupBy(r => r.QueryId).ToList();
        var rows = groups.SelectMany((g, i) => g.Select(r => new GroupWeightRow { Features = r.Features, QueryId = r.QueryId, ObjectiveWeights = new[] { i % 3 / 2f, 1 - i % 3 / 2f } })).ToList();
        IDataView Load(IEnumerable<GroupWeightRow> data)
        {
            var view = ml.Data.LoadFromEnumerable(data);
            return ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(GroupWeightRow.QueryId)).Fit(view).Transform(view);
        }
        var data = Load(rows);
        float[] scores = SyntheticRanking.Scores(ml.Transforms.WeightedScore(model).Fit(data).Transform(data));
        int start = 0;
        for (int i = 0; i < groups.Count; i++)
        {
            float[] expected = SyntheticRanking.Scores(model.WithObjectiveWeights(rows[start].ObjectiveWeights).Transform(SyntheticRanking.Load(ml, groups[i])));
            for (int j = 0; j < expected.Length; j++) Assert.AreEqual(expected[j], scores[start + j], 1e-5f, $"group {i}, document {j}");
            start += expected.Length;
        }

        rows[1].ObjectiveWeights = new[] { 0.9f, 0.1f };   // the first group's rows now disagree
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(ml.Transforms.WeightedScore(model).Fit(Load(rows)).Transform(Load(rows))));
        Assert.Contains("within group", e.Message);

        var choice = TradeOffPicker.Pick(ml, model, SyntheticRanking.Load(ml, TestRows), SyntheticRanking.LabelA, Array.Empty<NdcgConstraint>());
        Assert.AreEqual(choice.ValidationProfile.Points.Max(p => p.Ndcg[0][9]), choice.Validation.Ndcg[0][9], 1e-12);
    }

    [TestMethod]
    public void AFrozenBackboneStaysBitIdenticalWhileThePromptsAndHeadTrain()
    {
        var ml = new MLContext(1);
        var train = SyntheticRanking.Load(ml, TrainRows);
        var backbone = Model(ConditioningKind.None);   // trained on the first objective alone
        var options = Options(ConditioningKind.HyperPrompt, epochs: 4);
        options.Network.FrozenBackbone = backbone;
        var tuned = ml.Ranking.Trainers.HyperDpo(options).Fit(train);

        var before = backbone.ScoringModel.Network.Module.state_dict();
        var after = tuned.ScoringModel.Network.Module.state_dict();
        int frozen = 0, head = 0;
        foreach (var (name, tensor) in after)
        {
            if (TransformerRanker.IsBackboneEntry(name))
            {
                CollectionAssert.AreEqual(before[name].data<float>().ToArray(), tensor.data<float>().ToArray(), name);
                frozen++;
            }
            else if (TransformerRanker.IsHeadEntry(name))
            {
                CollectionAssert.AreNotEqual(before[name].data<float>().ToArray(), tensor.data<float>().ToArray(), name + " trains");
                head++;
            }
        }
        Assert.IsGreaterThan(10, frozen);
        Assert.IsGreaterThan(2, head);
        // The prompts make the frozen backbone follow the weights.
        var test = SyntheticRanking.Load(ml, TestRows);
        CollectionAssert.AreNotEqual(SyntheticRanking.Scores(tuned.WithObjectiveWeights(1, 0).Transform(test)), SyntheticRanking.Scores(tuned.WithObjectiveWeights(0, 1).Transform(test)));
    }
}
