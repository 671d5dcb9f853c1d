using System.Text.Json;

namespace Microsoft.ML.HyperDpo.Language.Data;

/// <summary>
/// Reads the qa-feedback file of FineGrainedRLHF (Wu et al., 2023: long-form QA over Wikipedia passages): a JSON array
/// of objects with <c>question</c>, <c>passages</c> (lists of [title, sentence, ...]), <c>gold</c>,
/// <c>prediction 1</c>..<c>prediction 4</c> and <c>preference</c> (6 pairwise judgements for 1v2, 1v3, 1v4, 2v3, 2v4,
/// 3v4: 1 = first preferred, 2 = second, 0 = no preference).
/// </summary>
/// <remarks>
/// The human preference becomes the objective <see cref="HumanObjective"/>: each answer's number of pairwise wins,
/// a tie counting one half. Answers with equal wins are tied; a cyclic judgement gives equal wins, hence ties.
/// Other fields (fine-grained feedback on the first answer) are not read.
/// </remarks>
public static class QaFeedbackReader
{
    /// <summary>The name of the human-preference objective.</summary>
    public const string HumanObjective = "human";

    private static readonly (int First, int Second)[] Pairs = { (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3) };

    /// <summary>Reads every record of the file, in file order; record ids are "record N" (0-based).</summary>
    /// <param name="path">The JSON file.</param>
    /// <exception cref="InvalidDataException">A record lacks a field or has a malformed one; the message names the record and the field.</exception>
    public static IReadOnlyList<PreferenceList> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The qa-feedback file '{path}' does not exist.", path);
        using var stream = File.OpenRead(path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"'{path}': expected a JSON array of records.");
            return document.RootElement.EnumerateArray().Select((record, i) => ReadRecord(record, $"'{Path.GetFileName(path)}' record {i}", $"record {i}")).ToList();
        }
    }

    /// <summary>Reads one record (exposed for tests).</summary>
    internal static PreferenceList ReadRecord(JsonElement record, string where, string id)
    {
        string Text(string field)
        {
            if (record.ValueKind != JsonValueKind.Object || !record.TryGetProperty(field, out var v))
                throw new InvalidDataException($"{where}: field '{field}' is missing.");
            if (v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
                throw new InvalidDataException($"{where}: field '{field}' must be a non-empty string.");
            return v.GetString()!;
        }
        string question = Text("question");
        string gold = Text("gold");
        var responses = Enumerable.Range(1, 4).Select(k => Text($"prediction {k}")).ToArray();

        if (!record.TryGetProperty("preference", out var preference))
            throw new InvalidDataException($"{where}: field 'preference' is missing.");
        if (preference.ValueKind != JsonValueKind.Array || preference.GetArrayLength() != Pairs.Length)
            throw new InvalidDataException($"{where}: field 'preference' must be an array of 6 judgements (1v2, 1v3, 1v4, 2v3, 2v4, 3v4).");
        var wins = new double[4];
        int p = 0;
        foreach (var judgement in preference.EnumerateArray())
        {
            var (a, b) = Pairs[p++];
            if (judgement.ValueKind != JsonValueKind.Number || !judgement.TryGetInt32(out int value) || value is < 0 or > 2)
                throw new InvalidDataException($"{where}: field 'preference' entry {p - 1} is {judgement.GetRawText()}; expected 0, 1 or 2.");
            if (value == 1) wins[a] += 1;
            else if (value == 2) wins[b] += 1;
            else { wins[a] += 0.5; wins[b] += 0.5; }
        }

        var passages = new List<string>();
        if (record.TryGetProperty("passages", out var passageList))
        {
            if (passageList.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"{where}: field 'passages' must be an array of [title, text, ...] lists.");
            foreach (var passage in passageList.EnumerateArray())
            {
                if (passage.ValueKind != JsonValueKind.Array || passage.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
                    throw new InvalidDataException($"{where}: field 'passages' must hold lists of strings.");
                // The first entry is the title, repeated at the start of the first sentence.
                passages.Add(string.Join(" ", passage.EnumerateArray().Skip(1).Select(s => s.GetString())));
            }
        }
        return new PreferenceList(id, question, responses, new Dictionary<string, double[]> { [HumanObjective] = wins }, string.Join("\n", passages), gold);
    }
}
