using System.Globalization;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>A prompt and its responses as token ids; each response ends with end-of-text.</summary>
/// <param name="Prompt">The prompt's ids.</param>
/// <param name="Responses">Each response's ids.</param>
internal sealed record EncodedList(int[] Prompt, int[][] Responses);

/// <summary>
/// Turns prompts and responses into token ids with the alignment template, <c>"Question: {prompt}\nAnswer:"</c> followed
/// by <c>" {response}"</c> and end-of-text, truncating long prompts (keeping their end) and long responses (keeping
/// their start, without end-of-text then), and pads batches of sequences.
/// </summary>
internal sealed class ResponseEncoder
{
    private readonly LanguageTokenizer _tokenizer;
    private readonly int _maxPromptTokens;
    private readonly int _maxResponseTokens;

    public ResponseEncoder(LanguageTokenizer tokenizer, int maxPromptTokens, int maxResponseTokens)
    {
        _tokenizer = tokenizer;
        _maxPromptTokens = maxPromptTokens;
        _maxResponseTokens = maxResponseTokens;
    }

    public LanguageTokenizer Tokenizer => _tokenizer;

    /// <summary>The prompt text as the model sees it; with <paramref name="weightsAsText"/>, the weights are written into it (Rewards-in-Context style).</summary>
    public static string PromptText(string prompt, IReadOnlyList<string>? objectives = null, ReadOnlySpan<float> weightsAsText = default)
    {
        if (objectives is null || weightsAsText.IsEmpty)
            return $"Question: {prompt}\nAnswer:";
        var parts = new string[objectives.Count];
        for (int k = 0; k < parts.Length; k++)
            parts[k] = $"{objectives[k]} {weightsAsText[k].ToString("0.0", CultureInfo.InvariantCulture)}";
        return $"Weights: {string.Join(", ", parts)}\nQuestion: {prompt}\nAnswer:";
    }

    public int[] EncodePrompt(string promptText)
    {
        var ids = _tokenizer.Encode(promptText);
        return ids.Length <= _maxPromptTokens ? ids : ids[^_maxPromptTokens..];
    }

    public int[] EncodeResponse(string response)
    {
        var ids = _tokenizer.Encode(" " + response.Trim());
        return ids.Length < _maxResponseTokens ? ids.Append(_tokenizer.EndOfText).ToArray() : ids[.._maxResponseTokens];
    }

    public EncodedList Encode(PreferenceList list) =>
        new(EncodePrompt(PromptText(list.Prompt)), list.Responses.Select(EncodeResponse).ToArray());

    /// <summary>
    /// Right-padded sequences prompt + response for every (prompt, response) pair, and the mask of the response's tokens
    /// (the positions whose log-probability counts). Causal attention keeps padding from changing real positions.
    /// </summary>
    /// <returns>tokens [N, T] int64 and targets [N, T] bool, on <paramref name="device"/>.</returns>
    public (Tensor Tokens, Tensor Targets) Pad(IEnumerable<(int[] Prompt, int[] Response)> pairs, Device device)
    {
        var rows = pairs.ToList();
        int length = rows.Max(r => r.Prompt.Length + r.Response.Length);
        var tokens = new long[rows.Count * length];
        var targets = new bool[rows.Count * length];
        Array.Fill(tokens, _tokenizer.EndOfText);
        for (int n = 0; n < rows.Count; n++)
        {
            var (prompt, response) = rows[n];
            for (int t = 0; t < prompt.Length; t++) tokens[n * length + t] = prompt[t];
            for (int t = 0; t < response.Length; t++)
            {
                tokens[n * length + prompt.Length + t] = response[t];
                targets[n * length + prompt.Length + t] = true;
            }
        }
        return (torch.tensor(tokens, new long[] { rows.Count, length }, device: device),
                torch.tensor(targets, new long[] { rows.Count, length }, device: device));
    }
}
