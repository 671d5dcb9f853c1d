using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Microsoft.ML.HyperDpo.Persistence;

/// <summary>
/// The JSON entry <c>checkpoint.json</c> of a HyperDPO checkpoint: what the checkpoint holds and how to rebuild the
/// network; the byte layout of the other entries is described in docs/persistence.md.
/// </summary>
internal sealed record CheckpointManifest
{
    /// <summary>The value of <see cref="Format"/> in every HyperDPO checkpoint.</summary>
    public const string FormatName = "Microsoft.ML.HyperDpo.Checkpoint";

    public string Format { get; init; } = FormatName;
    public int Version { get; init; }
    public string Library { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    public string[] Objectives { get; init; } = Array.Empty<string>();
    public string FeatureColumnName { get; init; } = "";
    public int FeatureCount { get; init; }
    public float[] ObjectiveWeights { get; init; } = Array.Empty<float>();
    public int EpochsCompleted { get; init; }
    /// <summary>Of <see cref="EpochsCompleted"/>, those run before the fit that wrote the checkpoint began (0 when absent).</summary>
    public int EpochsBeforeFit { get; init; }
    /// <summary>The epochs that fit planned in all (0 when absent: its options' NumberOfEpochs).</summary>
    public int FitEpochs { get; init; }
    /// <summary>A temperature-conditioned model's temperature (absent otherwise, and in checkpoints written before temperature conditioning).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public float? Temperature { get; init; }

    /// <summary>Steps run of the epoch after <see cref="EpochsCompleted"/>: a checkpoint written in the middle of an epoch (0 when absent).</summary>
    public int StepsIntoEpoch { get; init; }
    /// <summary>The trainer options (<see cref="CheckpointOptions"/>).</summary>
    public JsonObject Options { get; init; } = new();

    /// <summary>Entry name -> lowercase hex SHA-256 of its bytes, for every other entry of the archive.</summary>
    public Dictionary<string, string> Sha256 { get; init; } = new();
}

/// <summary>
/// The trainer options in a checkpoint: every public settable option of <see cref="HyperDpoRankingTrainer.Options"/>
/// whose value is plain data (strings, numbers, enums by name, arrays of them), found by reflection so that an option
/// added later is saved without touching this code. The reference model (saved as its own entry) and the initial
/// checkpoint are not plain data and are skipped. <see cref="HyperDpoRankingTrainer.Options.CheckpointPath"/> is neither saved
/// nor read: a path on the machine that wrote the file must never decide where the machine that loads it writes.
/// </summary>
internal static class CheckpointOptions
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Options that name a file of the machine that wrote the checkpoint.</summary>
    private static readonly string[] Paths = [nameof(HyperDpoRankingTrainer.Options.CheckpointPath)];

    private static IEnumerable<PropertyInfo> Saved() =>
        typeof(HyperDpoRankingTrainer.Options).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.CanWrite && IsPlain(p.PropertyType) && !Paths.Contains(p.Name));

    private static bool IsPlain(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return IsPlain(type.GetElementType()!);
        return type.IsPrimitive || type.IsEnum || type == typeof(string);
    }

    public static JsonObject From(HyperDpoRankingTrainer.Options options)
    {
        var json = new JsonObject();
        foreach (var p in Saved())
            json[p.Name] = JsonSerializer.SerializeToNode(p.GetValue(options), p.PropertyType, Json);
        return json;
    }

    /// <summary>Options from the saved values; options the file does not name keep their defaults.</summary>
    /// <exception cref="InvalidDataException">An option is unknown to this library or its value has the wrong type.</exception>
    public static HyperDpoRankingTrainer.Options ToOptions(JsonObject json)
    {
        var options = new HyperDpoRankingTrainer.Options();
        var known = Saved().ToDictionary(p => p.Name);
        foreach (var (name, value) in json)
        {
            // Checkpoints written before paths were left out still hold one: it is ignored, never used.
            if (Paths.Contains(name)) continue;
            if (!known.TryGetValue(name, out var property))
                throw new InvalidDataException($"the option '{name}' is unknown to this library version");
            try
            {
                property.SetValue(options, value.Deserialize(property.PropertyType, Json));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"the option '{name}' has a value of the wrong type ({e.Message})", e);
            }
        }
        return options;
    }
}
