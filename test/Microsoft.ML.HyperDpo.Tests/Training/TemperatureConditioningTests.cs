using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Modeling.Transformer;
using Microsoft.ML.HyperDpo.Tests.Persistence;
using Microsoft.ML.HyperDpo.Tests.Scoring;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>A row with per-row objective weights and temperature, for WeightedScore.</summary>
public sealed class TemperedRow
{
    [VectorType(SyntheticRanking.FeatureCount)]
    public float[] Features { get; set; } = [];

    [VectorType(2)]
    public float[] Weights { get; set; } = [];

    public float Beta { get; set; }
    public uint QueryId { get; set; }
}

/// <summary>Temperature conditioning (Options.Loss.TemperatureRange): training, every scoring path, persistence and errors.</summary>
[TestClass]
public class TemperatureConditioningTests
{
    private static readonly float[] Range = { 1f, 10f };
    private static readonly Dictionary<ConditioningKind, HyperDpoRankingTransformer> Models = new();

    /// <summary>A small temperature-conditioned model per registered kind, fitted with validation data (so its default is chosen).</summary>
    private static HyperDpoRankingTransformer Model(ConditioningKind kind)
    {
        lock (Models)
        {
            if (!Models.TryGetValue(kind, out var model))
            {
                var ml = new MLContext(seed: 3);
                var options = ScorerVariants.Options(kind, epochs: 3, seed: 5);
                options.Network.HiddenSizes = new[] { 24, 10 };
                options.Loss.TemperatureRange = (float[])Range.Clone();
                model = ml.Ranking.Trainers.HyperDpo(options).Fit(SyntheticRanking.Load(ml, SyntheticRanking.Rows(30, 5, 12, seed: 21)),
                    SyntheticRanking.Load(ml, SyntheticRanking.Rows(10, 5, 12, seed: 22)));
                Models[kind] = model;
            }
            return model;
        }
    }

    [TestMethod]
    public void KendallTauBCountsTiesAsNeitherAgreementNorDisagreement()
    {
        // Pairs of (1, 2, 2, 3) and (1, 3, 2, 2): 3 concordant, 1 discordant, 1 tied in x only, 1 tied in y only:
        // tau-b = (3 - 1) / sqrt((6 - 1) (6 - 1)) = 0.4.
        Assert.AreEqual(0.4, KendallTau.Compute(new[] { 1.0, 2, 2, 3 }, new[] { 1.0, 3, 2, 2 })!.Value, 1e-12);
        Assert.AreEqual(1.0, KendallTau.Compute(new[] { 1.0, 2, 3 }, new[] { 10.0, 20, 30 })!.Value, 1e-12);
        Assert.AreEqual(-1.0, KendallTau.Compute(new[] { 1.0, 2, 3 }, new[] { 3.0, 2, 1 })!.Value, 1e-12);
        Assert.IsNull(KendallTau.Compute(new[] { 1.0, 1, 1 }, new[] { 1.0, 2, 3 }));
        // Two queries (0.4 and -1) and one single document, which does not count.
        double mean = KendallTau.MeanOverQueries(new[] { 1f, 2, 2, 3, 1, 2, 3, 5 }, new[] { 1f, 3, 2, 2, 3, 2, 1, 0 }, new[] { 0, 4, 7, 8 });
        Assert.AreEqual((0.4 - 1) / 2, mean, 1e-12);
    }

