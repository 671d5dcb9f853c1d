using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using Microsoft.ML.HyperDpo.Scoring;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// One pre-norm transformer encoder block: h + MultiHeadSelfAttention(LayerNorm(h)), then h + FeedForward(LayerNorm(h)) with
/// a SiLU feed-forward of width 2d. Padded positions are masked out as keys, so they change no real position's output.
/// </summary>
internal sealed class TransformerBlock : Module<Tensor, Tensor, Tensor>
{
    private readonly int _heads;
    private readonly LayerNorm attention_norm;
    private readonly Linear qkv;
    private readonly Linear attention_out;
    private readonly LayerNorm feed_forward_norm;
    private readonly Linear feed_forward_in;
    private readonly Linear feed_forward_out;
    private readonly Dropout dropout;

    public TransformerBlock(int width, int heads, float dropoutRate) : base(nameof(TransformerBlock))
    {
        _heads = heads;
        attention_norm = LayerNorm(width);
        qkv = Linear(width, 3 * width);
        attention_out = Linear(width, width);
        feed_forward_norm = LayerNorm(width);
        feed_forward_in = Linear(width, 2 * width);
        feed_forward_out = Linear(2 * width, width);
        dropout = Dropout(dropoutRate);
        RegisterComponents();
    }

    /// <param name="h">Tokens [B, T, d].</param>
    /// <param name="keyMask">[B, T], true for real tokens.</param>
    public override Tensor forward(Tensor h, Tensor keyMask)
    {
        long b = h.shape[0], t = h.shape[1], d = h.shape[2], dh = d / _heads;
        var parts = qkv.forward(attention_norm.forward(h)).chunk(3, dim: -1);
        Tensor Heads(Tensor x) => x.reshape(b, t, _heads, dh).transpose(1, 2);
        // LibTorch's fused attention: softmax(q k^T / sqrt(dh)) v in one operation (and one in the backward pass), the boolean
        // mask letting only real tokens take part as keys.
        var attended = functional.scaled_dot_product_attention(Heads(parts[0]), Heads(parts[1]), Heads(parts[2]), keyMask.reshape(b, 1, 1, t))
            .transpose(1, 2).reshape(b, t, d);
        h = h.Plus(dropout.forward(attention_out.forward(attended)));
        var f = feed_forward_out.forward(dropout.forward(functional.silu(feed_forward_in.forward(feed_forward_norm.forward(h)))));
        return h.Plus(f);
    }

    public TransformerBlockParameters Export() => new(_heads, Norm(attention_norm), qkv.ToDense(), attention_out.ToDense(),
        Norm(feed_forward_norm), feed_forward_in.ToDense(), feed_forward_out.ToDense());

    internal static (float[] Scale, float[] Bias) Norm(LayerNorm norm) => (LinearExport.Read(norm.weight!), LinearExport.Read(norm.bias!));
}

/// <summary>A transformer block's weights as plain arrays (for the ONNX export).</summary>
internal sealed record TransformerBlockParameters(int Heads, (float[] Scale, float[] Bias) AttentionNorm, DenseLayer Qkv, DenseLayer AttentionOut,
    (float[] Scale, float[] Bias) FeedForwardNorm, DenseLayer FeedForwardIn, DenseLayer FeedForwardOut);
