using System.Reflection;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClass]
public class AlignmentOptionsCopyTests
{
    /// <summary>
    /// Every public option survives <c>LanguageAlignmentTrainer.Copy</c> (the prompt soup and the demo train copies), except
    /// the three it sets (and the soup start, which only Hyper Prompt Tuning keeps): set each to a value other than its default, copy, and compare property by property, so that an
    /// option added later cannot be dropped silently.
    /// </summary>
    [TestMethod]
    public void CopyKeepsEveryOptionButTheThreeItSets()
    {
        var properties = typeof(LanguageAlignmentOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        Assert.IsTrue(properties.Length >= 18, $"{properties.Length} options");
        var source = new LanguageAlignmentOptions();
        var defaults = new LanguageAlignmentOptions();
        foreach (var p in properties)
        {
            p.SetValue(source, NotDefault(p.PropertyType, p.GetValue(defaults)));
            Assert.AreNotEqual(Describe(p.GetValue(defaults)), Describe(p.GetValue(source)), $"{p.Name} got a distinct value");
        }

        var weights = new[] { 0.25f, 0.75f };
        var copy = LanguageAlignmentTrainer.Copy(source, PromptConditioning.WeightsAsText, weights, seed: 1234);
        Assert.AreNotSame(source, copy);
        foreach (var p in properties)
        {
            object expected = p.Name switch
            {
                nameof(LanguageAlignmentOptions.Conditioning) => PromptConditioning.WeightsAsText,
                nameof(LanguageAlignmentOptions.FixedWeights) => weights,
                nameof(LanguageAlignmentOptions.Seed) => 1234,
                // Only Hyper Prompt Tuning starts at per-objective prompts: a copy for another method starts cold.
                nameof(LanguageAlignmentOptions.SoupStartSteps) => 0,
                _ => p.GetValue(source),
            };
            Assert.AreEqual(Describe(expected), Describe(p.GetValue(copy)), p.Name);
        }
        Assert.AreEqual(source.SoupStartSteps, LanguageAlignmentTrainer.Copy(source, PromptConditioning.HyperPrompt, null, seed: 1).SoupStartSteps,
            "a copy for Hyper Prompt Tuning keeps its soup start");
        // The copy is its own object: setting an option on it leaves the source alone.
        copy.Steps = 1;
        Assert.AreNotEqual(1, source.Steps);
    }

    private static object NotDefault(Type type, object current) => type switch
    {
        _ when type == typeof(int) => (int)current! + 7,
        _ when type == typeof(float) => (float)current! + 0.125f,
        _ when type == typeof(int?) => 5,
        _ when type == typeof((float, float)?) => ((float, float)?)(0.05f, 0.5f),
        _ when type == typeof(float[]) => new[] { 0.5f, 0.5f },
        _ when type == typeof(IReadOnlyList<string>) => new[] { "a", "b" },
        _ when type == typeof(PromptConditioning) => PromptConditioning.None,
        _ => throw new AssertFailedException($"No test value for an option of type {type}: add one here."),
    };

    private static string Describe(object value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object>()) + "]",
        _ => value.ToString()!,
    };
}
