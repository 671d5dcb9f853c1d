using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.HyperDpo.Tests.Persistence;

namespace Microsoft.ML.HyperDpo.Tests.Training;

/// <summary>
/// <see cref="ReferenceReweighting.PerObjective"/>: the reference term sum_k w_k (1 + tanh a_k(x, w)) r_k, with a(x, w) learnt and
/// starting at zero, so that the fit starts at the score soup.
/// </summary>
[TestClass]
public class ReferenceReweightingTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly IDataView Train = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(40, 5, 12, seed: 21));
    private static readonly IDataView Valid = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(20, 5, 12, seed: 22));
    private static readonly IDataView Test = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(15, 5, 12, seed: 23));
    private static readonly ITransformer[] References = SyntheticRanking.Labels.Select(label => SyntheticRanking.SmallFastTree(Ml, label, 10).Fit(Train)).ToArray();

    private static HyperDpoRankingTrainer.Options Options(int epochs, ReferenceForm form = ReferenceForm.ImplicitReward)
    {
        var o = SyntheticRanking.FastOptions(epochs);
        o.References.Source = ReferenceSource.PerObjective(References);
        o.References.Form = form;
        o.References.Reweighting = ReferenceReweighting.PerObjective;
        return o;
    }

    private static ReweightingParameters Reweighting(HyperDpoRankingTransformer model)
    {
        var network = (ConditionedScorer)model.ScoringModel.Network;
        Assert.AreEqual(2, network.ReweightedObjectives, "the network re-weights both references");
        return model.ScoringModel.Parameters.Reweighting ?? throw new AssertFailedException("the exported parameters have no re-weighting");
    }

    private static void AssertClose(IReadOnlyList<double> expected, IReadOnlyList<float> actual, double tolerance, string what)
    {
        Assert.HasCount(expected.Count, actual, what);
        for (int i = 0; i < expected.Count; i++)
            Assert.AreEqual(expected[i], actual[i], tolerance, $"{what}, row {i}");
    }

    [TestMethod]
    [DataRow(ReferenceForm.ImplicitReward)]
    [DataRow(ReferenceForm.Residual)]
    public void AtInitialisationTheScoresAreTheSoupsInFloat64(ReferenceForm form)
    {
        // A learning rate too small to move anything: the model is its state before the first step, whose scores must be the soup
        // computed from the reference models alone, for every w (a re-weighting that did not start at 1 would move them).
        var o = Options(epochs: 1, form);
        o.Optimiser.LearningRate = 1e-30f;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
        var reweighting = Reweighting(model);
        // (AdamW's first step moves every parameter by about the learning rate, 1e-30, whatever its gradient.)
        Assert.IsLessThan(1e-20, reweighting.Output.Weight.Concat(reweighting.Output.Bias).Max(Math.Abs), "a(x, w) starts at zero");
        foreach (var w in new[] { new[] { 1f, 0f }, new[] { 0.3f, 0.7f }, new[] { 0f, 1f } })
            AssertClose(ReferenceSoup.Of(References, Train, Test, w), SyntheticRanking.Scores(model.WithObjectiveWeights(w).Transform(Test)), 1e-4, $"w = ({w[0]}, {w[1]})");
    }

    [TestMethod]
    [DataRow(ReferenceForm.ImplicitReward)]
    [DataRow(ReferenceForm.Residual)]
    public void TrainingMovesTheReweightingAndTheServedScoresUseIt(ReferenceForm form)
    {
        // a's last layer starts at zero and weight decay keeps zero at zero: only gradients through the loss can move it.
        var model = Ml.Ranking.Trainers.HyperDpo(Options(epochs: 3, form)).Fit(Train);
        var reweighting = Reweighting(model);
        Assert.IsGreaterThan(1e-3, reweighting.Output.Weight.Max(Math.Abs), "the gradients reach the re-weighting's last layer");
        Assert.IsGreaterThan(1e-3, reweighting.Output.Bias.Max(Math.Abs), "and its bias");

        // The served scores are g(x; w) + sum_k w_k (1 + tanh a_k) r_k, with a recomputed here in float64 from the exported layers.
        var w = new[] { 0.3f, 0.7f };
        var scoring = model.ScoringModel;
        var withReference = model.ReferenceTransformer!.Transform(Test);
        float[][] features = withReference.GetColumn<float[]>("Features").ToArray();
        float[][] reference = withReference.GetColumn<float[]>(ReferenceScoresColumn).ToArray();
        var p = scoring.Parameters;
        var served = SyntheticRanking.Scores(model.WithObjectiveWeights(w).Transform(Test));
        var workspace = scoring.Scorer.CreateWorkspace(1);
        double largest = 0;
        for (int i = 0; i < features.Length; i++)
        {
            var g = new float[1];
            scoring.Scorer.Score(features[i], 1, w, g, workspace);
            var input = features[i].Select((x, j) => ((double)x - p.Mean[j]) / p.Scale[j]).Concat(w.Select(v => (double)v)).ToArray();
            var h = Dense(reweighting.Hidden, input).Select(v => v / (1 + Math.Exp(-v))).ToArray();
            var a = Dense(reweighting.Output, h);
            double term = 0, soup = 0;
            for (int k = 0; k < 2; k++)
            {
                term += w[k] * (1 + Math.Tanh(a[k])) * reference[i][k];
                soup += w[k] * reference[i][k];
            }
            Assert.AreEqual(g[0] + term, served[i], 1e-4, $"row {i}");
            largest = Math.Max(largest, Math.Abs(term - soup));
        }
        Assert.IsGreaterThan(1e-3, largest, "the re-weighting changes the reference term");
    }

    private const string ReferenceScoresColumn = "HyperDpo.ReferenceScores";

    private static double[] Dense(DenseLayer layer, double[] input)
    {
        var y = new double[layer.Outputs];
        for (int o = 0; o < layer.Outputs; o++)
        {
            double sum = layer.Bias[o];
            for (int i = 0; i < layer.Inputs; i++) sum += (double)layer.Weight[o * layer.Inputs + i] * input[i];
            y[o] = sum;
        }
        return y;
    }

    [TestMethod]
    public void GradientsOfTheLossReachEveryReweightingParameter()
    {
        // Once a's last layer is off zero, the gradient of a loss on the reference term reaches both of its layers.
        using var network = new ConditionedScorer(4, 2, new[] { 8, 6 }, 0f, ConditioningKind.Input, new float[4], new[] { 1f, 1f, 1f, 1f }, reweightedObjectives: 2);
        var named = network.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (TorchSharp.torch.no_grad())
            named["reweight_output.weight"].fill_(0.1f);
        using var x = TorchSharp.torch.randn(5, 4);
        using var c = TorchSharp.torch.tensor(new[] { 0.3f, 0.7f }).unsqueeze(0);
        using var r = TorchSharp.torch.randn(5, 2);
        using var loss = network.ReweightedReference(x, c, r).pow(2).sum();
        loss.backward();
        foreach (string name in new[] { "reweight_hidden.weight", "reweight_hidden.bias", "reweight_output.weight", "reweight_output.bias" })
        {
            var grad = named[name].grad ?? throw new AssertFailedException($"{name} has no gradient");
            Assert.IsGreaterThan(0, grad.abs().max().item<float>(), name);
        }
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void TheReweightingTravelsThroughSaveLoadOnnxAndCheckpoints(bool temperatureConditioned)
    {
        var options = Options(epochs: 3);
        if (temperatureConditioned) options.Loss.TemperatureRange = new[] { 1f, 10f };
        var model = Ml.Ranking.Trainers.HyperDpo(options).Fit(Train, Valid).WithObjectiveWeights(0.3f, 0.7f);
        Assert.IsGreaterThan(1e-3, Reweighting(model).Output.Weight.Max(Math.Abs), "a trained re-weighting, so that dropping it would change the scores");
        float[] expected = SyntheticRanking.Scores(model.Transform(Test));
        var doubles = expected.Select(s => (double)s).ToArray();
        using var temporary = new TemporaryFolder("hyperdpo-reweighting");

        // Saved with stock ML.NET and loaded back: this library rebuilds the network, re-weighting included.
        string path = Path.Combine(temporary.Path, "model.zip");
        Ml.Model.Save(model, Test.Schema, path);
        var loaded = Ml.Model.LoadHyperDpo(path, out _);
        var parts = HyperDpoModelParts.Of(loaded);
        Assert.AreEqual(2, ((ConditionedScorer)parts.Ranker.ScoringModel.Network).ReweightedObjectives);
        AssertClose(doubles, SyntheticRanking.Scores(loaded.Transform(Test)), 1e-5, "loaded with this library");
        // In a new process without this library: the saved ONNX graph computes the re-weighting (fixed weights folded into it).
        var (scores, _, hyperDpo) = ModelProcess.Score(Ml, path, Test);
        Assert.AreEqual("", hyperDpo);
        AssertClose(doubles, scores, 1e-4, "saved model in a new process");

        // Per-row weights: the graph reads the weights column and concatenates it to the features.
        var pipeline = Ml.Transforms.ConstantObjectiveWeights(new[] { 0.3f, 0.7f }).Append(Ml.Transforms.WeightedScore(model)).Fit(Test);
        string weighted = Path.Combine(temporary.Path, "weighted.zip");
        Ml.Model.Save(pipeline, Test.Schema, weighted);
        var (weightedScores, _, _) = ModelProcess.Score(Ml, weighted, Test);
        AssertClose(doubles, weightedScores, 1e-4, "WeightedScore in a new process");

        // Checkpoint: the network's state holds the re-weighting, and the options say to build it.
        string checkpointPath = Path.Combine(temporary.Path, "model.ckpt");
        HyperDpoCheckpoint.Save(model, checkpointPath);
        var checkpoint = HyperDpoCheckpoint.Load(new MLContext(2), checkpointPath);
        Assert.AreEqual(ReferenceReweighting.PerObjective, checkpoint.TrainerOptions.References.Reweighting);
        AssertClose(doubles, SyntheticRanking.Scores(checkpoint.Model.Transform(Test)), 1e-5, "checkpoint");
    }

    [TestMethod]
    public void AModelWithoutReweightingIsStillSavedAsBefore()
    {
        // Only a re-weighting model needs the newest saved form; others keep the version older readers know, and load as they did.
        var o = Options(epochs: 1);
        o.References.Reweighting = ReferenceReweighting.None;
        var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train).WithObjectiveWeights(0.3f, 0.7f);
        Assert.IsNull(model.ScoringModel.Parameters.Reweighting);
        using var temporary = new TemporaryFolder("hyperdpo-reweighting-none");
        string path = Path.Combine(temporary.Path, "model.zip");
        Ml.Model.Save(model, Test.Schema, path);
        string description = SavedFormDescription(path);
        StringAssert.Contains(description, "\"Version\":1");
        Assert.DoesNotContain("Reweights", description);
        var loaded = Ml.Model.LoadHyperDpo(path, out _);
        AssertClose(SyntheticRanking.Scores(model.Transform(Test)).Select(s => (double)s).ToArray(), SyntheticRanking.Scores(loaded.Transform(Test)), 1e-5, "loaded");
    }

    /// <summary>The JSON description in a saved model's ONNX metadata (read as text: it is stored verbatim in the graph).</summary>
    private static string SavedFormDescription(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            using var reader = new StreamReader(entry.Open(), System.Text.Encoding.Latin1);
            string text = reader.ReadToEnd();
            int at = text.IndexOf("{\"Version\":", StringComparison.Ordinal);
            if (at >= 0) return text[at..text.IndexOf('}', at)];
        }
        throw new AssertFailedException("no saved-form description in the model");
    }

    [TestMethod]
    public void BadValuesAreRefusedNamingTheOption()
    {
        var o = Options(epochs: 1);
        o.References.Reweighting = (ReferenceReweighting)7;
        var e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Reweighting", e.ParamName);
        Assert.Contains("must be None or PerObjective; got 7", e.Message);

        o = Options(epochs: 1);
        o.References.Source = null;
        e = Assert.ThrowsExactly<ArgumentException>(() => Ml.Ranking.Trainers.HyperDpo(o));
        Assert.AreEqual("References.Reweighting", e.ParamName);
        Assert.Contains("needs References.Source", e.Message);

        o = Options(epochs: 1, ReferenceForm.ExtraInputs);
        e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Form", e.ParamName);
        Assert.Contains("must be ImplicitReward or Residual with References.Reweighting = PerObjective; got ExtraInputs", e.Message);

        o = Options(epochs: 1);
        o.Network.Architecture = RankerArchitecture.Transformer;
        o.Network.Conditioning = ConditioningKind.Input;
        e = Assert.ThrowsExactly<ArgumentException>(o.Validate);
        Assert.AreEqual("References.Reweighting", e.ParamName);
        Assert.Contains("needs Network.Architecture = Mlp", e.Message);
    }
}
