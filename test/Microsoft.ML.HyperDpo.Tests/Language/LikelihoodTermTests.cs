using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

/// <summary>
/// <see cref="LanguageAlignmentOptions.LikelihoodWeight"/>: the first step's loss of a tiny model against an independent
/// float64 computation of sum_k w_k L_k (tie-aware Plackett-Luce DPO) plus lambda * sum_k w_k NLL_k (mean token NLL of
/// objective k's best responses), with the term off and on; and the option's validation.
/// </summary>
[TestClass]
public class LikelihoodTermTests
{
    private static readonly float[] Weights = { 0.3f, 0.7f };

    // List a: "short" has one best response (index 2); "yes" ties for best (indices 0 and 2), so NLL_yes is their mean.
    // List b: every response ties on "yes" (no preferred answer), so it adds neither a DPO nor a likelihood term for "yes".
    private static readonly PreferenceList[] Lists =
    {
        new("a", "say yes", new[] { "yes yes", "no dog cat", "yes" }, new Dictionary<string, double[]>
        {
            ["short"] = new[] { -2.0, -3.0, -1.0 },
            ["yes"] = new[] { 1.0, 0.0, 1.0 },
        }),
        new("b", "say no", new[] { "no", "no no dog" }, new Dictionary<string, double[]>
        {
            ["short"] = new[] { -1.0, -3.0 },
            ["yes"] = new[] { 0.0, 0.0 },
        }),
    };

    private static LanguageAlignmentOptions Options(float likelihoodWeight) => new()
    {
        Objectives = new[] { "short", "yes" }, Conditioning = PromptConditioning.None, FixedWeights = Weights, PromptLength = 2, MaxPromptTokens = 12,
        MaxResponseTokens = 16, Steps = 1, ListsPerStep = 2, Beta = 0.5f, Seed = 5, LikelihoodWeight = likelihoodWeight,
    };

    /// <summary>The first step's loss (before the update: the initial prompt's).</summary>
    private static double FirstLoss(LanguageAlignmentOptions options)
    {
        var (model, tokenizer) = AlignmentTests.TinyModel(Lists, seed: 3);
        var reports = new List<AlignmentProgress>();
        LanguageAlignmentTrainer.Fit(model, tokenizer, Lists, options, new SynchronousProgress<AlignmentProgress>(reports.Add));
        return reports[0].Loss;
    }

    /// <summary>Per list, (PL-DPO part sum_k w_k L_k, likelihood part sum_k w_k NLL_k), computed response by response in float64.</summary>
    private static List<(double Dpo, double Likelihood)> Expected(LanguageAlignmentOptions options)
    {
        var (model, tokenizer) = AlignmentTests.TinyModel(Lists, seed: 3);
        var prompt = new FixedSoftPrompt(model, options.PromptLength, options.Seed).Prompt.detach();
        (double Sum, int Tokens) LogProbability(PreferenceList list, string response, bool withPrompt)
        {
            var promptIds = tokenizer.Encode($"Question: {list.Prompt}\nAnswer:");
            var responseIds = tokenizer.Encode(" " + response).Append(tokenizer.EndOfText).ToArray();
            var ids = promptIds.Concat(responseIds).Select(i => (long)i).ToArray();
            using var _ = torch.no_grad();
            var embedded = model.EmbedTokens(torch.tensor(ids).unsqueeze(0));
            int m = withPrompt ? options.PromptLength : 0;
            var input = withPrompt ? torch.cat(new[] { prompt.unsqueeze(0), embedded }, 1) : embedded;
            var logits = model.Logits(input)[0].to(ScalarType.Float64).log_softmax(-1);
            double sum = 0;
            for (int t = promptIds.Length; t < ids.Length; t++)
                sum += logits[m + t - 1, ids[t]].item<double>();
            return (sum, responseIds.Length);
        }
        var result = new List<(double, double)>();
        foreach (var list in Lists)
        {
            var policy = list.Responses.Select(r => LogProbability(list, r, true)).ToArray();
            var z = list.Responses.Select((r, i) => options.Beta * (policy[i].Sum - LogProbability(list, r, false).Sum)).ToArray();
            double dpo = 0, likelihood = 0;
            for (int k = 0; k < options.Objectives.Count; k++)
            {
                var y = list.Scores[options.Objectives[k]];
                // Breslow's tie-aware Plackett-Luce: each response above the lowest grade is chosen first among those not better than it.
                double lk = 0;
                for (int i = 0; i < y.Length; i++)
                    if (y[i] > y.Min())
                        lk -= z[i] - Math.Log(Enumerable.Range(0, y.Length).Where(l => y[l] <= y[i]).Sum(l => Math.Exp(z[l])));
                dpo += Weights[k] * lk;
                var best = Enumerable.Range(0, y.Length).Where(i => y[i] == y.Max()).ToList();
                if (best.Count < y.Length)
                    likelihood += Weights[k] * best.Average(i => -policy[i].Sum / policy[i].Tokens);
            }
            result.Add((dpo, likelihood));
        }
        return result;
    }

    [TestMethod]
    public void WithTheTermOffTheLossIsTheTieAwarePlackettLuceDpoLossAlone()
    {
        var options = Options(0);
        double expected = Expected(options).Average(e => e.Dpo);
        Assert.AreEqual(expected, FirstLoss(options), 1e-4);
    }

    [TestMethod]
    public void TheTermAddsTheWeightedMeanTokenNllOfEachObjectivesBestResponse()
    {
        var options = Options(1.5f);
        var expected = Expected(options);
        // The term is not negligible beside the DPO part, so a wrong selection or normalisation cannot hide within the tolerance.
        Assert.IsTrue(expected.Average(e => e.Likelihood) > 0.5, $"likelihood part {expected.Average(e => e.Likelihood)}");
        Assert.AreEqual(expected.Average(e => e.Dpo + 1.5 * e.Likelihood), FirstLoss(options), 1e-4);
    }

    [TestMethod]
    public void ANegativeOrNonFiniteWeightIsRefusedNamingTheOption()
    {
        foreach (float bad in new[] { -0.5f, float.NaN, float.PositiveInfinity })
        {
            var e = Assert.ThrowsExactly<ArgumentException>(() => Options(bad).Validate(64));
            Assert.AreEqual(nameof(LanguageAlignmentOptions.LikelihoodWeight), e.ParamName);
            StringAssert.Contains(e.Message, "LanguageAlignmentOptions.LikelihoodWeight must be a finite number, 0 (off) or more; got");
        }
        Options(0).Validate(64);
        Options(2).Validate(64);
    }
}
