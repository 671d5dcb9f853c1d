using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>GPT-2's causal self-attention: one fused query/key/value projection, scaled dot-product attention, an output projection.</summary>
internal sealed class Gpt2Attention : nn.Module
{
    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;
    private readonly int _heads;

    public Gpt2Attention(Gpt2Config config, double initStd, double projectionStd) : base(nameof(Gpt2Attention))
    {
        c_attn = new Conv1D(config.EmbeddingSize, 3 * config.EmbeddingSize, initStd);
        c_proj = new Conv1D(config.EmbeddingSize, config.EmbeddingSize, projectionStd);
        _heads = config.Heads;
        RegisterComponents();
    }

    /// <summary>Optional low-rank adapter on the fused query/key/value projection; not part of the saved base model.</summary>
    public LowRankAdapter? Adapter { get; set; }

    /// <param name="x">The new positions' inputs [B, T, width].</param>
    /// <param name="cache">Keys and values of earlier positions, or null.</param>
    /// <param name="layer">This block's index in the cache.</param>
    /// <param name="allowed">Which keys each query may attend to, [B, 1, T, past + T] (true: attend), when the batch is padded;
    /// null: causal attention over every position.</param>
    public Tensor Forward(Tensor x, KeyValueCache? cache, int layer, Tensor? allowed)
    {
        long batch = x.shape[0], time = x.shape[1], width = x.shape[2];
        var qkv = c_attn.forward(x);
        if (Adapter is not null)
            qkv = qkv.Plus(Adapter.Delta(x));
        Tensor Heads(Tensor t) => t.view(batch, time, _heads, width / _heads).transpose(1, 2);
        var parts = qkv.split(width, 2);
        var (q, k, v) = (Heads(parts[0]), Heads(parts[1]), Heads(parts[2]));
        long past = cache?.Length ?? 0;
        if (cache is not null)
            (k, v) = cache.Append(layer, k, v);
        Tensor y;
        if (allowed is not null)
            y = nn.functional.scaled_dot_product_attention(q, k, v, allowed);
        else if (past == 0)
            y = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
        else if (time == 1)
            // One new token attends to everything before it: no mask needed.
            y = nn.functional.scaled_dot_product_attention(q, k, v);
        else
        {
            // Several new tokens after a cached prefix: query i (at position past + i) sees keys 0..past + i.
            var visible = torch.ones(time, past + time, ScalarType.Bool, x.device).tril(past);
            y = nn.functional.scaled_dot_product_attention(q, k, v, visible);
        }
        return c_proj.forward(y.transpose(1, 2).reshape(batch, time, width));
    }
}

/// <summary>GPT-2's feed-forward block: width x4, tanh-approximated GELU, back to width.</summary>
internal sealed class Gpt2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;

    public Gpt2Mlp(Gpt2Config config, double initStd, double projectionStd) : base(nameof(Gpt2Mlp))
    {
        c_fc = new Conv1D(config.EmbeddingSize, 4 * config.EmbeddingSize, initStd);
        c_proj = new Conv1D(4 * config.EmbeddingSize, config.EmbeddingSize, projectionStd);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => c_proj.forward(GeluNew(c_fc.forward(x)));

    /// <summary>GPT-2's "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), the exact function its weights were trained with.</summary>
    internal static Tensor GeluNew(Tensor x) =>
        x.Times(0.5) * torch.tanh(x.Plus(x.Power(3).Times(0.044715)).Times(Math.Sqrt(2.0 / Math.PI))).Plus(1.0);
}

/// <summary>A pre-LayerNorm transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)).</summary>
internal sealed class Gpt2Block : nn.Module
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(Gpt2Config config) : base(nameof(Gpt2Block))
    {
        const double initStd = 0.02;
        // GPT-2 scales the residual projections by 1/sqrt(2 * layers) so the residual stream's variance does not grow with depth.
        double projectionStd = initStd / Math.Sqrt(2.0 * config.Layers);
        ln_1 = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, device: torch.CPU);
        attn = new Gpt2Attention(config, initStd, projectionStd);
        ln_2 = nn.LayerNorm(config.EmbeddingSize, config.LayerNormEpsilon, device: torch.CPU);
        mlp = new Gpt2Mlp(config, initStd, projectionStd);
        RegisterComponents();
    }

    public Gpt2Attention Attention => attn;

    public Tensor Forward(Tensor x, KeyValueCache? cache, int layer, Tensor? allowed)
    {
        x = x.Plus(attn.Forward(ln_1.forward(x), cache, layer, allowed));
        return x.Plus(mlp.forward(ln_2.forward(x)));
    }
}
