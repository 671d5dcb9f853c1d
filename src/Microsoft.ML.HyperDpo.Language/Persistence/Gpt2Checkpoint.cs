using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Persistence;

/// <summary>
/// A GPT-2 checkpoint directory in Hugging Face's layout: <c>config.json</c>, <c>model.safetensors</c>, and, for a
/// compact vocabulary, <c>vocabulary.json</c>. A directory downloaded from the Hugging Face hub (for example
/// <c>openai-community/gpt2</c>) loads as it is.
/// </summary>
/// <remarks>
/// <para>Tensor names: <c>transformer.wte.weight</c>, <c>transformer.wpe.weight</c>, <c>transformer.h.N.ln_1.{weight,bias}</c>,
/// <c>transformer.h.N.attn.c_attn.{weight,bias}</c>, <c>transformer.h.N.attn.c_proj.{weight,bias}</c>, <c>transformer.h.N.ln_2.*</c>,
/// <c>transformer.h.N.mlp.c_fc.*</c>, <c>transformer.h.N.mlp.c_proj.*</c>, <c>transformer.ln_f.*</c>; Conv1D weights are [in, out].</para>
/// <para>Loading also accepts names without the <c>transformer.</c> prefix (files saved from <c>GPT2Model</c>), ignores the
/// causal-mask buffers older files carry (<c>attn.bias</c>, <c>attn.masked_bias</c>), and accepts an explicit
/// <c>lm_head.weight</c> only when it equals the token embeddings (the head is tied). Any other missing, extra or
/// misshapen tensor is an error naming it.</para>
/// <para>Saving writes every file beside the destination first, so a failed save leaves an existing checkpoint intact.</para>
/// </remarks>
public static class Gpt2Checkpoint
{
    /// <summary>The weights file's name.</summary>
    public const string WeightsFile = "model.safetensors";

    /// <summary>The configuration file's name.</summary>
    public const string ConfigFile = "config.json";

    /// <summary>The compact vocabulary's file name (absent: GPT-2's full vocabulary).</summary>
    public const string VocabularyFile = "vocabulary.json";

    /// <summary>Saves a model and its tokenizer to a directory (created if needed).</summary>
    /// <param name="directory">The checkpoint directory.</param>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer; its vocabulary size must match the model's.</param>
    public static void Save(string directory, Gpt2LanguageModel model, LanguageTokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabularySize != model.Config.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the model {model.Config.VocabularySize} embeddings.", nameof(tokenizer));
        Directory.CreateDirectory(directory);
        SafeTensors.Write(Path.Combine(directory, WeightsFile), model.state_dict(), new Dictionary<string, string> { ["format"] = "pt" });
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFile), model.Config.ToHuggingFaceJson());
        string vocabulary = Path.Combine(directory, VocabularyFile);
        if (tokenizer.IsCompact)
            tokenizer.Save(vocabulary);
        else if (File.Exists(vocabulary))
            File.Delete(vocabulary);
    }

    /// <summary>Loads a model and its tokenizer from a checkpoint directory.</summary>
    /// <param name="directory">A directory with <c>config.json</c> and <c>model.safetensors</c>.</param>
    /// <exception cref="FileNotFoundException">A required file is missing.</exception>
    /// <param name="device">Where the model's parameters go; null: the CPU.</param>
    /// <exception cref="InvalidDataException">A file is malformed or a tensor is missing, extra or misshapen.</exception>
    public static (Gpt2LanguageModel Model, LanguageTokenizer Tokenizer) Load(string directory, Device? device = null)
    {
        string configPath = Path.Combine(directory, ConfigFile), weightsPath = Path.Combine(directory, WeightsFile);
        foreach (string required in new[] { configPath, weightsPath })
            if (!File.Exists(required))
                throw new FileNotFoundException($"The checkpoint directory '{directory}' has no {Path.GetFileName(required)}.", required);
        var config = Gpt2Config.FromHuggingFaceJson(File.ReadAllText(configPath), configPath);
        string vocabularyPath = Path.Combine(directory, VocabularyFile);
        var tokenizer = File.Exists(vocabularyPath) ? LanguageTokenizer.Load(vocabularyPath) : LanguageTokenizer.FullGpt2;
        if (tokenizer.VocabularySize != config.VocabularySize)
            throw new InvalidDataException($"'{configPath}': vocab_size is {config.VocabularySize} but the vocabulary has {tokenizer.VocabularySize} ids.");
        var model = new Gpt2LanguageModel(config);
        LoadWeights(model, weightsPath);
        if (device is not null)
            model.to(device);
        return (model, tokenizer);
    }

    /// <summary>Copies the tensors of a GPT-2 safetensors file into <paramref name="model"/>.</summary>
    /// <param name="model">A model of the file's shape.</param>
    /// <param name="path">The safetensors file.</param>
    public static void LoadWeights(Gpt2LanguageModel model, string path)
    {
        var file = SafeTensors.Read(path);
        try
        {
            var expected = model.state_dict();
            var byName = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            Tensor? head = null;
            foreach (var (name, tensor) in file)
            {
                string key = name.StartsWith("transformer.", StringComparison.Ordinal) ? name : "transformer." + name;
                if (name == "lm_head.weight") { head = tensor; continue; }
                if (key.EndsWith(".attn.bias", StringComparison.Ordinal) && !expected.ContainsKey(key)) continue;
                if (key.EndsWith(".attn.masked_bias", StringComparison.Ordinal)) continue;
                if (!expected.ContainsKey(key))
                    throw new InvalidDataException($"'{path}': tensor '{name}' is not a parameter of a GPT-2 model with {model.Config.Layers} layers.");
                if (!byName.TryAdd(key, tensor))
                    throw new InvalidDataException($"'{path}': tensor '{name}' appears twice (with and without the 'transformer.' prefix).");
            }
            foreach (var (key, target) in expected)
            {
                if (!byName.TryGetValue(key, out var source))
                    throw new InvalidDataException($"'{path}': tensor '{key}' is missing.");
                if (!source.shape.SequenceEqual(target.shape))
                    throw new InvalidDataException(
                        $"'{path}': tensor '{key}' is [{string.Join(", ", source.shape)}] but the model expects [{string.Join(", ", target.shape)}] (check config.json).");
                using (torch.no_grad())
                    target.copy_(source);
            }
            if (head is not null && (!head.shape.SequenceEqual(model.TokenEmbeddings.shape) || !head.allclose(model.TokenEmbeddings.cpu(), rtol: 0, atol: 0)))
                throw new InvalidDataException($"'{path}': lm_head.weight differs from transformer.wte.weight; only a tied output head is supported.");
        }
        finally
        {
            foreach (var t in file.Values) t.Dispose();
        }
    }
}
