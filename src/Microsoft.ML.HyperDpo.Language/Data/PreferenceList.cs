namespace Microsoft.ML.HyperDpo.Language.Data;

/// <summary>
/// One listwise preference example: a prompt, its K candidate responses, and per objective a score of every response
/// (higher is better; equal scores are ties). A ranking is given as scores too: K - rank.
/// </summary>
/// <param name="Id">The example's identifier, used in error messages.</param>
/// <param name="Prompt">The prompt (a question).</param>
/// <param name="Responses">The candidate responses, at least two.</param>
/// <param name="Scores">Per objective name, one score per response.</param>
/// <param name="Context">Optional source text the responses should be grounded in (passages).</param>
/// <param name="Reference">Optional reference response (a gold answer).</param>
public sealed record PreferenceList(
    string Id,
    string Prompt,
    IReadOnlyList<string> Responses,
    IReadOnlyDictionary<string, double[]> Scores,
    string? Context = null,
    string? Reference = null)
{
    /// <summary>A copy with one more objective's scores.</summary>
    /// <param name="objective">The objective's name.</param>
    /// <param name="scores">One score per response.</param>
    public PreferenceList WithScores(string objective, double[] scores)
    {
        if (scores.Length != Responses.Count)
            throw new ArgumentException($"Preference list '{Id}': objective '{objective}' has {scores.Length} scores for {Responses.Count} responses.", nameof(scores));
        return this with { Scores = new Dictionary<string, double[]>(Scores) { [objective] = scores } };
    }

    /// <summary>Throws an <see cref="InvalidDataException"/> naming this list and the field when the list is malformed.</summary>
    /// <param name="objectives">Objectives that must have scores.</param>
    public void Validate(IEnumerable<string> objectives)
    {
        if (string.IsNullOrWhiteSpace(Prompt))
            throw new InvalidDataException($"Preference list '{Id}': field 'prompt' is empty.");
        if (Responses.Count < 2)
            throw new InvalidDataException($"Preference list '{Id}': field 'responses' has {Responses.Count} entries; at least 2 are needed.");
        for (int i = 0; i < Responses.Count; i++)
            if (string.IsNullOrWhiteSpace(Responses[i]))
                throw new InvalidDataException($"Preference list '{Id}': response {i} is empty.");
        foreach (string objective in objectives)
        {
            if (!Scores.TryGetValue(objective, out var s))
                throw new InvalidDataException($"Preference list '{Id}': field 'scores' has no objective '{objective}'.");
            if (s.Length != Responses.Count)
                throw new InvalidDataException($"Preference list '{Id}': scores of '{objective}' have {s.Length} entries for {Responses.Count} responses.");
            if (s.Any(v => !double.IsFinite(v)))
                throw new InvalidDataException($"Preference list '{Id}': scores of '{objective}' must be finite numbers.");
        }
    }
}
