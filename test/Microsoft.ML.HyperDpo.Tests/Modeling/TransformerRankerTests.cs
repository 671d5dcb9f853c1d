using Microsoft.ML.HyperDpo.Modeling.Transformer;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Modeling;

/// <summary>The listwise transformer ranker's network: order equivariance, padding, prompts, frozen backbone.</summary>
[TestClass]
public class TransformerRankerTests
{
    private const int F = SyntheticRanking.FeatureCount;

    private static TransformerRanker Network(ConditioningKind kind, int seed = 3, int[] documentHiddenSizes = null)
    {
        random.manual_seed(seed);
        var network = new TransformerRanker(new TransformerShape(F, 2, kind, Width: 16, Heads: 4, Blocks: 2, PromptCount: 3, Dropout: 0, documentHiddenSizes), new float[F], Enumerable.Repeat(1f, F).ToArray());
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
        Assert.IsNotNull(prompts.PromptMixture);
        Assert.AreEqual(3 * 16, prompts.PromptMixture!.Outputs);
    }

    [TestMethod]
    public void NoConditioningIgnoresTheWeights()
    {
        var network = Network(ConditioningKind.None);
        var x = RandomFeatures(5, seed: 5);
        CollectionAssert.AreEqual(Scores(network, x, 5, new[] { 1f, 0f }), Scores(network, x, 5, new[] { 0f, 1f }));
    }

