using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Text;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>
/// Prompt and response lengths chosen from the data, so that responses are not cut when the context has room: the longest
/// prompt and the longest response (end-of-text included) when both fit beside the soft prompt; otherwise the responses
/// keep as much room as they can, the prompts at least a quarter of it, and the counts say how many are cut.
/// </summary>
/// <param name="MaxPromptTokens">The prompt length to train with (<see cref="LanguageAlignmentOptions.MaxPromptTokens"/>).</param>
/// <param name="MaxResponseTokens">The response length to train with (<see cref="LanguageAlignmentOptions.MaxResponseTokens"/>), end-of-text included.</param>
/// <param name="LongestPrompt">Tokens of the longest prompt, in the alignment template (with the weights written in when asked).</param>
/// <param name="LongestResponse">Tokens of the longest response, end-of-text included.</param>
/// <param name="Prompts">Prompts counted.</param>
/// <param name="CutPrompts">Prompts longer than <see cref="MaxPromptTokens"/> (they keep their end).</param>
/// <param name="Responses">Responses counted.</param>
/// <param name="CutResponses">Responses longer than <see cref="MaxResponseTokens"/> (they keep their start and lose end-of-text).</param>
public sealed record TokenBudget(int MaxPromptTokens, int MaxResponseTokens, int LongestPrompt, int LongestResponse, int Prompts, int CutPrompts, int Responses, int CutResponses)
{
    /// <summary>Chooses the lengths for <paramref name="lists"/> and counts what they cut.</summary>
    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="lists">The lists to be read (training and held-out ones alike, so that scoring cuts nothing either).</param>
    /// <param name="promptLength">The soft prompt's length m.</param>
    /// <param name="contextLength">The model's context length.</param>
    /// <param name="weightsAsTextObjectives">When given, prompts are measured with the weights written in (the weights-as-text
    /// baseline's longer prompts), so that they are not cut either.</param>
    /// <exception cref="ArgumentException">The context leaves fewer than two tokens beside the soft prompt, or there are no lists.</exception>
    public static TokenBudget FromData(LanguageTokenizer tokenizer, IEnumerable<PreferenceList> lists, int promptLength, int contextLength,
        IReadOnlyList<string>? weightsAsTextObjectives = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(lists);
        int room = contextLength - promptLength;
        if (room < 2)
            throw new ArgumentException($"The context ({contextLength}) leaves {room} tokens beside the soft prompt ({promptLength}); at least 2 are needed.", nameof(contextLength));
        var measure = new ResponseEncoder(tokenizer, int.MaxValue, int.MaxValue);
        var all = lists.ToList();
        if (all.Count == 0)
            throw new ArgumentException("There are no lists to measure.", nameof(lists));
        // The weights-as-text prompt is longest with one decimal per objective; any weights give the same number of characters.
        var weightsText = weightsAsTextObjectives?.Select(_ => 0.5f).ToArray();
        var prompts = all.Select(l => measure.EncodePrompt(weightsText is null
            ? ResponseEncoder.PromptText(l.Prompt)
            : ResponseEncoder.PromptText(l.Prompt, weightsAsTextObjectives, weightsText)).Length).ToList();
        var responses = all.SelectMany(l => l.Responses).Select(r => measure.EncodeResponse(r).Length).ToList();
        int longestPrompt = prompts.Max(), longestResponse = responses.Max();
        int maxPrompt = Math.Min(longestPrompt, Math.Max(room - longestResponse, room / 4));
        int maxResponse = Math.Min(longestResponse, room - maxPrompt);
        return new TokenBudget(maxPrompt, maxResponse, longestPrompt, longestResponse, prompts.Count, prompts.Count(p => p > maxPrompt),
            responses.Count, responses.Count(r => r > maxResponse));
    }

    /// <summary>Sets the lengths on <paramref name="options"/>.</summary>
    /// <param name="options">The options to change.</param>
    public void ApplyTo(LanguageAlignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.MaxPromptTokens = MaxPromptTokens;
        options.MaxResponseTokens = MaxResponseTokens;
    }

    /// <summary>One line for a report: the lengths and how much they cut.</summary>
    public string Describe() =>
        $"prompts up to {MaxPromptTokens} tokens (longest {LongestPrompt}; {CutPrompts} of {Prompts} cut), " +
        $"responses up to {MaxResponseTokens} tokens with end-of-text (longest {LongestResponse}; {CutResponses} of {Responses} cut)";
}
