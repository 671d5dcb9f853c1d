using System.Text.Json;
using System.Text.Json.Nodes;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>
/// The shape of a GPT-2-architecture causal language model. Property names follow Hugging Face's <c>config.json</c>
/// for GPT-2 (<c>vocab_size</c>, <c>n_positions</c>, <c>n_embd</c>, <c>n_layer</c>, <c>n_head</c>, <c>layer_norm_epsilon</c>),
/// so a downloaded checkpoint directory loads as it is.
/// </summary>
public sealed record Gpt2Config
{
    /// <summary>Number of token embeddings (GPT-2: 50257; a model with a compact vocabulary has fewer).</summary>
    public int VocabularySize { get; init; } = 50257;

    /// <summary>Number of learned positions, the longest sequence the model reads (soft-prompt positions included).</summary>
    public int ContextLength { get; init; } = 1024;

    /// <summary>Width of the residual stream.</summary>
    public int EmbeddingSize { get; init; } = 768;

    /// <summary>Number of transformer blocks.</summary>
    public int Layers { get; init; } = 12;

    /// <summary>Number of attention heads; must divide <see cref="EmbeddingSize"/>.</summary>
    public int Heads { get; init; } = 12;

    /// <summary>Epsilon of every layer norm.</summary>
    public double LayerNormEpsilon { get; init; } = 1e-5;

    /// <summary>GPT-2 small (124M parameters), the shape of Hugging Face's <c>gpt2</c>.</summary>
    public static Gpt2Config Gpt2Small { get; } = new();

    /// <summary>A tiny model that pre-trains in minutes on a CPU: 2 blocks, width 128, 4 heads.</summary>
    /// <param name="vocabularySize">Size of its (usually compact) vocabulary.</param>
    /// <param name="contextLength">Longest sequence, soft prompt included.</param>
    public static Gpt2Config Tiny(int vocabularySize, int contextLength = 256) =>
        new() { VocabularySize = vocabularySize, ContextLength = contextLength, EmbeddingSize = 128, Layers = 2, Heads = 4 };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid property.</summary>
    public void Validate()
    {
        static void Require(bool ok, string name, string message)
        {
            if (!ok) throw new ArgumentException($"Gpt2Config.{name} {message}", name);
        }
        Require(VocabularySize >= 2, nameof(VocabularySize), $"must be at least 2; got {VocabularySize}.");
        Require(ContextLength >= 1, nameof(ContextLength), $"must be at least 1; got {ContextLength}.");
        Require(EmbeddingSize >= 1, nameof(EmbeddingSize), $"must be at least 1; got {EmbeddingSize}.");
        Require(Layers >= 1, nameof(Layers), $"must be at least 1; got {Layers}.");
        Require(Heads >= 1 && EmbeddingSize % Heads == 0, nameof(Heads), $"must be positive and divide EmbeddingSize ({EmbeddingSize}); got {Heads}.");
        Require(LayerNormEpsilon > 0 && double.IsFinite(LayerNormEpsilon), nameof(LayerNormEpsilon), $"must be a small positive number; got {LayerNormEpsilon}.");
    }

    /// <summary>The Hugging Face <c>config.json</c> text of this shape.</summary>
    public string ToHuggingFaceJson() => new JsonObject
    {
        ["model_type"] = "gpt2",
        ["architectures"] = new JsonArray("GPT2LMHeadModel"),
        ["vocab_size"] = VocabularySize,
        ["n_positions"] = ContextLength,
        ["n_ctx"] = ContextLength,
        ["n_embd"] = EmbeddingSize,
        ["n_layer"] = Layers,
        ["n_head"] = Heads,
        ["layer_norm_epsilon"] = LayerNormEpsilon,
        ["activation_function"] = "gelu_new",
        ["tie_word_embeddings"] = true,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Reads a Hugging Face GPT-2 <c>config.json</c>; fields it lacks keep GPT-2 small's values.</summary>
    /// <param name="json">The file's text.</param>
    /// <param name="source">Where the text came from, for error messages.</param>
    public static Gpt2Config FromHuggingFaceJson(string json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{source}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({e.Message}).", e);
        }
        if (root["model_type"]?.GetValue<string>() is string type && type != "gpt2")
            throw new InvalidDataException($"{source}: model_type is '{type}'; only 'gpt2' is supported.");
        if (root["activation_function"]?.GetValue<string>() is string act && act is not ("gelu_new" or "gelu_pytorch_tanh"))
            throw new InvalidDataException($"{source}: activation_function is '{act}'; only GPT-2's tanh GELU ('gelu_new') is supported.");
        int Int(string name, int fallback) => root[name] is JsonNode n ? n.GetValue<int>() : fallback;
        var defaults = Gpt2Small;
        var config = new Gpt2Config
        {
            VocabularySize = Int("vocab_size", defaults.VocabularySize),
            ContextLength = Int("n_positions", Int("n_ctx", defaults.ContextLength)),
            EmbeddingSize = Int("n_embd", defaults.EmbeddingSize),
            Layers = Int("n_layer", defaults.Layers),
            Heads = Int("n_head", defaults.Heads),
            LayerNormEpsilon = root["layer_norm_epsilon"] is JsonNode eps ? eps.GetValue<double>() : defaults.LayerNormEpsilon,
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }
        return config;
    }
}