    [TestMethod]
    public void LengthBucketsHoldEveryListOnceShortestFirstWithinTheSlots()
    {
        var random = new Random(7);
        var lengths = Enumerable.Range(0, 300).Select(_ => random.Next(1, 120)).ToArray();
        lengths[17] = 900;   // one list longer than a bucket's slots is a bucket of its own
        var buckets = LengthBuckets.Plan(lengths, 2048);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, lengths.Length).ToArray(), buckets.SelectMany(b => b).ToArray());
        var flat = buckets.SelectMany(b => b).Select(l => lengths[l]).ToArray();
        for (int i = 1; i < flat.Length; i++) Assert.IsLessThanOrEqualTo(flat[i], flat[i - 1], $"position {i}: the buckets run shortest first");
        foreach (var b in buckets)
        {
            long slots = (long)b.Length * lengths[b[^1]], real = b.Sum(l => (long)lengths[l]);
            if (b.Length > 1) Assert.IsLessThanOrEqualTo(2048L, slots, "a bucket of several lists stays within the slots");
            Assert.IsLessThanOrEqualTo(real / 8 + LengthBuckets.SlackSlots, slots - real, "padding within an eighth plus the slack");
        }
        // Far fewer padded slots than padding every list to the longest.
        Assert.IsLessThan(lengths.Length * 900L / 4, buckets.Sum(b => (long)b.Length * lengths[b[^1]]));
    }

    [TestMethod]
    public void BucketedScoringEqualsScoringEachListAloneForEveryTransformerKind()
    {
        var random = new Random(11);
        var lengths = Enumerable.Range(0, 40).Select(i => i == 5 ? 90 : random.Next(1, 30)).ToArray();
        var x = RandomFeatures(lengths.Sum(), seed: 12);
        var w = Enumerable.Range(0, lengths.Length).SelectMany(_ => { float a = (float)random.NextDouble(); return new[] { a, 1 - a }; }).ToArray();
        foreach (var kind in TransformerConditioning.Kinds)
        {
            var network = Network(kind);
            float[] all;
            using (no_grad())
                all = network.ScoreGroups(tensor(x, new long[] { lengths.Sum(), F }), tensor(w, new long[] { lengths.Length, 2 }), lengths).data<float>().ToArray();
            int start = 0;
            for (int l = 0; l < lengths.Length; l++)
            {
                var alone = Scores(network, x[(start * F)..((start + lengths[l]) * F)], lengths[l], w[(2 * l)..(2 * l + 2)]);
                for (int i = 0; i < lengths[l]; i++)
                    Assert.AreEqual(alone[i], all[start + i], 1e-5f, $"{kind}, list {l} (length {lengths[l]}), document {i}");
                start += lengths[l];
            }
        }
    }

    [TestMethod]
    public void HyperPromptsStartAtTheMixtureOfPerObjectivePrompts()
    {
        var network = Network(ConditioningKind.HyperPrompt);
        var p = network.Export();
        var mixture = p.PromptMixture!;
        Assert.IsNotNull(p.PromptHidden, "the correction is there, only zero at the start");
        foreach (var w in new[] { new[] { 1f, 0f }, new[] { 0f, 1f }, new[] { 0.3f, 0.7f }, new[] { 0.55f, 0.45f } })
        {
            float[] generated;
            using (no_grad())
                generated = network.Prompts!.forward(tensor(w, new long[] { 1, 2 })).data<float>().ToArray();
            Assert.AreEqual(3 * 16, generated.Length);
            for (int j = 0; j < generated.Length; j++)
            {
                // sum_k w_k P_k in float64, P_k the mixture's column k (weights stored [outputs, inputs]).
                double expected = 0;
                for (int k = 0; k < 2; k++) expected += (double)w[k] * mixture.Weight[j * mixture.Inputs + k];
                Assert.AreEqual(expected, generated[j], 1e-6, $"w = ({w[0]}, {w[1]}), prompt value {j}");
            }
        }
        // The per-objective prompts differ, so the weights reach the blocks.
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 48).Select(j => mixture.Weight[j * 2]).ToArray(), Enumerable.Range(0, 48).Select(j => mixture.Weight[j * 2 + 1]).ToArray());
    }

    [TestMethod]
    public void EveryConditioningKindIsRegisteredForSomeArchitecture()
    {
        foreach (var kind in Enum.GetValues<ConditioningKind>())
        {
            bool mlp = Microsoft.ML.HyperDpo.Modeling.Conditioning.ConditioningRegistry.Kinds.Contains(kind);
            Assert.IsTrue(mlp || TransformerConditioning.Supports(kind), $"{kind} is registered for neither architecture");
            if (!TransformerConditioning.Supports(kind))
            {
                var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TransformerConditioning.Get(kind));
                StringAssert.Contains(e.Message, "HyperPrompt", "the error names the kinds the transformer takes");
                continue;
            }
            var definition = TransformerConditioning.Get(kind);
            Assert.AreEqual(kind, definition.Kind);
            // The tokens the kind says it prepends are the ones its generator makes, and the network scores with them.
            var prompts = TransformerConditioning.CreatePrompts(kind, 2, 16, 3);
            Assert.AreEqual(TransformerConditioning.PromptTokens(kind, 3), prompts?.Prompts ?? 0, kind.ToString());
            var network = Network(kind);
            Assert.AreEqual(TransformerConditioning.PromptTokens(kind, 3), network.Shape.PromptTokens, kind.ToString());
            Assert.HasCount(4, Scores(network, RandomFeatures(4, seed: 9), 4, new[] { 0.5f, 0.5f }), kind.ToString());
        }
    }

    [TestMethod]
    public void WithADocumentScorerTheStartScoresEachDocumentAloneAsItsMlpDoes()
    {
        const int n = 7;
        var x = RandomFeatures(n, seed: 21);
        // Features that the standardisation really changes, so that the scorer's own statistics are used.
        var mean = Enumerable.Range(0, F).Select(j => 0.1f * (j % 5)).ToArray();
        var scale = Enumerable.Range(0, F).Select(j => 0.5f + 0.25f * (j % 3)).ToArray();
        foreach (var kind in TransformerConditioning.Kinds)
        {
            random.manual_seed(5);
            var network = new TransformerRanker(new TransformerShape(F, 2, kind, Width: 16, Heads: 4, Blocks: 1, PromptCount: 3, Dropout: 0, new[] { 8, 4 }), mean, scale);
            network.eval();
            var document = network.Document!;
            Assert.AreEqual(TransformerConditioning.IgnoresCondition(kind) ? ConditioningKind.None : ConditioningKind.Hypernetwork, document.Kind, kind.ToString());
            CollectionAssert.AreEqual(new[] { 8, 4 }, document.HiddenSizes.ToArray(), kind.ToString());
            // Make the MLP read w, as training would, so that the comparison covers c's path too (its w-terms start at zero).
            using (no_grad())
                foreach (var (name, parameter) in document.named_parameters())
                    if (name.StartsWith("conditioning.", StringComparison.Ordinal)) parameter.copy_(randn_like(parameter) * 0.5);
            var managed = new Microsoft.ML.HyperDpo.Scoring.ManagedScorer(document.Export());
            var workspace = managed.CreateWorkspace(1);
            foreach (var w in new[] { new[] { 0.3f, 0.7f }, new[] { 1f, 0f } })
            {
                var scores = Scores(network, x, n, w, paddedLength: 10);
                for (int i = 0; i < n; i++)
                {
                    // The managed scorer of the MLP alone, on this one document.
                    var alone = new float[1];
                    managed.Score(x.AsSpan(i * F, F), 1, w, alone, workspace);
                    Assert.AreEqual(alone[0], scores[i], 1e-5f, $"{kind}, w = ({w[0]}, {w[1]}), document {i}");
                }
            }
            // At the start the other documents change nothing: the head's last layer is zero.
            var changed = (float[])x.Clone();
            for (int j = 0; j < F; j++) changed[F + j] += 1;
            Assert.AreEqual(Scores(network, x, n, new[] { 0.5f, 0.5f })[0], Scores(network, changed, n, new[] { 0.5f, 0.5f })[0], 1e-6f, kind.ToString());
        }
    }

    [TestMethod]
    public void WithADocumentScorerTrainingStillLearnsTheListContext()
    {
        // Lists whose order depends on the whole list: relevance is s * x0, where the sign s of a list is the sign of the sum of
        // its documents' x1. One document's x1 says little about s, so no scorer of each document alone ranks these lists well;
        // only attention over the list can.
        const int lists = 256, length = 8;
        var values = new Random(31);
        float[] Features(int count) => Enumerable.Range(0, count * length * F).Select(_ => (float)(values.NextDouble() * 2 - 1)).ToArray();
        float[] Relevance(float[] x, int count)
        {
            var r = new float[count * length];
            for (int l = 0; l < count; l++)
            {
                float sum = 0;
                for (int i = 0; i < length; i++) sum += x[(l * length + i) * F + 1];
                for (int i = 0; i < length; i++) r[l * length + i] = Math.Sign(sum) * x[(l * length + i) * F];
            }
            return r;
        }
        var trainX = Features(lists);
        var trainR = Relevance(trainX, lists);
        var testX = Features(64);
        var testR = Relevance(testX, 64);
        Tensor W(Tensor x) => full(new long[] { x.shape[0], 2 }, 0.5f);
        // ListNet (cross-entropy between the softmax of the scores and that of the relevance), Adam, 300 steps of 32 lists.
        double Fit(nn.Module module, Func<Tensor, Tensor> score)
        {
            module.train();
            var optimiser = optim.Adam(module.parameters(), lr: 0.01);
            for (int step = 0; step < 300; step++)
            {
                using var scope = NewDisposeScope();
                int first = step * 32 % lists;
                var x = tensor(trainX.AsSpan(first * length * F, 32 * length * F).ToArray(), new long[] { 32, length, F });
                var target = tensor(trainR.AsSpan(first * length, 32 * length).ToArray(), new long[] { 32, length });
                var loss = -(nn.functional.softmax(target * 4, 1) * nn.functional.log_softmax(score(x), 1)).sum(1).mean();
                optimiser.zero_grad();
                loss.backward();
                optimiser.step();
            }
            module.eval();
            // The share of a test list's pairs that the scores order as the relevance does.
            float[] s;
            using (no_grad())
                s = score(tensor(testX, new long[] { 64, length, F })).data<float>().ToArray();
            int right = 0, pairs = 0;
            for (int l = 0; l < 64; l++)
                for (int i = 0; i < length; i++)
                    for (int j = i + 1; j < length; j++)
                    {
                        int a = l * length + i, b = l * length + j;
                        if (testR[a] == testR[b]) continue;
                        pairs++;
                        if ((testR[a] - testR[b]) * (s[a] - s[b]) > 0) right++;
                    }
            return (double)right / pairs;
        }
        var network = Network(ConditioningKind.HyperPrompt, seed: 7, documentHiddenSizes: new[] { 16, 8 });
        double accuracy = Fit(network, x => network.forward(x, W(x), ones(new long[] { x.shape[0], length }, dtype: ScalarType.Bool)));
        // The same MLP alone, trained the same way: the task really needs the list.
        random.manual_seed(7);
        var alone = new Microsoft.ML.HyperDpo.Modeling.ConditionedScorer(F, 2, new[] { 16, 8 }, 0, ConditioningKind.Hypernetwork, new float[F], Enumerable.Repeat(1f, F).ToArray());
        double aloneAccuracy = Fit(alone, x => alone.forward(x, W(x).unsqueeze(1)));
        Console.WriteLine($"pairs ordered right: {accuracy:F3} with the transformer, {aloneAccuracy:F3} by the MLP alone");
        Assert.IsLessThan(0.65, aloneAccuracy, "a scorer of each document alone cannot rank these lists");
        Assert.IsGreaterThan(0.75, accuracy, "attention learnt the list's sign on top of the per-document scorer");
    }
}
