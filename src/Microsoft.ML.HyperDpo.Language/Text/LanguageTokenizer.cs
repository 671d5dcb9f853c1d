using System.Text.Json;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.HyperDpo.Language.Text;

/// <summary>
/// GPT-2's byte-level BPE tokenizer (Microsoft.ML.Tokenizers, with the ranks embedded, so it works offline), optionally
/// over a compact vocabulary: a small model keeps only the GPT-2 tokens its training text uses most, renumbered
/// 0..n-1, which makes its embedding table and output head a fraction of GPT-2's 50257 rows.
/// </summary>
/// <remarks>
/// In a compact vocabulary id 0 is GPT-2's end-of-text token and id 1 stands for every GPT-2 token outside the
/// vocabulary (decoded as U+FFFD). With the full vocabulary, ids are GPT-2's own, as real GPT-2 weights expect.
/// </remarks>
public sealed class LanguageTokenizer
{
    /// <summary>GPT-2's <c>&lt;|endoftext|&gt;</c> id.</summary>
    public const int Gpt2EndOfText = 50256;

    /// <summary>GPT-2's vocabulary size.</summary>
    public const int Gpt2VocabularySize = 50257;

    private const string EndOfTextText = "<|endoftext|>";
    private static readonly Lazy<TiktokenTokenizer> Gpt2 = new(() => TiktokenTokenizer.CreateForModel("gpt2"));

    private readonly int[]? _gpt2Ids;
    private readonly Dictionary<int, int>? _modelIds;

    private LanguageTokenizer(int[]? gpt2Ids)
    {
        _gpt2Ids = gpt2Ids;
        _modelIds = gpt2Ids?.Select((g, i) => (g, i)).ToDictionary(p => p.g, p => p.i);
    }

    /// <summary>GPT-2's full vocabulary (ids as in real GPT-2 checkpoints).</summary>
    public static LanguageTokenizer FullGpt2 { get; } = new(null);

    /// <summary>
    /// A compact vocabulary of end-of-text, unknown, and the <paramref name="size"/> - 2 GPT-2 tokens most frequent in
    /// <paramref name="texts"/> (ties broken by GPT-2 id, so the result is deterministic).
    /// </summary>
    /// <param name="texts">Training text.</param>
    /// <param name="size">Vocabulary size, at least 3.</param>
    public static LanguageTokenizer BuildCompact(IEnumerable<string> texts, int size)
    {
        if (size < 3) throw new ArgumentOutOfRangeException(nameof(size), size, "A compact vocabulary needs at least 3 entries.");
        var counts = new Dictionary<int, long>();
        foreach (string text in texts)
            foreach (int id in Gpt2.Value.EncodeToIds(text))
                counts[id] = counts.GetValueOrDefault(id) + 1;
        counts.Remove(Gpt2EndOfText);
        var kept = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(size - 2).Select(kv => kv.Key);
        // -1 marks the unknown slot: no GPT-2 token maps to it directly.
        return new LanguageTokenizer(new[] { Gpt2EndOfText, -1 }.Concat(kept).ToArray());
    }

    /// <summary>Number of ids the model sees.</summary>
    public int VocabularySize => _gpt2Ids?.Length ?? Gpt2VocabularySize;

    /// <summary>The end-of-text id in the model's vocabulary.</summary>
    public int EndOfText => _gpt2Ids is null ? Gpt2EndOfText : 0;

    /// <summary>The id that stands for every GPT-2 token outside a compact vocabulary; null for the full vocabulary.</summary>
    public int? UnknownId => _gpt2Ids is null ? null : 1;

    /// <summary>Whether this is a compact vocabulary.</summary>
    public bool IsCompact => _gpt2Ids is not null;

    /// <summary>The model ids of a text (no end-of-text token added).</summary>
    /// <param name="text">Any text.</param>
    public int[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = Gpt2.Value.EncodeToIds(text);
        return _modelIds is null ? ids.ToArray() : ids.Select(g => _modelIds.TryGetValue(g, out int m) ? m : 1).ToArray();
    }

    /// <summary>The text of model ids; end-of-text decodes as nothing, an unknown id as U+FFFD.</summary>
    /// <param name="ids">Model ids.</param>
    public string Decode(IEnumerable<int> ids)
    {
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count > 0) text.Append(Gpt2.Value.Decode(run));
            run.Clear();
        }
        foreach (int id in ids)
        {
            if (id < 0 || id >= VocabularySize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token ids run from 0 to {VocabularySize - 1}.");
            int gpt2 = _gpt2Ids is null ? id : _gpt2Ids[id];
            if (gpt2 == Gpt2EndOfText) { Flush(); continue; }
            if (gpt2 < 0) { Flush(); text.Append('\uFFFD'); continue; }
            run.Add(gpt2);
        }
        Flush();
        return text.ToString();
    }

    /// <summary>Writes the vocabulary as JSON (<c>{"base": "gpt2", "gpt2_ids": [...]}</c>; no ids: the full vocabulary).</summary>
    /// <param name="path">The destination file, written atomically (a temporary file beside it, then a rename).</param>
    public void Save(string path) =>
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new VocabularyFile("gpt2", _gpt2Ids)));

    /// <summary>Reads a vocabulary written by <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="InvalidDataException">The file does not describe a GPT-2 vocabulary.</exception>
    public static LanguageTokenizer Load(string path)
    {
        VocabularyFile? file;
        try
        {
            file = JsonSerializer.Deserialize<VocabularyFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}': not a vocabulary file ({e.Message}).", e);
        }
        if (file is null || file.@base != "gpt2")
            throw new InvalidDataException($"'{path}': expected \"base\": \"gpt2\".");
        if (file.gpt2_ids is { } ids && (ids.Length < 3 || ids[0] != Gpt2EndOfText || ids[1] != -1 || ids.Skip(2).Any(i => i < 0 || i >= Gpt2EndOfText)))
            throw new InvalidDataException($"'{path}': gpt2_ids must start with {Gpt2EndOfText}, -1 and hold GPT-2 token ids below {Gpt2EndOfText}.");
        return file.gpt2_ids is null ? FullGpt2 : new LanguageTokenizer(file.gpt2_ids);
    }

#pragma warning disable IDE1006 // JSON field names.
    private sealed record VocabularyFile(string @base, int[]? gpt2_ids);
#pragma warning restore IDE1006
}
