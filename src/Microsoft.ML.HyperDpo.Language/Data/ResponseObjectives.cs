using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Language.Data;

/// <summary>An objective measured on a response's text (higher is better), so that it can score training lists and generated text alike.</summary>
public interface IResponseObjective
{
    /// <summary>The objective's name (a key of <see cref="PreferenceList.Scores"/>).</summary>
    string Name { get; }

    /// <summary>The response's value of the objective, higher is better.</summary>
    /// <param name="response">The response text.</param>
    /// <param name="list">The list it answers (its prompt, context and reference).</param>
    double Score(string response, PreferenceList list);
}

/// <summary>Conciseness: minus the number of words, so shorter is better.</summary>
public sealed class ConcisenessObjective : IResponseObjective
{
    /// <inheritdoc/>
    public string Name => "conciseness";

    /// <inheritdoc/>
    public double Score(string response, PreferenceList list) => -TextWords.Split(response).Count;
}

/// <summary>
/// Grounding on content words: the number of distinct content words of the response (lower-cased letters and digits,
/// English function words such as "the", "of", "is" left out) that occur in the list's context (its passages), minus
/// the number of distinct content words that do not. Function words and repetitions change nothing, so neither
/// "the the the" nor a repeated passage word can raise it; each grounded word adds one and each ungrounded word takes
/// one away. A list without passages scores 0 for every response (all tied, which the tie-aware loss leaves out of this objective).
/// </summary>
public sealed class GroundingObjective : IResponseObjective
{
    /// <inheritdoc/>
    public string Name => "grounding";

    /// <inheritdoc/>
    public double Score(string response, PreferenceList list)
    {
        if (string.IsNullOrEmpty(list.Context)) return 0;
        var context = TextWords.ContentWords(list.Context).ToHashSet(StringComparer.Ordinal);
        var words = TextWords.ContentWords(response).Distinct(StringComparer.Ordinal).ToList();
        int grounded = words.Count(context.Contains);
        return grounded - (words.Count - grounded);
    }
}

/// <summary>Correctness: ROUGE-L F1 (longest common word subsequence) of the response against the list's reference answer.</summary>
public sealed class CorrectnessObjective : IResponseObjective
{
    /// <inheritdoc/>
    public string Name => "correctness";

    /// <inheritdoc/>
    public double Score(string response, PreferenceList list)
    {
        if (string.IsNullOrEmpty(list.Reference))
            throw new InvalidDataException($"Preference list '{list.Id}': field 'reference' is empty; the correctness objective needs the gold answer.");
        var a = TextWords.Split(response);
        var b = TextWords.Split(list.Reference);
        if (a.Count == 0 || b.Count == 0) return 0;
        var row = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            int diagonal = 0;
            for (int j = 1; j <= b.Count; j++)
            {
                int above = row[j];
                row[j] = a[i - 1] == b[j - 1] ? diagonal + 1 : Math.Max(row[j], row[j - 1]);
                diagonal = above;
            }
        }
        double lcs = row[b.Count], precision = lcs / a.Count, recall = lcs / b.Count;
        return lcs == 0 ? 0 : 2 * precision * recall / (precision + recall);
    }
}

/// <summary>The computed objectives by name, and how to add their scores to lists.</summary>
public static class ResponseObjectives
{
    /// <summary>Every computed objective this library provides.</summary>
    public static IReadOnlyList<IResponseObjective> All { get; } = new IResponseObjective[] { new ConcisenessObjective(), new GroundingObjective(), new CorrectnessObjective() };

    /// <summary>The computed objective of that name.</summary>
    /// <param name="name">conciseness, grounding or correctness.</param>
    public static IResponseObjective Get(string name) =>
        All.FirstOrDefault(o => o.Name == name)
        ?? throw new ArgumentException($"Unknown objective '{name}'; computed objectives are {string.Join(", ", All.Select(o => o.Name))}.", nameof(name));

    /// <summary>Adds each objective's scores of every response to every list.</summary>
    /// <param name="lists">The lists.</param>
    /// <param name="objectives">The objectives to compute.</param>
    public static IReadOnlyList<PreferenceList> Apply(IEnumerable<PreferenceList> lists, IEnumerable<IResponseObjective> objectives)
    {
        var chosen = objectives.ToList();
        return lists.Select(list => chosen.Aggregate(list, (l, o) => l.WithScores(o.Name, l.Responses.Select(r => o.Score(r, l)).ToArray()))).ToList();
    }
}

/// <summary>Splits text into lower-cased words of letters and digits, the unit of the computed objectives.</summary>
internal static partial class TextWords
{
    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    public static List<string> Split(string text) => Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).ToList();

    /// <summary>The words of <paramref name="text"/> that are not English function words.</summary>
    public static IEnumerable<string> ContentWords(string text) => Split(text).Where(w => !FunctionWords.Contains(w));

    /// <summary>English function words: articles, pronouns, prepositions, conjunctions, auxiliaries and the commonest adverbs.</summary>
    private static readonly HashSet<string> FunctionWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "this", "that", "these", "those", "some", "any", "each", "every", "all", "both", "no", "not", "nor",
        "i", "me", "my", "we", "us", "our", "you", "your", "he", "him", "his", "she", "her", "it", "its", "they", "them", "their",
        "who", "whom", "whose", "which", "what", "when", "where", "why", "how",
        "of", "in", "on", "at", "to", "for", "from", "by", "with", "about", "as", "into", "onto", "over", "under", "after", "before",
        "between", "during", "through", "than", "up", "down", "out", "off", "per", "via", "within", "without",
        "and", "or", "but", "if", "so", "because", "while", "though", "although", "then", "also", "too", "very", "just", "only",
        "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did", "done", "have", "has", "had", "having",
        "will", "would", "shall", "should", "can", "could", "may", "might", "must", "s", "t",
        "there", "here", "such", "other", "more", "most", "same", "own", "again", "still",
    };
}