    [TestMethod]
    public void TorchManagedAndOnnxRuntimeAgreeAtEveryTemperatureForEveryKind()
    {
        const int rows = 23;
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = Model(kind);
            var scoring = model.ScoringModel;
            int f = model.FeatureCount, k = model.Objectives.Count;
            Assert.AreEqual(ConditionVector.Width(k, temperature: true), scoring.ConditionWidth, $"{kind}: the network reads the temperature entry");
            var (x, w) = ScorerVariants.RandomInputs(rows, f, k, seed: 30);
            float[] atLowest = null;
            foreach (float beta in new[] { 1f, 2.5f, 10f })
            {
                var c = Enumerable.Range(0, rows).SelectMany(r => ConditionVector.Of(w.AsSpan(r * k, k).ToArray(), beta, Range)).ToArray();
                float[] torchScores;
                using (no_grad())
                using (var xt = tensor(x, new long[] { rows, f }))
                using (var ct = tensor(c, new long[] { rows, k + 1 }))
                using (var s = ((ConditionedScorer)scoring.Network).forward(xt, ct))
                    torchScores = s.data<float>().ToArray();
                var managed = new float[rows];
                scoring.Scorer.Score(x, rows, c, managed, scoring.Scorer.CreateWorkspace(rows));
                using var stream = new MemoryStream();
                model.WithTemperature(beta).ExportToOnnx(stream);
                var onnx = RunOnnx(stream.ToArray(), x, new[] { rows, f }, w, new[] { rows, k });
                for (int r = 0; r < rows; r++)
                {
                    Assert.AreEqual(torchScores[r], managed[r], 1e-5f, $"{kind}, beta {beta}, row {r}: managed");
                    Assert.AreEqual(torchScores[r], onnx[r], 1e-5f, $"{kind}, beta {beta}, row {r}: ONNX Runtime");
                }
                if (beta == 1f) atLowest = managed;
                else if (ScorerVariants.ReadsWeights(kind))
                    Assert.IsTrue(managed.Zip(atLowest!).Any(p => Math.Abs(p.First - p.Second) > 1e-6f), $"{kind}: the temperature changes no score");
            }
        }
    }

    [TestMethod]
    public void TheDefaultTemperatureHasTheWidestValidationFront()
    {
        var model = Model(ConditioningKind.FiLM);
        var records = model.TrainingReport!.Temperatures;
        Assert.AreEqual(5, records.Count);
        Assert.AreEqual(1f, records[0].Beta);
        Assert.AreEqual(10f, records[^1].Beta);
        for (int i = 1; i < records.Count; i++) Assert.IsGreaterThan(records[i - 1].Beta, records[i].Beta);
        foreach (var r in records) Assert.AreEqual(Hypervolume.Compute(r.Ndcg.Select(p => p.ToArray()).ToList()), r.Hypervolume, 1e-12);
        Assert.AreEqual(records.MaxBy(r => r.Hypervolume)!.Beta, model.Temperature);
        CollectionAssert.AreEqual(Range, model.TrainedTemperatureRange!.ToArray());
        // Weights and temperature are independent settings.
        Assert.AreEqual(model.Temperature, model.WithObjectiveWeights(0.2f, 0.8f).Temperature);
        Assert.AreEqual(4f, model.WithTemperature(4f).WithObjectiveWeights(1, 0).Temperature);
    }

    [TestMethod]
    public void WeightedScoreTemperatureColumnEqualsWithTemperatureRowByRow()
    {
        var model = Model(ConditioningKind.FiLM);
        var ml = new MLContext(1);
        var rows = Tempered(SyntheticRanking.Rows(6, 3, 6, seed: 40));
        var scored = ml.Transforms.WeightedScore(model, "Weights", "Score", "Beta").Fit(Load(ml, rows)).Transform(Load(ml, rows));
        var actual = SyntheticRanking.Scores(scored);
        for (int r = 0; r < rows.Count; r++)
        {
            var one = Load(ml, new[] { rows[r] });
            float expected = SyntheticRanking.Scores(model.WithObjectiveWeights(rows[r].Weights).WithTemperature(rows[r].Beta).Transform(one))[0];
            Assert.AreEqual(expected, actual[r], 1e-6f, $"row {r} (beta {rows[r].Beta})");
        }
        // Without the column every row is at the model's own temperature.
        var atDefault = SyntheticRanking.Scores(ml.Transforms.WeightedScore(model, "Weights").Fit(Load(ml, rows)).Transform(Load(ml, rows)));
        var first = SyntheticRanking.Scores(model.WithObjectiveWeights(rows[0].Weights).Transform(Load(ml, new[] { rows[0] })));
        Assert.AreEqual(first[0], atDefault[0], 1e-6f);
    }

    [TestMethod]
    public void BadTemperaturesGiveErrorsNamingTheValueOrColumn()
    {
        var model = Model(ConditioningKind.Input);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, 0f, -2f, 0.5f, 10.5f })
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.WithTemperature(bad));
            StringAssert.Contains(e.Message, bad.ToString(System.Globalization.CultureInfo.CurrentCulture));
            StringAssert.Contains(e.Message, "[1, 10]");
        }
        var plain = ScorerVariants.Model(ConditioningKind.Input);
        Assert.IsNull(plain.Temperature);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidOperationException>(() => plain.WithTemperature(2)).Message, "TemperatureRange");
        var ml = new MLContext(1);
        Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.WeightedScore(plain, "Weights", "Score", "Beta"));

        var rows = Tempered(SyntheticRanking.Rows(2, 3, 3, seed: 41));
        rows[4].Beta = 20f;
        var scored = ml.Transforms.WeightedScore(model, "Weights", "Score", "Beta").Fit(Load(ml, rows)).Transform(Load(ml, rows));
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => SyntheticRanking.Scores(scored));
        StringAssert.Contains(error.Message, "'Beta' at row 4");
        StringAssert.Contains(error.Message, "20");

        var wrongType = ml.Transforms.Conversion.ConvertType("Beta", outputKind: DataKind.Double).Fit(Load(ml, rows)).Transform(Load(ml, rows));
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Transforms.WeightedScore(model, "Weights", "Score", "Beta").Fit(wrongType)).Message, "'Beta'");

        foreach (var range in new[] { new[] { 0f, 1f }, new[] { 5f, 1f }, new[] { 1f }, new[] { 1f, float.NaN } })
        {
            var options = SyntheticRanking.FastOptions();
            options.Loss.TemperatureRange = range;
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Ranking.Trainers.HyperDpo(options)).Message, "TemperatureRange");
        }
    }

    [TestMethod]
    public void SavedModelsKeepTheirTemperatureInANewProcessAndThroughLoadHyperDpoAndCheckpoints()
    {
        using var folder = new TemporaryFolder("hyperdpo-temperature");
        var ml = new MLContext(1);
        var model = Model(ConditioningKind.Hypernetwork).WithObjectiveWeights(0.3f, 0.7f).WithTemperature(7f);
        var rows = SyntheticRanking.Rows(4, 3, 6, seed: 50);
        var data = SyntheticRanking.Load(ml, rows);
        var expected = SyntheticRanking.Scores(model.Transform(data));

        // Stock ML.NET in a new process, without this library: the saved temperature is the one scored.
        string path = folder.File("model.zip");
        ml.Model.Save(model, data.Schema, path);
        var (scores, _, assemblies) = ModelProcess.Score(ml, path, data);
        Assert.AreEqual("", assemblies);
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(expected[r], scores[r], 1e-5f, $"stock Load, row {r}");

        // LoadHyperDpo gives the temperature-conditioned transformer back: same temperature, range and scores at any temperature.
        var loaded = (HyperDpoRankingTransformer)ml.Model.LoadHyperDpo(path);
        Assert.AreEqual(7f, loaded.Temperature);
        CollectionAssert.AreEqual(Range, loaded.TrainedTemperatureRange!.ToArray());
        var atTwo = SyntheticRanking.Scores(model.WithTemperature(2f).Transform(data));
        var loadedAtTwo = SyntheticRanking.Scores(loaded.WithTemperature(2f).Transform(data));
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(atTwo[r], loadedAtTwo[r], 1e-5f, $"LoadHyperDpo, row {r}");

        // A WeightedScore with a temperature column: stock Load in a new process reads the column (the graph's temperature input).
        var tempered = Tempered(rows);
        var weighted = ml.Transforms.WeightedScore(model, "Weights", "Score", "Beta").Fit(Load(ml, tempered));
        var weightedExpected = SyntheticRanking.Scores(weighted.Transform(Load(ml, tempered)));
        string weightedPath = folder.File("weighted.zip");
        ml.Model.Save(weighted, Load(ml, tempered).Schema, weightedPath);
        var (weightedScores, _, _) = ModelProcess.Score(ml, weightedPath, Load(ml, tempered));
        for (int r = 0; r < weightedExpected.Length; r++) Assert.AreEqual(weightedExpected[r], weightedScores[r], 1e-5f, $"stock Load of WeightedScore, row {r}");
        Assert.AreEqual("Beta", ((WeightedScoreTransformer)ml.Model.LoadHyperDpo(weightedPath)).TemperatureColumnName);

        // Checkpoints keep the temperature and the range.
        string checkpointPath = folder.File("model.ckpt");
        HyperDpoCheckpoint.Save(model, checkpointPath);
        var checkpoint = HyperDpoCheckpoint.Load(ml, checkpointPath);
        Assert.AreEqual(7f, checkpoint.Model.Temperature);
        CollectionAssert.AreEqual(Range, checkpoint.TrainerOptions.Loss.TemperatureRange);
        var fromCheckpoint = SyntheticRanking.Scores(checkpoint.Model.WithObjectiveWeights(0.3f, 0.7f).Transform(data));
        for (int r = 0; r < expected.Length; r++) Assert.AreEqual(expected[r], fromCheckpoint[r], 1e-6f, $"checkpoint, row {r}");

        // Training continues from it with its options; options without a temperature range are refused, naming the option.
        var resume = checkpoint.TrainerOptions;
        resume.Optimiser.NumberOfEpochs = 1;
        resume.Checkpointing.StartFrom = checkpoint;
        Assert.IsNotNull(ml.Ranking.Trainers.HyperDpo(resume).Fit(data).Temperature);
        resume.Loss.TemperatureRange = null;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Ranking.Trainers.HyperDpo(resume)).Message, "TemperatureRange");
    }

    [TestMethod]
    public void TheTransformerArchitectureReadsTheTemperature()
    {
        var ml = new MLContext(1);
        var options = ListwiseScoringTests.Options(ConditioningKind.HyperPrompt, epochs: 2);
        options.Loss.TemperatureRange = (float[])Range.Clone();
        var data = SyntheticRanking.Load(ml, SyntheticRanking.Rows(12, 4, 8, seed: 60));
        var model = ml.Ranking.Trainers.HyperDpo(options).Fit(data);
        Assert.AreEqual(ConditionVector.Width(2, temperature: true), model.ScoringModel.Network.ConditionWidth);
        Assert.AreEqual(MathF.Sqrt(10f), model.Temperature!.Value, 1e-5f, "without validation data: the geometric mean of the range");
        var low = SyntheticRanking.Scores(model.WithTemperature(1f).Transform(data));
        var high = SyntheticRanking.Scores(model.WithTemperature(10f).Transform(data));
        Assert.IsTrue(low.Zip(high).Any(p => Math.Abs(p.First - p.Second) > 1e-6f), "the temperature changes no score");

        // The per-group ONNX graph at the temperature set: ONNX Runtime scores each group as Transform does.
        var rows = SyntheticRanking.Rows(3, 4, 7, seed: 61);
        var at = model.WithObjectiveWeights(0.7f, 0.3f).WithTemperature(3f);
        var expected = SyntheticRanking.Scores(at.Transform(SyntheticRanking.Load(ml, rows)));
        using var stream = new MemoryStream();
        at.ExportToOnnx(stream);
        int start = 0;
        foreach (var group in rows.GroupBy(r => r.QueryId))
        {
            var x = group.SelectMany(r => r.Features).ToArray();
            var scores = RunOnnx(stream.ToArray(), x, new[] { group.Count(), SyntheticRanking.FeatureCount }, new[] { 0.7f, 0.3f }, new[] { 1, 2 });
            for (int i = 0; i < scores.Length; i++) Assert.AreEqual(expected[start + i], scores[i], 1e-4f, $"group {group.Key}, document {i}");
            start += scores.Length;
        }
    }

    private static List<TemperedRow> Tempered(IEnumerable<RankingRow> rows) =>
        rows.Select((r, i) => new TemperedRow
        {
            Features = r.Features,
            Weights = new[] { (i % 4) / 3f, 1 - (i % 4) / 3f },
            Beta = new[] { 1f, 2f, 5.5f, 10f, 3f }[i % 5],
            QueryId = r.QueryId,
        }).ToList();

    private static IDataView Load(MLContext ml, IEnumerable<TemperedRow> rows)
    {
        var view = ml.Data.LoadFromEnumerable(rows);
        return ml.Transforms.Conversion.MapValueToKey("GroupId", nameof(TemperedRow.QueryId)).Fit(view).Transform(view);
    }

    private static float[] RunOnnx(byte[] model, float[] x, int[] xShape, float[] w, int[] wShape)
    {
        using var session = new InferenceSession(model);
        using var results = session.Run(new[]
        {
            NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(x, xShape)),
            NamedOnnxValue.CreateFromTensor(HyperDpoRankingTransformer.OnnxObjectiveWeightsInputName, new DenseTensor<float>(w, wShape)),
        });
        return results.Single().AsTensor<float>().ToArray();
    }
}
