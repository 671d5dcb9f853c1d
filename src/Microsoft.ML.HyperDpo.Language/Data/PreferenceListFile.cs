using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.HyperDpo.Language.Data;

/// <summary>
/// The library's own listwise preference format: JSON Lines, one list per line,
/// <c>{"id": "q1", "prompt": "...", "responses": ["...", "..."], "scores": {"helpfulness": [2, 0]},
/// "rankings": {"safety": [1, 2]}, "context": "...", "reference": "..."}</c>.
/// </summary>
/// <remarks>
/// <c>scores</c> give one number per response, higher is better; <c>rankings</c> give ranks, 1 = best, equal ranks
/// tied (stored as scores: minus the rank). <c>id</c> (default: the line number), <c>context</c> and <c>reference</c>
/// are optional; blank lines are skipped.
/// </remarks>
public static class PreferenceListFile
{
    /// <summary>Reads a file in this format.</summary>
    /// <param name="path">The JSON Lines file.</param>
    /// <exception cref="InvalidDataException">A line is malformed; the message names the file, the line and the field.</exception>
    public static IReadOnlyList<PreferenceList> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The preference file '{path}' does not exist.", path);
        var lists = new List<PreferenceList>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            string where = $"'{Path.GetFileName(path)}' line {lineNumber}";
            JsonObject record;
            try
            {
                record = JsonNode.Parse(line) as JsonObject ?? throw new InvalidDataException($"{where}: expected a JSON object.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{where}: not valid JSON ({e.Message}).", e);
            }
            lists.Add(Parse(record, where, lineNumber));
        }
        return lists;
    }

    /// <summary>Writes lists in this format (scores only).</summary>
    /// <param name="path">The destination file, written atomically (a temporary file beside it, then a rename).</param>
    /// <param name="lists">The lists.</param>
    public static void Write(string path, IEnumerable<PreferenceList> lists) =>
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllLines(path, lists.Select(l => new JsonObject
        {
            ["id"] = l.Id,
            ["prompt"] = l.Prompt,
            ["responses"] = new JsonArray(l.Responses.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray()),
            ["scores"] = new JsonObject(l.Scores.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray(kv.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())))),
            ["context"] = l.Context,
            ["reference"] = l.Reference,
        }.ToJsonString()));

    private static PreferenceList Parse(JsonObject record, string where, int lineNumber)
    {
        string? OptionalText(string field) => record[field] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            _ => throw new InvalidDataException($"{where}: field '{field}' must be a string."),
        };
        string id = OptionalText("id") ?? $"line {lineNumber}";
        string prompt = OptionalText("prompt") ?? throw new InvalidDataException($"{where}: field 'prompt' is missing.");
        var responses = (record["responses"] as JsonArray ?? throw new InvalidDataException($"{where}: field 'responses' must be an array of strings."))
            .Select((r, i) => r is JsonValue v && v.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{where}: field 'responses' entry {i} is not a string."))
            .ToArray();
        var scores = new Dictionary<string, double[]>();
        void ReadNumbers(string field, bool ranks)
        {
            if (record[field] is null) return;
            if (record[field] is not JsonObject objectives)
                throw new InvalidDataException($"{where}: field '{field}' must map objective names to arrays of numbers.");
            foreach (var (name, node) in objectives)
            {
                var values = (node as JsonArray ?? throw new InvalidDataException($"{where}: field '{field}.{name}' must be an array of numbers."))
                    .Select((n, i) => n is JsonValue v && v.TryGetValue(out double d) ? d : throw new InvalidDataException($"{where}: field '{field}.{name}' entry {i} is not a number."))
                    .ToArray();
                if (!scores.TryAdd(name, ranks ? values.Select(r => -r).ToArray() : values))
                    throw new InvalidDataException($"{where}: objective '{name}' is given twice (in scores and rankings).");
            }
        }
        ReadNumbers("scores", ranks: false);
        ReadNumbers("rankings", ranks: true);
        var list = new PreferenceList(id, prompt, responses, scores, OptionalText("context"), OptionalText("reference"));
        try
        {
            list.Validate(scores.Keys);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{where}: {e.Message}", e);
        }
        return list;
    }
}
