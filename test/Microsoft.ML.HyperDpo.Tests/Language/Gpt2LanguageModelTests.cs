using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Language.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClass]
public class Gpt2LanguageModelTests
{
    internal static readonly Gpt2Config Small = new() { VocabularySize = 50, ContextLength = 40, EmbeddingSize = 16, Layers = 2, Heads = 2 };

    [TestMethod]
    public void LoadsAHuggingFaceLayoutCheckpointAndMatchesAnIndependentForwardPass()
    {
        // A checkpoint in the exact layout of Hugging Face's gpt2 file: names without the "transformer." prefix,
        // Conv1D weights [in, out], causal-mask buffers present, no lm_head.
        var config = Small;
        int d = config.EmbeddingSize;
        var generator = new Generator(7);
        Tensor R(params long[] shape) => torch.randn(shape, generator: generator) * 0.3;
        var hf = new Dictionary<string, Tensor>
        {
            ["wte.weight"] = R(config.VocabularySize, d),
            ["wpe.weight"] = R(config.ContextLength, d),
            ["ln_f.weight"] = 1 + R(d),
            ["ln_f.bias"] = R(d),
        };
        for (int l = 0; l < config.Layers; l++)
        {
            string p = $"h.{l}.";
            hf[p + "ln_1.weight"] = 1 + R(d); hf[p + "ln_1.bias"] = R(d);
            hf[p + "attn.c_attn.weight"] = R(d, 3 * d); hf[p + "attn.c_attn.bias"] = R(3 * d);
            hf[p + "attn.c_proj.weight"] = R(d, d); hf[p + "attn.c_proj.bias"] = R(d);
            hf[p + "attn.bias"] = torch.ones(1, 1, config.ContextLength, config.ContextLength).tril();
            hf[p + "ln_2.weight"] = 1 + R(d); hf[p + "ln_2.bias"] = R(d);
            hf[p + "mlp.c_fc.weight"] = R(d, 4 * d); hf[p + "mlp.c_fc.bias"] = R(4 * d);
            hf[p + "mlp.c_proj.weight"] = R(4 * d, d); hf[p + "mlp.c_proj.bias"] = R(d);
        }
        string dir = Directory.CreateTempSubdirectory("hf-gpt2-").FullName;
        try
        {
            SafeTensors.Write(Path.Combine(dir, "model.safetensors"), hf);
            File.WriteAllText(Path.Combine(dir, "config.json"),
                "{\"model_type\":\"gpt2\",\"vocab_size\":50,\"n_positions\":40,\"n_embd\":16,\"n_layer\":2,\"n_head\":2,\"layer_norm_epsilon\":1e-5,\"activation_function\":\"gelu_new\"}");
            File.WriteAllText(Path.Combine(dir, "vocabulary.json"), "{\"base\":\"gpt2\",\"gpt2_ids\":[50256,-1," + string.Join(",", Enumerable.Range(100, 48)) + "]}");

            var (model, _) = Gpt2Checkpoint.Load(dir);
            var tokens = torch.tensor(new long[] { 3, 17, 42, 0, 9, 9, 31 }).unsqueeze(0);
            using (torch.no_grad())
            {
                var actual = model.LogitsOfTokens(tokens).to(ScalarType.Float64);
                var expected = ReferenceForward(hf, config, tokens);
                Assert.IsTrue(actual.allclose(expected, rtol: 1e-4, atol: 1e-4), $"max difference {(actual - expected).abs().max().item<double>()}");
            }

            // Saving writes Hugging Face names (with the GPT2LMHeadModel prefix) and reloads to the same logits.
            string copy = Path.Combine(dir, "copy");
            Gpt2Checkpoint.Save(copy, model, LanguageTokenizer.Load(Path.Combine(dir, "vocabulary.json")));
            var saved = SafeTensors.Read(Path.Combine(copy, "model.safetensors"));
            CollectionAssert.Contains(saved.Keys, "transformer.h.1.attn.c_attn.weight");
            CollectionAssert.AreEqual(new long[] { d, 3 * d }, saved["transformer.h.1.attn.c_attn.weight"].shape);
            Assert.IsTrue(saved["transformer.h.0.mlp.c_fc.weight"].allclose(rtol: 0, atol: 0, target: hf["h.0.mlp.c_fc.weight"]));
            var (reloaded, _) = Gpt2Checkpoint.Load(copy);
            using (torch.no_grad())
                Assert.IsTrue(reloaded.LogitsOfTokens(tokens).allclose(rtol: 0, atol: 0, target: model.LogitsOfTokens(tokens)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void AMisshapenTensorIsAnErrorNamingIt()
    {
        string dir = Directory.CreateTempSubdirectory("hf-gpt2-").FullName;
        try
        {
            var model = new Gpt2LanguageModel(Small);
            var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value);
            state["transformer.h.0.attn.c_proj.weight"] = torch.zeros(3, 3);
            SafeTensors.Write(Path.Combine(dir, "model.safetensors"), state);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => Gpt2Checkpoint.LoadWeights(new Gpt2LanguageModel(Small), Path.Combine(dir, "model.safetensors")));
            StringAssert.Contains(e.Message, "transformer.h.0.attn.c_proj.weight");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void IncrementalDecodingWithTheCacheEqualsRecomputation()
    {
        var model = new Gpt2LanguageModel(Small, seed: 3);
        model.eval();
        var tokens = torch.tensor(new long[] { 5, 8, 13, 21, 34, 1, 2, 3, 4, 6 }).unsqueeze(0);
        using var _ = torch.no_grad();
        var full = model.LogitsOfTokens(tokens);
        using var cache = model.NewCache();
        // A prefix of 4 in one call, then 3 at once (the masked path), then one token at a time.
        var parts = new List<Tensor>
        {
            model.Logits(model.EmbedTokens(tokens[.., 0..4]), cache),
            model.Logits(model.EmbedTokens(tokens[.., 4..7]), cache),
        };
        for (int t = 7; t < 10; t++)
            parts.Add(model.Logits(model.EmbedTokens(tokens[.., t..(t + 1)]), cache));
        var incremental = torch.cat(parts, 1);
        Assert.AreEqual(10L, cache.Length);
        Assert.IsTrue(incremental.allclose(full, rtol: 1e-4, atol: 1e-5), $"max difference {(incremental - full).abs().max().item<float>()}");
    }

    [TestMethod]
    public void DifferentPromptEmbeddingsChangeTheLogitsOfTheText()
    {
        var model = new Gpt2LanguageModel(Small, seed: 4);
        model.eval();
        using var _ = torch.no_grad();
        var text = model.EmbedTokens(torch.tensor(new long[] { 1, 2, 3 }).unsqueeze(0));
        var promptA = torch.randn(1, 2, Small.EmbeddingSize, generator: new Generator(1)) * 0.1;
        var promptB = torch.randn(1, 2, Small.EmbeddingSize, generator: new Generator(2)) * 0.1;
        var a = model.Logits(torch.cat(new[] { promptA, text }, 1))[.., 2..];
        var b = model.Logits(torch.cat(new[] { promptB, text }, 1))[.., 2..];
        var again = model.Logits(torch.cat(new[] { promptA, text }, 1))[.., 2..];
        Assert.IsTrue(a.allclose(rtol: 0, atol: 0, target: again));
        Assert.IsTrue((a - b).abs().max().item<float>() > 1e-3f);
    }

    [TestMethod]
    public void TooLongASequenceIsAnErrorNamingTheContextLength()
    {
        var model = new Gpt2LanguageModel(Small);
        var e = Assert.ThrowsExactly<ArgumentException>(() => model.LogitsOfTokens(torch.zeros(1, 41, ScalarType.Int64)));
        StringAssert.Contains(e.Message, "ContextLength");
    }

    [TestMethod]
    public void TheGpt2TokenizerRoundTripsAndMatchesGpt2Ids()
    {
        var full = LanguageTokenizer.FullGpt2;
        // GPT-2's ids of "Hello world" are 15496, 995 (tiktoken / Hugging Face).
        CollectionAssert.AreEqual(new[] { 15496, 995 }, full.Encode("Hello world"));
        string text = "When does Bloom by Troye Sivan come out? It was released on 31 August 2018 — café, naïve.";
        Assert.AreEqual(text, full.Decode(full.Encode(text)));

        var compact = LanguageTokenizer.BuildCompact(new[] { "the cat sat on the mat", "the dog sat" }, 20);
        var ids = compact.Encode("the dog sat on the mat");
        Assert.IsTrue(ids.All(i => i >= 2 && i < compact.VocabularySize));
        Assert.AreEqual("the dog sat on the mat", compact.Decode(ids));
        Assert.AreEqual("the\uFFFD", compact.Decode(compact.Encode("the zebra")[..1].Append(1)));
        Assert.AreEqual(0, compact.EndOfText);
    }

    /// <summary>GPT-2's forward pass written out in float64 from the Hugging Face tensors, independently of the model's modules.</summary>
    private static Tensor ReferenceForward(Dictionary<string, Tensor> w, Gpt2Config config, Tensor tokens)
    {
        Tensor W(string name) => w[name].to(ScalarType.Float64);
        Tensor Norm(Tensor x, string p)
        {
            var mean = x.mean(new long[] { -1 }, keepdim: true);
            var variance = (x - mean).pow(2).mean(new long[] { -1 }, keepdim: true);
            return (x - mean) / (variance + config.LayerNormEpsilon).sqrt() * W(p + ".weight") + W(p + ".bias");
        }
        long t = tokens.shape[1], d = config.EmbeddingSize, hd = d / config.Heads;
        var x = W("wte.weight")[tokens[0]] + W("wpe.weight")[..(int)t];
        var causal = torch.ones(t, t).tril().to(ScalarType.Bool);
        for (int l = 0; l < config.Layers; l++)
        {
            string p = $"h.{l}.";
            var qkv = Norm(x, p + "ln_1").matmul(W(p + "attn.c_attn.weight")) + W(p + "attn.c_attn.bias");
            var heads = new List<Tensor>();
            for (int h = 0; h < config.Heads; h++)
            {
                var q = qkv[.., (int)(h * hd)..(int)((h + 1) * hd)];
                var k = qkv[.., (int)(d + h * hd)..(int)(d + (h + 1) * hd)];
                var v = qkv[.., (int)(2 * d + h * hd)..(int)(2 * d + (h + 1) * hd)];
                var scores = q.matmul(k.t()) / Math.Sqrt(hd);
                heads.Add(scores.masked_fill(causal.logical_not(), double.NegativeInfinity).softmax(-1).matmul(v));
            }
            x = x + torch.cat(heads, 1).matmul(W(p + "attn.c_proj.weight")) + W(p + "attn.c_proj.bias");
            var hidden = Norm(x, p + "ln_2").matmul(W(p + "mlp.c_fc.weight")) + W(p + "mlp.c_fc.bias");
            hidden = 0.5 * hidden * (1 + (Math.Sqrt(2 / Math.PI) * (hidden + 0.044715 * hidden.pow(3))).tanh());
            x = x + hidden.matmul(W(p + "mlp.c_proj.weight")) + W(p + "mlp.c_proj.bias");
        }
        return Norm(x, "ln_f").matmul(W("wte.weight").t()).unsqueeze(0);
    }
}
