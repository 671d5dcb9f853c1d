using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Tests.Persistence;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>
/// One conditioned reference r(x, w) (a single ML.NET model whose input is the features followed by w) in place of the K-model
/// soup: the fit starts at it for every w, and every scoring path (save, WeightedScore, ONNX, checkpoint) scores it at the right w.
/// </summary>
[TestClass]
public class ConditionedReferenceTests
{
    private const string Column = "Conditioned";
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly IDataView Train = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
    private static readonly IDataView Valid = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(20, 5, 12, seed: 22));
    private static readonly IDataView Test = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(15, 5, 12, seed: 23));
    private static readonly float[][] TrainedAt = { new[] { 1f, 0f }, new[] { 0.75f, 0.25f }, new[] { 0.5f, 0.5f }, new[] { 0.25f, 0.75f }, new[] { 0f, 1f } };

    /// <summary>A FastTree regression on [x, w] whose label is the scalarised grade w_A A + w_B B: its ranking moves with w.</summary>
    private static readonly ITransformer Reference = FitReference();

    private sealed class ConditionedRow
    {
        [VectorType(SyntheticRanking.FeatureCount + 2)]
        public float[] Conditioned { get; set; } = [];
        public float Label { get; set; }
    }

    private static ITransformer FitReference()
    {
        var features = Train.GetColumn<float[]>("Features").ToArray();
        var a = Train.GetColumn<float>(SyntheticRanking.LabelA).ToArray();
        var b = Train.GetColumn<float>(SyntheticRanking.LabelB).ToArray();
        var rows = TrainedAt.SelectMany(w => features.Select((x, i) => new ConditionedRow { Conditioned = [.. x, .. w], Label = w[0] * a[i] + w[1] * b[i] }));
        return Ml.Regression.Trainers.FastTree(labelColumnName: "Label", featureColumnName: Column, numberOfLeaves: 8, numberOfTrees: 30, minimumExampleCountPerLeaf: 2)
            .Fit(Ml.Data.LoadFromEnumerable(rows.ToList()));
    }

    /// <summary>r(x, w) of every row of <paramref name="data"/>, by the model itself on [x, w] rows built here.</summary>
    private static double[] Raw(IDataView data, float[] w)
    {
        var rows = data.GetColumn<float[]>("Features").Select(x => new ConditionedRow { Conditioned = [.. x, .. w] }).ToList();
        return SyntheticRanking.Scores(Reference.Transform(Ml.Data.LoadFromEnumerable(rows))).Select(s => (double)s).ToArray();
    }

    /// <summary>(r(x, w) - mu) / sd in float64, mu and sd over the training rows at equal weights.</summary>
    private static double[] Expected(IDataView data, float[] w)
    {
        var train = Raw(Train, new[] { 0.5f, 0.5f });
        double mean = train.Average(), sd = Math.Sqrt(train.Sum(s => (s - mean) * (s - mean)) / train.Length);
        return Raw(data, w).Select(r => (r - mean) / sd).ToArray();
    }

    private static HyperDpoRankingTrainer.Options Options(int epochs)
    {
        var o = SyntheticRanking.FastOptions(epochs);
        o.References.ConditionedModel = Reference;
        o.References.ConditionedFeatureColumnName = Column;
        return o;
    }

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}, row {i}");
    }

    [TestMethod]
    public void TheModelStartsExactlyAtTheConditionedReferenceForEveryWeight()
    {
        var o = Options(epochs: 1);
        o.Optimiser.LearningRate = 1e-30f;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
        // 0.3 / 0.7 is none of the weights the reference was trained at: the reference is scored at w itself.
        foreach (var w in new[] { new[] { 1f, 0f }, new[] { 0.3f, 0.7f }, new[] { 0f, 1f } })
            AssertClose(Expected(Test, w), SyntheticRanking.Scores(model.WithObjectiveWeights(w).Transform(Test)), 1e-4, $"w = ({w[0]}, {w[1]})");
        // The reference's ranking does move with w, so a reference scored at one fixed w would fail the above.
        Assert.IsTrue(KendallTauOf(Expected(Test, new[] { 1f, 0f }), Expected(Test, new[] { 0f, 1f })) < 0.5);
    }

    private static double KendallTauOf(double[] x, double[] y)
    {
        int concordant = 0, pairs = 0;
        for (int i = 0; i < x.Length; i++)
            for (int j = i + 1; j < x.Length; j++, pairs++)
                concordant += Math.Sign(x[i] - x[j]) * Math.Sign(y[i] - y[j]);
        return (double)concordant / pairs;
    }

    [TestMethod]
    public void TheValidationFrontIsNeverBelowTheConditionedReferences()
    {
        // A deliberately bad fit: early stopping must fall back on the state before the first step, which validation measured
        // with the reference scored at every grid weight.
        var o = Options(epochs: 2);
        o.Optimiser.LearningRate = 5f;
        o.Validation.EarlyStoppingPatience = 0;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train, Valid);
        double front = ParetoProfiler.Profile(Ml, model, Valid).Hypervolume;
        var still = Options(epochs: 1);
        still.Optimiser.LearningRate = 1e-30f;
        double reference = ParetoProfiler.Profile(Ml, Ml.Ranking.Trainers.HyperDpo(still).Fit(Train), Valid).Hypervolume;
        Assert.IsTrue(front >= reference - 1e-9, $"validation hypervolume {front:F4} is below the conditioned reference's {reference:F4} (kept epoch {model.TrainingReport!.BestEpoch})");
    }

    [TestMethod]
    public void ConditionedReferenceOptionsAreCheckedUpFront()
    {
        var o = Options(epochs: 1);
        o.References.ConditionedFeatureColumnName = null;
        Assert.AreEqual("References.ConditionedFeatureColumnName", Assert.ThrowsExactly<ArgumentException>(o.Validate).ParamName);
        o = Options(epochs: 1);
        o.References.ConditionedFeatureColumnName = "Features";
        Assert.AreEqual("References.ConditionedFeatureColumnName", Assert.ThrowsExactly<ArgumentException>(o.Validate).ParamName);
        o = Options(epochs: 1);
        o.References.Form = ReferenceForm.ExtraInputs;
        Assert.AreEqual("References.Form", Assert.ThrowsExactly<ArgumentException>(o.Validate).ParamName);
        o = Options(epochs: 1);
        o.References.Source = ReferenceSource.Shared(Reference);
        Assert.AreEqual("References.ConditionedModel", Assert.ThrowsExactly<ArgumentException>(o.Validate).ParamName);
        o = Options(epochs: 1);
        o.References.ScoreColumnName = "NoSuchScore";
        var error = Assert.ThrowsExactly<ArgumentException>(() => Ml.Ranking.Trainers.HyperDpo(o).Fit(Train));
        StringAssert.Contains(error.Message, "NoSuchScore");
    }

    [TestMethod]
    public void TheConditionedReferenceTravelsThroughSaveWeightedScoreOnnxAndCheckpoints()
    {
        var model = Ml.Ranking.Trainers.HyperDpo(Options(epochs: 2)).Fit(Train, Valid).WithObjectiveWeights(0.3f, 0.7f);
        double[] expected = SyntheticRanking.Scores(model.Transform(Test)).Select(s => (double)s).ToArray();
        // The fitted model is the reference at (0.3, 0.7) plus g: a reference read at other weights would not give these scores.
        var other = SyntheticRanking.Scores(model.WithObjectiveWeights(0.7f, 0.3f).Transform(Test));
        Assert.IsTrue(expected.Zip(other).Any(p => Math.Abs(p.First - p.Second) > 1e-2));
        using var temporary = new TemporaryFolder("hyperdpo-conditioned-reference");
        string folder = temporary.Path;

        // Stock ML.NET save, loaded by stock ML.NET in a new process, and by LoadHyperDpo here (then moved along the front).
        string path = Path.Combine(folder, "model.zip");
        Ml.Model.Save(model, Test.Schema, path);
        var (scores, _, hyperDpo) = ModelProcess.Score(Ml, path, Test);
        AssertClose(expected, scores, 1e-4, "saved model in a new process");
        Assert.AreEqual("", hyperDpo);
        var loaded = (HyperDpoRankingTransformer)Ml.Model.LoadHyperDpo(path);
        AssertClose(expected, SyntheticRanking.Scores(loaded.Transform(Test)), 1e-5, "LoadHyperDpo");
        AssertClose(other.Select(s => (double)s).ToArray(), SyntheticRanking.Scores(loaded.WithObjectiveWeights(0.7f, 0.3f).Transform(Test)), 1e-5, "LoadHyperDpo at other weights");

        // WeightedScore reads each row's weights from a column, unnormalised here: the reference reads them normalised.
        var pipeline = Ml.Transforms.ConstantObjectiveWeights(new[] { 0.6f, 1.4f }).Append(Ml.Transforms.WeightedScore(model)).Fit(Test);
        AssertClose(expected, SyntheticRanking.Scores(pipeline.Transform(Test)), 1e-4, "WeightedScore");
        string weighted = Path.Combine(folder, "weighted.zip");
        Ml.Model.Save(pipeline, Test.Schema, weighted);
        var (weightedScores, _, _) = ModelProcess.Score(Ml, weighted, Test);
        AssertClose(expected, weightedScores, 1e-4, "WeightedScore in a new process");

        // ONNX: the reference scores input [N, K] is what the model's reference chain computes at its weights.
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        var withReference = model.ReferenceTransformer!.Transform(Test);
        float[] features = withReference.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
        float[] reference = withReference.GetColumn<float[]>("HyperDpo.ReferenceScores").SelectMany(r => r).ToArray();
        int n = expected.Length;
        var inputs = new List<NamedOnnxValue>
        {
            NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features, new[] { n, SyntheticRanking.FeatureCount })),
            NamedOnnxValue.CreateFromTensor("ObjectiveWeights", new DenseTensor<float>(Enumerable.Range(0, n).SelectMany(_ => new[] { 0.3f, 0.7f }).ToArray(), new[] { n, 2 })),
            NamedOnnxValue.CreateFromTensor("ReferenceScore", new DenseTensor<float>(reference, new[] { n, 2 })),
        };
        using (var results = session.Run(inputs))
            AssertClose(expected, results.Single().AsTensor<float>().ToArray(), 1e-4, "ONNX");

        // Checkpoint: same scores after loading, also at other weights, and training resumes on the saved conditioned reference.
        string checkpointPath = Path.Combine(folder, "model.ckpt");
        HyperDpoCheckpoint.Save(model, checkpointPath);
        var checkpoint = HyperDpoCheckpoint.Load(new MLContext(2), checkpointPath);
        AssertClose(expected, SyntheticRanking.Scores(checkpoint.Model.Transform(Test)), 1e-5, "checkpoint");
        AssertClose(other.Select(s => (double)s).ToArray(), SyntheticRanking.Scores(checkpoint.Model.WithObjectiveWeights(0.7f, 0.3f).Transform(Test)), 1e-5, "checkpoint at other weights");
        var resume = checkpoint.TrainerOptions;
        resume.Optimiser.NumberOfEpochs = 1;
        resume.Optimiser.LearningRate = 1e-30f;
        var resumed = Ml.Ranking.Trainers.HyperDpo(resume).Fit(Train, Valid).WithObjectiveWeights(0.3f, 0.7f);
        AssertClose(expected, SyntheticRanking.Scores(resumed.Transform(Test)), 1e-4, "resumed without moving");
    }
}
