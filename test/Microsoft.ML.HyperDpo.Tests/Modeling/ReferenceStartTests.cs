using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Modeling.Transformer;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.HyperDpo.Tests.Modeling;

/// <summary>
/// With references, every network (each registered conditioning kind of the MLP and of the transformer) in every
/// <see cref="ReferenceForm"/> starts exactly at the standardised score soup, and a network that reads the reference scores
/// (<see cref="ReferenceForm.ExtraInputs"/>) scores the same in the library and in ONNX Runtime.
/// </summary>
[TestClass]
public class ReferenceStartTests
{
    private static readonly MLContext Ml = new(seed: 1);
    private static readonly IDataView Train = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(30, 5, 10, seed: 31));
    private static readonly IDataView Test = SyntheticRanking.Load(Ml, SyntheticRanking.Rows(8, 5, 10, seed: 32));
    private static readonly ITransformer[] References = SyntheticRanking.Labels
        .Select(label => (ITransformer)SyntheticRanking.SmallFastTree(Ml, label, 5).Fit(Train)).ToArray();

    /// <summary>Every network the trainer can build: the MLP with each registered kind, the transformer with each of its kinds.</summary>
    private static IEnumerable<(RankerArchitecture Architecture, ConditioningKind Kind)> Networks =>
        ConditioningRegistry.Kinds.Select(k => (RankerArchitecture.Mlp, k))
            .Concat(TransformerConditioning.Kinds.Select(k => (RankerArchitecture.Transformer, k)));

    private static HyperDpoRankingTrainer.Options Options(RankerArchitecture architecture, ConditioningKind kind, ReferenceForm form, int epochs)
    {
        var o = SyntheticRanking.FastOptions(epochs);
        o.Network.Architecture = architecture;
        o.Network.Conditioning = kind;
        o.Network.TransformerWidth = 8;
        o.Network.AttentionHeads = 2;
        o.Network.TransformerBlocks = 1;
        o.Network.PromptCount = 2;
        o.References.Source = ReferenceSource.PerObjective(References);
        o.References.Form = form;
        if (kind == ConditioningKind.None) o.Loss.FixedObjectiveWeights = new[] { 0.5f, 0.5f };
        return o;
    }

    private static double[] Soup(float[] w) => Training.ReferenceSoup.Of(References, Train, Test, w);

    [TestMethod]
    public void EveryNetworkStartsExactlyAtTheScoreSoupInEveryForm()
    {
        var weights = new[] { new[] { 1f, 0f }, new[] { 0.3f, 0.7f } };
        var soups = weights.Select(Soup).ToArray();
        foreach (var (architecture, kind) in Networks)
            foreach (var form in Enum.GetValues<ReferenceForm>())
            {
                // A learning rate too small to move anything: the fitted model is the state before the first step.
                var o = Options(architecture, kind, form, epochs: 1);
                o.Optimiser.LearningRate = 1e-30f;
                var model = Ml.Ranking.Trainers.HyperDpo(o).Fit(Train);
                for (int p = 0; p < weights.Length; p++)
                {
                    float[] scores = SyntheticRanking.Scores(model.WithObjectiveWeights(weights[p]).Transform(Test));
                    for (int i = 0; i < scores.Length; i++)
                        Assert.AreEqual(soups[p][i], scores[i], 1e-4, $"{architecture} {kind} {form}, w = ({weights[p][0]}, {weights[p][1]}), row {i}");
                }
            }
    }

    [TestMethod]
    public void ANetworkReadingTheReferenceScoresScoresTheSameInOnnxRuntime()
    {
        var w = new[] { 0.3f, 0.7f };
        var withReference = References[0].Transform(Test);
        foreach (var (architecture, kind) in Networks)
        {
            var model = Ml.Ranking.Trainers.HyperDpo(Options(architecture, kind, ReferenceForm.ExtraInputs, epochs: 2)).Fit(Train).WithObjectiveWeights(w);
            float[] expected = SyntheticRanking.Scores(model.Transform(Test));
            // Trained away from the soup: the network's own part is not zero.
            double[] soup = Soup(w);
            Assert.IsTrue(expected.Select((s, i) => Math.Abs(s - soup[i])).Max() > 1e-3, $"{architecture} {kind}: still at the soup after training");

            var reference = model.ReferenceTransformer!.Transform(Test);
            float[] features = reference.GetColumn<float[]>("Features").SelectMany(f => f).ToArray();
            float[] scores = reference.GetColumn<float[]>("HyperDpo.ReferenceScores").SelectMany(r => r).ToArray();
            uint[] groups = reference.GetColumn<uint>("GroupId").ToArray();
            using var onnx = new MemoryStream();
            model.ExportToOnnx(onnx);
            using var session = new InferenceSession(onnx.ToArray());
            // The MLP's graph scores any rows at once; the transformer's scores one group per run.
            var runs = architecture == RankerArchitecture.Mlp
                ? new List<(int Start, int Count)> { (0, groups.Length) }
                : groups.Select((g, i) => (g, i)).GroupBy(x => x.g).Select(g => (g.First().i, g.Count())).ToList();
            foreach (var (start, n) in runs)
            {
                int f = SyntheticRanking.FeatureCount, weightRows = architecture == RankerArchitecture.Mlp ? n : 1;
                var inputs = new List<NamedOnnxValue>
                {
                    NamedOnnxValue.CreateFromTensor("Features", new DenseTensor<float>(features.AsSpan(start * f, n * f).ToArray(), new[] { n, f })),
                    NamedOnnxValue.CreateFromTensor("ObjectiveWeights", new DenseTensor<float>(Enumerable.Range(0, weightRows).SelectMany(_ => w).ToArray(), new[] { weightRows, 2 })),
                    NamedOnnxValue.CreateFromTensor("ReferenceScore", new DenseTensor<float>(scores.AsSpan(start * 2, n * 2).ToArray(), new[] { n, 2 })),
                };
                using var results = session.Run(inputs);
                float[] actual = results.Single().AsTensor<float>().ToArray();
                for (int i = 0; i < n; i++)
                    Assert.AreEqual(expected[start + i], actual[i], 1e-4, $"{architecture} {kind}, row {start + i}");
            }
        }
    }
}
