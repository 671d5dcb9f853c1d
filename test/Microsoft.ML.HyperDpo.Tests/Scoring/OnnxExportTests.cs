using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Microsoft.ML.HyperDpo.Tests.Scoring;

[TestClass]
public class OnnxExportTests
{
    private const int Rows = 23;

    private static float[] RunOnnx(byte[] model, IReadOnlyDictionary<string, (float[] Data, int[] Shape)> inputs)
    {
        using var session = new InferenceSession(model);
        var values = inputs.Select(i => NamedOnnxValue.CreateFromTensor(i.Key, new DenseTensor<float>(i.Value.Data, i.Value.Shape))).ToList();
        using var results = session.Run(values);
        var score = results.Single();
        Assert.AreEqual("Score", score.Name);
        var tensor = score.AsTensor<float>();
        CollectionAssert.AreEqual(new[] { inputs.First().Value.Shape[0] }, tensor.Dimensions.ToArray(), "Score is [N]");
        return tensor.ToArray();
    }

    private static byte[] Export(HyperDpoRankingTransformer model, bool fixedWeights)
    {
        using var stream = new MemoryStream();
        model.ExportToOnnx(stream, fixedWeights);
        return stream.ToArray();
    }

    [TestMethod]
    public void OnnxRuntimeGivesTheSameScoresWithPerRowWeightsForEveryConditioningKind()
    {
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind);
            var scoring = model.ScoringModel;
            int f = model.FeatureCount, k = model.Objectives.Count;
            var (x, w) = ScorerVariants.RandomInputs(Rows, f, k, seed: 30);
            var expected = new float[Rows];
            scoring.Scorer.Score(x, Rows, w, expected, scoring.Scorer.CreateWorkspace(Rows));

            var actual = RunOnnx(Export(model, fixedWeights: false), new Dictionary<string, (float[], int[])>
            {
                ["Features"] = (x, new[] { Rows, f }),
                ["ObjectiveWeights"] = (w, new[] { Rows, k }),
            });
            for (int r = 0; r < Rows; r++)
                Assert.AreEqual(expected[r], actual[r], 1e-5f, $"{kind}, row {r}");
        }
    }

    [TestMethod]
    public void FixedWeightExportEqualsTheTransformerAtItsWeightsForEveryConditioningKind()
    {
        foreach (var kind in ScorerVariants.Kinds)
        {
            var model = ScorerVariants.Model(kind).WithObjectiveWeights(0.8f, 0.2f);
            var rows = SyntheticRanking.Rows(4, 3, 8, seed: 31);
            var ml = new MLContext(1);
            float[] expected = SyntheticRanking.Scores(model.Transform(SyntheticRanking.Load(ml, rows)));
            var x = rows.SelectMany(r => r.Features).ToArray();
            var actual = RunOnnx(Export(model, fixedWeights: true), new Dictionary<string, (float[], int[])>
            {
                ["Features"] = (x, new[] { rows.Count, SyntheticRanking.FeatureCount }),
            });
            for (int r = 0; r < rows.Count; r++)
                Assert.AreEqual(expected[r], actual[r], 1e-5f, $"{kind}, row {r}");
        }
    }

    [TestMethod]
    public void ExportedModelDeclaresItsInputsOutputsAndOpset()
    {
        var model = ScorerVariants.Model(ConditioningKind.FiLM);
        using var session = new InferenceSession(Export(model, fixedWeights: false));
        CollectionAssert.AreEqual(new[] { "Features", "ObjectiveWeights" }, session.InputMetadata.Keys.ToArray());
        CollectionAssert.AreEqual(new[] { -1, SyntheticRanking.FeatureCount }, session.InputMetadata["Features"].Dimensions);
        CollectionAssert.AreEqual(new[] { -1, 2 }, session.InputMetadata["ObjectiveWeights"].Dimensions);
        CollectionAssert.AreEqual(new[] { -1 }, session.OutputMetadata["Score"].Dimensions);
        Assert.AreEqual(typeof(float), session.OutputMetadata["Score"].ElementType);
        Assert.AreEqual("Microsoft.ML.HyperDpo", session.ModelMetadata.ProducerName);
        Assert.AreEqual("RelevanceA,RelevanceB", session.ModelMetadata.CustomMetadataMap["hyperdpo.objectives"]);

        using var fixedSession = new InferenceSession(Export(model, fixedWeights: true));
        CollectionAssert.AreEqual(new[] { "Features" }, fixedSession.InputMetadata.Keys.ToArray());

        // ir_version (field 1) and the default domain's opset (field 8: domain 1, version 2), read back from the bytes.
        long irVersion = 0, opset = 0;
        var input = new Google.Protobuf.CodedInputStream(Export(model, fixedWeights: false));
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            int field = Google.Protobuf.WireFormat.GetTagFieldNumber(tag);
            if (field == 1) irVersion = input.ReadInt64();
            else if (field == 8)
            {
                var entry = new Google.Protobuf.CodedInputStream(input.ReadBytes().ToByteArray());
                uint inner;
                while ((inner = entry.ReadTag()) != 0)
                    if (Google.Protobuf.WireFormat.GetTagFieldNumber(inner) == 2) opset = entry.ReadInt64();
                    else entry.SkipLastField();
            }
            else input.SkipLastField();
        }
        Assert.AreEqual(8, irVersion);
        Assert.AreEqual(17, opset);
    }
}
