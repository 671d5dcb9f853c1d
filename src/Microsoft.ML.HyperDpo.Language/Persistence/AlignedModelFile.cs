using System.Text.Json;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Training;
using Microsoft.ML.HyperDpo.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Persistence;

/// <summary>
/// Saves and loads an <see cref="AlignedLanguageModel"/> as a directory: the base model as a GPT-2 checkpoint
/// (<see cref="Gpt2Checkpoint"/>), plus <c>alignment.json</c> (format version, prompt-source kind, the training
/// options) and <c>alignment.safetensors</c> (the prompt source's tensors under <c>prompt.</c>, the adapters' under
/// <c>adapter.N.</c>).
/// </summary>
/// <remarks>Format version 1. Every file is written beside its destination first, so a failed save leaves the previous files intact.</remarks>
public static class AlignedModelFile
{
    private const int FormatVersion = 1;
    private const string SettingsFile = "alignment.json", TensorsFile = "alignment.safetensors";
    private static readonly JsonSerializerOptions Json = new() { IncludeFields = true, WriteIndented = true };

    /// <summary>Saves the model to a directory (created if needed).</summary>
    /// <param name="directory">The directory.</param>
    /// <param name="model">The aligned model.</param>
    public static void Save(string directory, AlignedLanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Gpt2Checkpoint.Save(directory, model.BaseModel, model.Tokenizer);
        var tensors = model.PromptSource.state_dict().Select(kv => KeyValuePair.Create("prompt." + kv.Key, kv.Value)).ToList();
        if (model.Adapters is { } adapters)
            for (int i = 0; i < adapters.Count; i++)
                tensors.AddRange(adapters[i].state_dict().Select(kv => KeyValuePair.Create($"adapter.{i}.{kv.Key}", kv.Value)));
        SafeTensors.Write(Path.Combine(directory, TensorsFile), tensors);
        var settings = new Settings(FormatVersion, Kind(model.PromptSource), model.Options);
        AtomicFile.WriteAllText(Path.Combine(directory, SettingsFile), JsonSerializer.Serialize(settings, Json));
    }

    /// <summary>Loads a model saved by <see cref="Save"/>.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <param name="device">Where the model, its prompt source and its adapters go; null: the CPU.</param>
    /// <exception cref="InvalidDataException">A file is malformed or of another format version.</exception>
    public static AlignedLanguageModel Load(string directory, Device? device = null)
    {
        string settingsPath = Path.Combine(directory, SettingsFile);
        if (!File.Exists(settingsPath))
            throw new FileNotFoundException($"'{directory}' holds no aligned model ({SettingsFile} is missing).", settingsPath);
        Settings settings;
        try
        {
            settings = JsonSerializer.Deserialize<Settings>(File.ReadAllText(settingsPath), Json) ?? throw new InvalidDataException($"'{settingsPath}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{settingsPath}' is not valid ({e.Message}).", e);
        }
        if (settings.Version != FormatVersion)
            throw new InvalidDataException($"'{settingsPath}' has format version {settings.Version}; this library reads version {FormatVersion}.");
        var (model, tokenizer) = Gpt2Checkpoint.Load(directory, device);
        var options = settings.Options;
        options.Validate(model.Config.ContextLength);
        SoftPromptSource source = settings.PromptKind switch
        {
            "hyper" => new HyperPromptGenerator(model, options.ConditionWidth, options.PromptLength, options.HiddenSize, options.Seed,
                options.SoupStartSteps > 0 ? options.Objectives.Count : 0),
            "fixed" => new FixedSoftPrompt(model, options.PromptLength, options.Seed),
            "soup" => new PromptSoup(options.Objectives.Select((_, k) => new FixedSoftPrompt(model, options.PromptLength, k)).ToList()),
            _ => throw new InvalidDataException($"'{settingsPath}': unknown prompt kind '{settings.PromptKind}'."),
        };
        var file = SafeTensors.Read(Path.Combine(directory, TensorsFile));
        try
        {
            Copy(source.state_dict(), file, "prompt.", settingsPath);
            List<LowRankAdapter>? adapters = null;
            if (options.LoraRank > 0)
            {
                adapters = LowRankAdapter.ForEveryBlock(model, options.LoraRank, options.LoraAlpha);
                for (int i = 0; i < adapters.Count; i++)
                    Copy(adapters[i].state_dict(), file, $"adapter.{i}.", settingsPath);
            }
            var encoder = new ResponseEncoder(tokenizer, options.MaxPromptTokens, options.MaxResponseTokens);
            return new AlignedLanguageModel(model, tokenizer, options, source, adapters, new ReferenceLogProbabilities(model, encoder));
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }

    private static void Copy(IDictionary<string, Tensor> target, Dictionary<string, Tensor> file, string prefix, string where)
    {
        foreach (var (name, tensor) in target)
        {
            if (!file.TryGetValue(prefix + name, out var source) || !source.shape.SequenceEqual(tensor.shape))
                throw new InvalidDataException($"'{where}': tensor '{prefix + name}' is missing from {TensorsFile} or misshapen.");
            using (torch.no_grad())
                tensor.copy_(source);
        }
    }

    private static string Kind(SoftPromptSource source) => source switch
    {
        HyperPromptGenerator => "hyper",
        FixedSoftPrompt => "fixed",
        PromptSoup => "soup",
        _ => throw new ArgumentException($"Prompt source {source.GetType().Name} cannot be saved."),
    };

    private sealed record Settings(int Version, string PromptKind, LanguageAlignmentOptions Options);
}
