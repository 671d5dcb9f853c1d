using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Tests.Persistence;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>Fine-tuning one FastTree ranker per objective: the score soup as the reference, and everything downstream of it.</summary>
[TestClass]
public class ReferenceModelsTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly IDataView Train = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
    private static readonly IDataView Valid = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(20, 5, 12, seed: 22));
    private static readonly IDataView Test = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(15, 5, 12, seed: 23));
    private static readonly IEstimator<ITransformer>[] Estimators = SyntheticRanking.Labels.Select(label => SyntheticRanking.SmallFastTree(Ml, label, 10)).ToArray();
    private static readonly ITransformer[] References = Estimators.Select(e => e.Fit(Train)).ToArray();

    private static HyperDpoRankingTrainer.Options Options(int epochs = 3)
    {
        var o = SyntheticRanking.FastOptions(epochs);
        o.References.Source = ReferenceSource.PerObjective(References);
        return o;
    }

    /// <summary>The soup sum_k w_k (r_k - mu_k) / sd_k in float64, mu and sd over the training rows.</summary>
    private static double[] Soup(IDataView data, float[] w) => ReferenceSoup.Of(References, Train, data, w);

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}, row {i}");
    }

    [TestMethod]
    public void TheModelStartsExactlyAtTheScoreSoup()
    {
        // A learning rate too small to move anything: the model is the state before the first step, g = 0.
        var o = Options(epochs: 1);
        o.Optimiser.LearningRate = 1e-30f;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
        foreach (var w in new[] { new[] { 1f, 0f }, new[] { 0.3f, 0.7f }, new[] { 0f, 1f } })
            AssertClose(Soup(Test, w), SyntheticRanking.Scores(model.WithObjectiveWeights(w).Transform(Test)), 1e-4, $"w = ({w[0]}, {w[1]})");
    }

    [TestMethod]
    public void TheValidationFrontIsNeverBelowTheReferenceSoup()
    {
        // A deliberately bad fit (a huge learning rate): early stopping must fall back on the state before the first step.
        var o = Options(epochs: 2);
        o.Optimiser.LearningRate = 5f;
        o.Validation.EarlyStoppingPatience = 0;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train, Valid);
        double front = ParetoProfiler.Profile(Ml, model, Valid).Hypervolume;
        // The reference soup itself: a model that has not moved from its start (checked against the float64 soup above).
        var still = Options(epochs: 1);
        still.Optimiser.LearningRate = 1e-30f;
        double soup = ParetoProfiler.Profile(Ml, Ml.Ranking.Trainers.HyperDpo(still).Fit(Train), Valid).Hypervolume;
        Assert.IsTrue(front >= soup - 1e-9, $"validation hypervolume {front:F4} is below the reference soup's {soup:F4} (kept epoch {model.TrainingReport!.BestEpoch})");
    }

    [TestMethod]
    public void ReferenceEstimatorsAreFittedOnTheTrainingData()
    {
        var o = SyntheticRanking.FastOptions(epochs: 1);
        o.References.Source = ReferenceSource.FitPerObjective(Estimators);
        o.Optimiser.LearningRate = 1e-30f;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
        AssertClose(Soup(Test, new[] { 0.5f, 0.5f }), SyntheticRanking.Scores(model.Transform(Test)), 1e-4, "fitted by the trainer");
        Assert.IsTrue(model.TrainingReport!.ReferenceFitTime > TimeSpan.Zero);
    }

    [TestMethod]
    public void OutOfFoldReferencesServeTheFullModelsStandardisedOnTheirOutOfFoldScores()
    {
        // With folds, the training rows see out-of-fold scores, but the served reference is still each full model, only
        // standardised differently: at a corner the untrained model is an increasing affine function of that model's score.
        var o = SyntheticRanking.FastOptions(epochs: 1);
        o.References.Source = ReferenceSource.FitPerObjective(Estimators);
        o.References.Folds = 3;
        o.Optimiser.LearningRate = 1e-30f;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
        for (int k = 0; k < 2; k++)
        {
            var w = new float[2];
            w[k] = 1;
            double[] reference = SyntheticRanking.Scores(References[k].Transform(Test)).Select(s => (double)s).ToArray();
            double[] scores = SyntheticRanking.Scores(model.WithObjectiveWeights(w).Transform(Test)).Select(s => (double)s).ToArray();
            // Slope and intercept from two rows, then every row must follow them.
            int a = Array.IndexOf(reference, reference.Min()), b = Array.IndexOf(reference, reference.Max());
            double slope = (scores[b] - scores[a]) / (reference[b] - reference[a]);
            Assert.IsTrue(slope > 0, $"objective {k}: slope {slope}");
            for (int i = 0; i < scores.Length; i++)
                Assert.AreEqual(scores[a] + slope * (reference[i] - reference[a]), scores[i], 1e-3, $"objective {k}, row {i}");
        }
        Assert.ThrowsExactly<ArgumentException>(() => { var bad = SyntheticRanking.FastOptions(); bad.References.Folds = 3; bad.References.Source = ReferenceSource.PerObjective(References); bad.Validate(); });
    }

    [TestMethod]
    public void OnlyTheResidualFormsLossSeesTheReference()
    {
        // References that copy each objective's label rank the training lists perfectly. Before any step (g = 0) the residual
        // loss is that of z = beta * r_w, below the implicit-reward loss of z = beta * g = 0 (every order equally likely); equal
        // labels keep both above zero. Without the reference in the loss the two fits would be identical (same seed).
        double FirstLoss(ReferenceForm form)
        {
            var o = SyntheticRanking.FastOptions(epochs: 1);
            o.References.Source = ReferenceSource.PerObjective(SyntheticRanking.Labels.Select(l => (ITransformer)Ml.Transforms.CopyColumns("Score", l).Fit(Train)).ToArray());
            o.References.Form = form;
            o.Optimiser.LearningRate = 1e-30f;
            return Ml.Ranking.Trainers.HyperDpo(o).Fit(Train).TrainingReport!.Epochs[0].MeanLoss;
        }
        double residual = FirstLoss(ReferenceForm.Residual), implicitReward = FirstLoss(ReferenceForm.ImplicitReward);
        Assert.IsTrue(residual < 0.9 * implicitReward, $"residual {residual:F3}, implicit reward {implicitReward:F3}");
    }

    [TestMethod]
    public void ReferenceOptionsAreCheckedUpFront()
    {
        // One source, so there is no combination to refuse; what is left is its size, null entries and folds without estimators.
        var o = SyntheticRanking.FastOptions();
        o.References.Source = ReferenceSource.PerObjective(new[] { References[0] });
        var e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Source", e.ParamName);
        Assert.Contains("one fitted model per objective (2: RelevanceA, RelevanceB); got 1", e.Message);
        o.References.Source = ReferenceSource.FitPerObjective(new IEstimator<ITransformer>[] { Estimators[0], null! });
        e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Source", e.ParamName);
        Assert.Contains("one estimator per objective", e.Message);
        Assert.Contains("some null", e.Message);
        o.References.Source = ReferenceSource.Shared(References[0]);
        o.References.Folds = 3;
        e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Folds", e.ParamName);
        Assert.Contains("ReferenceSource.FitPerObjective", e.Message);
        o.References.Source = ReferenceSource.FitPerObjective(Estimators);
        o.Validate();
        Assert.ThrowsExactly<ArgumentNullException>(() => ReferenceSource.Shared(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => ReferenceSource.PerObjective(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => ReferenceSource.FitPerObjective(null!));
    }

    [TestMethod]
    [DataRow(ReferenceForm.ImplicitReward, false)]
    [DataRow(ReferenceForm.ExtraInputs, false)]
    [DataRow(ReferenceForm.ExtraInputs, true)]
    public void KReferencesTravelThroughSaveWeightedScoreOnnxAndCheckpoints(ReferenceForm form, bool temperatureConditioned)
    {
        // The residual form differs from the implicit reward only in its loss: its model is scored and saved the same way.
        // With temperature conditioning the network reads [x, r] and (w, t(beta)) at once; every path scores at the model's temperature.
        var options = Options(epochs: 2);
        options.References.Form = form;
        if (temperatureConditioned) options.Loss.TemperatureRange = new[] { 1f, 10f };
        var model = Ml.Ranking.Trainers.HyperDpo(options).Fit(Train, Valid).WithObjectiveWeights(0.3f, 0.7f);
        Assert.AreEqual(temperatureConditioned, model.Temperature is not null);
        float[] expected = SyntheticRanking.Scores(model.Transform(Test));
        using var temporary = new TemporaryFolder("hyperdpo-references");
        string folder = temporary.Path;
        // Stock ML.NET save, loaded in a new process that does not load this library: the references are in the saved chain.
        string path = Path.Combine(folder, "model.zip");
        Ml.Model.Save(model, Test.Schema, path);
        var (scores, _, hyperDpo) = ModelProcess.Score(Ml, path, Test);
        AssertClose(expected.Select(s => (double)s).ToArray(), scores, 1e-4, "saved model in a new process");
        Assert.AreEqual("", hyperDpo);

        // WeightedScore with a constant weights column, saved and loaded in a new process.
        var pipeline = Ml.Transforms.ConstantObjectiveWeights(new[] { 0.3f, 0.7f }).Append(Ml.Transforms.WeightedScore(model)).Fit(Test);
        string weighted = Path.Combine(folder, "weighted.zip");
        Ml.Model.Save(pipeline, Test.Schema, weighted);
        var (weightedScores, _, _) = ModelProcess.Score(Ml, weighted, Test);
        AssertClose(expected.Select(s => (double)s).ToArray(), weightedScores, 1e-4, "WeightedScore in a new process");

        // ONNX: the reference scores are an input [N, K], computed by the model's reference chain.
        using var onnx = new MemoryStream();
        model.ExportToOnnx(onnx);
        using var session = new InferenceSession(onnx.ToArray());
        CollectionAssert.AreEqual(new[] { "Features", "ObjectiveWeights", "ReferenceScore" }, session.InputMetadata.Keys.ToArray());
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
            AssertClose(expected.Select(s => (double)s).ToArray(), results.Single().AsTensor<float>().ToArray(), 1e-4, "ONNX");

        // The exported file, applied with ML.NET's ApplyOnnxModel in a new process without this library: its inputs are columns.
        string onnxPath = Path.Combine(folder, "model.onnx");
        File.WriteAllBytes(onnxPath, onnx.ToArray());
        var onnxInputs = Ml.Transforms.CopyColumns("ReferenceScore", "HyperDpo.ReferenceScores")
            .Append(Ml.Transforms.ConstantObjectiveWeights(new[] { 0.3f, 0.7f }))
            .Append(Ml.Transforms.SelectColumns("Features", "ObjectiveWeights", "ReferenceScore"))
            .Fit(withReference).Transform(withReference);
        var (onnxScores, _, onnxHyperDpo) = ModelProcess.Score(Ml, onnxPath, onnxInputs);
        AssertClose(expected.Select(s => (double)s).ToArray(), onnxScores, 1e-4, "ONNX in a new process");
        Assert.AreEqual("", onnxHyperDpo);

        // Checkpoint: same scores after loading, and training resumes from the saved reference chain.
        string checkpointPath = Path.Combine(folder, "model.ckpt");
        HyperDpoCheckpoint.Save(model, checkpointPath);
        var checkpoint = HyperDpoCheckpoint.Load(new MLContext(2), checkpointPath);
        AssertClose(expected.Select(s => (double)s).ToArray(), SyntheticRanking.Scores(checkpoint.Model.Transform(Test)), 1e-5, "checkpoint");
        // And in a new process, loaded by 'hyperdpo score --checkpoint' (the references run from the checkpoint's saved chain).
        var fresh = CliProcess.ScoreCheckpoint(Ml, checkpointPath, Test, "0.3,0.7");
        AssertClose(expected.Select(s => (double)s).ToArray(), fresh, 1e-5, "checkpoint in a new process");
        var resume = checkpoint.TrainerOptions;
        resume.Optimiser.NumberOfEpochs = 1;
        var resumed = Ml.Ranking.Trainers.HyperDpo(resume).Fit(Train);
        Assert.AreSame(checkpoint.ReferenceModel, resumed.ReferenceTransformer);
    }
}
