using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary>Greedy decoding that never repeats an n-gram (<see cref="GenerationOptions.NoRepeatNgramSize"/>).</summary>
[TestClass]
public class NoRepeatNgramTests
{
    /// <summary>A random tiny model whose greedy output loops, so that the constraint has something to forbid.</summary>
    private static (Gpt2LanguageModel Model, Tensor Prefix) Looping()
    {
        var model = new Gpt2LanguageModel(new Gpt2Config { VocabularySize = 40, ContextLength = 64, EmbeddingSize = 16, Layers = 1, Heads = 2 }, seed: 9);
        var prefix = model.EmbedTokens(torch.tensor(new long[] { 3, 4, 5 }).unsqueeze(0)).detach();
        return (model, prefix);
    }

    private static bool RepeatsAnNgram(IReadOnlyList<int> tokens, int n) =>
        Enumerable.Range(0, tokens.Count - n + 1).Select(i => string.Join(",", tokens.Skip(i).Take(n))).GroupBy(g => g).Any(g => g.Count() > 1);

    [TestMethod]
    public void GreedyDecodingPicksTheMostLikelyTokenThatRepeatsNoNgram()
    {
        var (model, prefix) = Looping();
        var free = TextGenerator.Generate(model, prefix, 0, new GenerationOptions { MaxNewTokens = 40, StopAtEndOfText = false });
        foreach (int n in new[] { 2, 3 })
        {
            Assert.IsTrue(RepeatsAnNgram(free, n), $"the unconstrained greedy answer repeats a {n}-gram, so the test can fail");
            foreach (bool cache in new[] { true, false })
            {
                var constrained = TextGenerator.Generate(model, prefix, 0, new GenerationOptions { MaxNewTokens = 40, StopAtEndOfText = false, NoRepeatNgramSize = n, UseCache = cache });
                Assert.AreEqual(40, constrained.Length);
                Assert.IsFalse(RepeatsAnNgram(constrained, n), $"n = {n}, cache {cache}: an n-gram repeats");
                // By hand, step by step: the full sequence's last logits, every token that would close an n-gram seen before
                // dropped, then the arg max.
                var reference = new List<int>();
                using (torch.no_grad())
                    for (int t = 0; t < 40; t++)
                    {
                        var input = reference.Count == 0 ? prefix : torch.cat(new[] { prefix, model.EmbedTokens(torch.tensor(reference.Select(i => (long)i).ToArray()).unsqueeze(0)) }, 1);
                        var logits = model.Logits(input)[0, -1].data<float>().ToArray();
                        var banned = new HashSet<int>();
                        for (int s = 0; s + n - 1 < reference.Count; s++)
                            if (reference.Skip(s).Take(n - 1).SequenceEqual(reference.Skip(reference.Count - (n - 1))))
                                banned.Add(reference[s + n - 1]);
                        reference.Add(Enumerable.Range(0, logits.Length).Where(i => !banned.Contains(i)).MaxBy(i => logits[i]));
                    }
                CollectionAssert.AreEqual(reference, constrained, $"n = {n}, cache {cache}");
            }
        }
    }

    [TestMethod]
    public void ANegativeSizeIsRefusedByName()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => new GenerationOptions { NoRepeatNgramSize = -1 }.Validate());
        StringAssert.Contains(e.Message, "NoRepeatNgramSize");
    }
}
