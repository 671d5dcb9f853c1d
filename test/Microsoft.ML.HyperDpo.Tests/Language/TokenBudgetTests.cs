using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClass]
public class TokenBudgetTests
{
    [TestMethod]
    public void LengthsComeFromTheDataAndTheCutsAreCounted()
    {
        var lists = AlignmentTests.SyntheticLists(10, 31);
        var (_, tokenizer) = AlignmentTests.TinyModel(lists);
        // Independently: each response as the encoder writes it (a space, the text, end-of-text), each prompt in the template.
        var responses = lists.SelectMany(l => l.Responses).Select(r => tokenizer.Encode(" " + r.Trim()).Length + 1).ToList();
        var prompts = lists.Select(l => tokenizer.Encode($"Question: {l.Prompt}\nAnswer:").Length).ToList();

        // Room for everything: the longest of each, nothing cut.
        var roomy = TokenBudget.FromData(tokenizer, lists, promptLength: 2, contextLength: 64);
        Assert.AreEqual(responses.Max(), roomy.MaxResponseTokens);
        Assert.AreEqual(prompts.Max(), roomy.MaxPromptTokens);
        Assert.AreEqual(0, roomy.CutResponses);
        Assert.AreEqual(0, roomy.CutPrompts);
        Assert.AreEqual(40, roomy.Responses);

        // A context too short: responses keep what the prompts leave (a quarter of the room at least), and the cuts are counted.
        int context = 2 + prompts.Max() + responses.Max() - 3;
        var tight = TokenBudget.FromData(tokenizer, lists, promptLength: 2, contextLength: context);
        int room = context - 2;
        int maxPrompt = Math.Min(prompts.Max(), Math.Max(room - responses.Max(), room / 4));
        Assert.AreEqual(maxPrompt, tight.MaxPromptTokens);
        Assert.AreEqual(room - maxPrompt, tight.MaxResponseTokens);
        Assert.AreEqual(responses.Count(r => r > room - maxPrompt), tight.CutResponses);
        Assert.AreEqual(prompts.Count(p => p > maxPrompt), tight.CutPrompts);
        Assert.IsTrue(tight.CutResponses + tight.CutPrompts > 0, "the tight context cuts something");
        StringAssert.Contains(tight.Describe(), $"{tight.CutResponses} of 40 cut");

        // Weights written as text make prompts longer, and are measured so.
        var asText = TokenBudget.FromData(tokenizer, lists, 2, 64, new[] { "short", "yes" });
        Assert.IsTrue(asText.LongestPrompt > roomy.LongestPrompt);

        var options = new LanguageAlignmentOptions();
        roomy.ApplyTo(options);
        Assert.AreEqual((roomy.MaxPromptTokens, roomy.MaxResponseTokens), (options.MaxPromptTokens, options.MaxResponseTokens));
        Assert.ThrowsExactly<ArgumentException>(() => TokenBudget.FromData(tokenizer, lists, 8, 9));
    }
}
