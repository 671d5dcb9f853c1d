using Microsoft.ML.HyperDpo.Modeling.Transformer;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Modeling;

/// <summary>The listwise transformer ranker's network: order equivariance, padding, prompts, frozen backbone.</summary>
[TestClass]
public class TransformerRankerTests
{
    private const int F = SyntheticRanking.FeatureCount;

    private static TransformerRanker Network(ConditioningKind kind, int seed = 3)
    {
        random.manual_seed(seed);
        var network = new TransformerRanker(new TransformerShape(F, 2, kind, Width: 16, Heads: 4, Blocks: 2, PromptCount: 3, Dropout: 0), new float[F], Enumerable.Repeat(1f, F).ToArray());
        network.eval();
        return network;
    }

    private static float[] Scores(TransformerRanker network, float[] features, int length, float[] w, int paddedLength = 0)
    {
        int width = Math.Max(length, paddedLength);
        var x = new float[width * F];
        features.CopyTo(x, 0);
        for (int i = length * F; i < x.Length; i++) x[i] = 1000f * (i % 7 - 3);   // padding full of large values
        var mask = Enumerable.Range(0, width).Select(i => i < length).ToArray();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var s = network.forward(tensor(x, new long[] { 1, width, F }), tensor(w, new long[] { 1, 2 }), tensor(mask, new long[] { 1, width }));
        return s.data<float>().ToArray()[..length];
    }

    private static float[] RandomFeatures(int rows, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, rows * F).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    [TestMethod]
    public void ScoresPermuteWithTheDocumentsForEveryTransformerKind()
    {
        foreach (var kind in TransformerConditioning.Kinds)
        {
            var network = Network(kind);
            const int n = 9;
            var x = RandomFeatures(n, seed: 1);
            var w = new[] { 0.3f, 0.7f };
            var scores = Scores(network, x, n, w);
            var order = new[] { 4, 0, 8, 2, 7, 1, 6, 3, 5 };
            var permuted = order.SelectMany(i => x.AsSpan(i * F, F).ToArray()).ToArray();
            var permutedScores = Scores(network, permuted, n, w);
            for (int i = 0; i < n; i++)
                Assert.AreEqual(scores[order[i]], permutedScores[i], 1e-5f, $"{kind}, position {i}");
            // Attention really looks across the list: changing another document changes this one's score.
            var changed = (float[])x.Clone();
            for (int j = 0; j < F; j++) changed[F + j] += 1;
            Assert.AreNotEqual(scores[0], Scores(network, changed, n, w)[0], $"{kind}: a document's score depends on the others");
        }
    }

    [TestMethod]
    public void PaddingChangesNoScoreForEveryTransformerKind()
    {
        foreach (var kind in TransformerConditioning.Kinds)
        {
            var network = Network(kind);
            var x = RandomFeatures(6, seed: 2);
            var w = new[] { 0.6f, 0.4f };
            var alone = Scores(network, x, 6, w);
            var padded = Scores(network, x, 6, w, paddedLength: 13);
            for (int i = 0; i < 6; i++)
                Assert.AreEqual(alone[i], padded[i], 1e-5f, $"{kind}, document {i}");
            // The same list in a batch with a longer one (padded to its length) scores the same too.
            var batch = network.ScoreGroups(tensor(x.Concat(RandomFeatures(11, seed: 3)).ToArray(), new long[] { 17, F }), tensor(w, new long[] { 1, 2 }), new[] { 6, 11 });
            var batched = batch.data<float>().ToArray();
            for (int i = 0; i < 6; i++)
                Assert.AreEqual(alone[i], batched[i], 1e-5f, $"{kind}, document {i} in a batch");
        }
    }

    [TestMethod]
    public void DifferentPromptEmbeddingsChangeTheScores()
    {
        foreach (var kind in new[] { ConditioningKind.HyperPrompt, ConditioningKind.WeightToken })
        {
            var network = Network(kind);
            var x = RandomFeatures(7, seed: 4);
            var a = Scores(network, x, 7, new[] { 1f, 0f });
            var b = Scores(network, x, 7, new[] { 0f, 1f });
            CollectionAssert.AreNotEqual(a, b, kind.ToString());
        }
        // The document tokens are the same in both cases; only the prepended prompt embeddings differ, and they do.
        var hpt = Network(ConditioningKind.HyperPrompt);
        var prompts = hpt.Export();
        Assert.IsNotNull(prompts.PromptOutput);
        Assert.AreEqual(3 * 16, prompts.PromptOutput!.Outputs);
    }

    [TestMethod]
    public void NoConditioningIgnoresTheWeights()
    {
        var network = Network(ConditioningKind.None);
        var x = RandomFeatures(5, seed: 5);
        CollectionAssert.AreEqual(Scores(network, x, 5, new[] { 1f, 0f }), Scores(network, x, 5, new[] { 0f, 1f }));
    }
}
