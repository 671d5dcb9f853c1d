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
/// The trainer options in a checkpoint: every public settable option of <see cref="HyperDpoRankingTrainer.Options"/> and of its
/// groups whose value is plain data (strings, numbers, enums by name, arrays of them), found by reflection so that an option
/// added later is saved without touching this code; a group is a JSON object named after it (<c>"Optimiser": { "LearningRate": ... }</c>).
/// The references (saved as their own entry), the backbone, the progress sink and the start checkpoint are not plain data and are
/// skipped. <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Path"/> is neither saved nor read: a path on the machine that wrote
/// the file must never decide where the machine that loads it writes; nor is <see cref="HyperDpoRankingTrainer.CheckpointingOptions.Resume"/>,
/// which belongs to the fit that reads a checkpoint.
/// </summary>
/// <remarks>
/// Checkpoints written before the options were grouped hold them flat, by their former names (<c>"LearningRate"</c>,
/// <c>"CheckpointInterval"</c>); <see cref="ToOptions"/> reads those through <see cref="Former"/> and the unchanged names.
/// </remarks>
internal static class CheckpointOptions
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private const string CheckpointingGroup = nameof(HyperDpoRankingTrainer.Options.Checkpointing);

    /// <summary>Options never saved: the path names a file of the machine that wrote the checkpoint; resuming is the reader's choice.</summary>
    private static readonly string[] NotSaved =
    [
        HyperDpoRankingTrainer.Options.Path(CheckpointingGroup, nameof(HyperDpoRankingTrainer.CheckpointingOptions.Path)),
        HyperDpoRankingTrainer.Options.Path(CheckpointingGroup, nameof(HyperDpoRankingTrainer.CheckpointingOptions.Resume)),
    ];

    /// <summary>The flat names of options whose name changed when they were grouped, and their full names now.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Former = new Dictionary<string, string>
    {
        ["Loss"] = "Loss.Kind",
        ["Beta"] = "Loss.Beta",
        ["LossNormalization"] = "Loss.Normalization",
        ["ReferenceBeta"] = "References.Beta",
        ["ReferenceForm"] = "References.Form",
        ["ReferenceFolds"] = "References.Folds",
        ["ReferenceScoreColumnName"] = "References.ScoreColumnName",
        ["ValidationGridDivisions"] = "Validation.GridDivisions",
        // Checkpoints of the versions with weight averages and conditioned references (EnsembleSize and RefitOnValidationData
        // kept their names, so the unchanged-name lookup finds them).
        ["ValidationGrids"] = "Validation.Grids",
        ["ConditionedReferenceFeatureColumnName"] = "References.ConditionedFeatureColumnName",
        ["CheckpointPath"] = "Checkpointing.Path",
        ["CheckpointInterval"] = "Checkpointing.Interval",
        ["CheckpointStepInterval"] = "Checkpointing.StepInterval",
        ["CheckpointSeconds"] = "Checkpointing.Seconds",
        ["LargeDataRows"] = "LargeData.Rows",
        ["LargeDataRowsPerStep"] = "LargeData.RowsPerStep",
        ["LargeDataValidationLists"] = "LargeData.ValidationLists",
    };

    /// <summary>
    /// Options added with a default other than the behaviour of the libraries before them, and the value a checkpoint that does
    /// not name them means: the network it holds was built that way.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, Action<HyperDpoRankingTrainer.Options>> BeforeTheOption = new Dictionary<string, Action<HyperDpoRankingTrainer.Options>>
    {
        [HyperDpoRankingTrainer.Options.Path(nameof(HyperDpoRankingTrainer.Options.Network), nameof(HyperDpoRankingTrainer.NetworkOptions.TransformerDocumentScorer))] =
            o => o.Network.TransformerDocumentScorer = false,
    };

    /// <summary>One saved option: its full name, the group property that holds it (null at the top level) and the option itself.</summary>
    internal sealed record Saved(string Name, PropertyInfo? Group, PropertyInfo Option)
    {
        public object Target(HyperDpoRankingTrainer.Options options) => Group is null ? options : Group.GetValue(options)!;
    }

    /// <summary>The groups of the options: public properties without a public setter whose type is declared in the trainer.</summary>
    internal static IEnumerable<PropertyInfo> Groups() =>
        typeof(HyperDpoRankingTrainer.Options).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not { IsPublic: true } && p.PropertyType.DeclaringType == typeof(HyperDpoRankingTrainer));

    /// <summary>Every public settable option, top level and in groups, by its full name (plain or not).</summary>
    internal static IEnumerable<Saved> All()
    {
        var top = typeof(HyperDpoRankingTrainer.Options).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true }).Select(p => new Saved(p.Name, null, p));
        var grouped = Groups().SelectMany(g => g.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true }).Select(p => new Saved(HyperDpoRankingTrainer.Options.Path(g.Name, p.Name), g, p)));
        return top.Concat(grouped);
    }

    private static IEnumerable<Saved> SavedOptions() => All().Where(s => IsPlain(s.Option.PropertyType) && !NotSaved.Contains(s.Name));

    private static bool IsPlain(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) return IsPlain(type.GetElementType()!);
        return type.IsPrimitive || type.IsEnum || type == typeof(string);
    }

    public static JsonObject From(HyperDpoRankingTrainer.Options options)
    {
        var json = new JsonObject();
        foreach (var s in SavedOptions())
        {
            var value = JsonSerializer.SerializeToNode(s.Option.GetValue(s.Target(options)), s.Option.PropertyType, Json);
            if (s.Group is null)
                json[s.Name] = value;
            else
            {
                if (json[s.Group.Name] is not JsonObject group) json[s.Group.Name] = group = new JsonObject();
                group[s.Option.Name] = value;
            }
        }
        return json;
    }

    /// <summary>
    /// Options from the saved values, grouped or (older checkpoints) flat; options the file does not name keep their defaults, or
    /// take the value of the libraries before them (<see cref="BeforeTheOption"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">An option is unknown to this library or its value has the wrong type.</exception>
    public static HyperDpoRankingTrainer.Options ToOptions(JsonObject json)
    {
        var options = new HyperDpoRankingTrainer.Options();
        foreach (var setOlderValue in BeforeTheOption.Values) setOlderValue(options);
        var known = SavedOptions().ToDictionary(s => s.Name);
        // An unchanged name of a grouped option, as older checkpoints write it flat (a name two groups share is in Former).
        var flat = known.Values.Where(s => s.Group is not null).GroupBy(s => s.Option.Name).Where(g => g.Count() == 1)
            .ToDictionary(g => g.Key, g => g.Single().Name);
        var groups = Groups().Select(g => g.Name).ToHashSet();
        void Set(string name, JsonNode? value)
        {
            // Checkpoints written before paths were left out still hold one: it is ignored, never used.
            if (NotSaved.Contains(name)) return;
            if (!known.TryGetValue(name, out var saved))
                throw new InvalidDataException($"the option '{name}' is unknown to this library version");
            try
            {
                saved.Option.SetValue(saved.Target(options), value.Deserialize(saved.Option.PropertyType, Json));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"the option '{name}' has a value of the wrong type ({e.Message})", e);
            }
        }
        foreach (var (name, value) in json)
        {
            if (groups.Contains(name) && value is JsonObject group)
                foreach (var (option, inner) in group)
                    Set(HyperDpoRankingTrainer.Options.Path(name, option), inner);
            else
                Set(known.ContainsKey(name) ? name : Former.TryGetValue(name, out var renamed) ? renamed : flat.GetValueOrDefault(name, name), value);
        }
        return options;
    }
}
