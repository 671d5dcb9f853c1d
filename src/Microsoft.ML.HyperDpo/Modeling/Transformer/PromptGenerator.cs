using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// Maps c [B, C] to prompt embeddings [B, m, d]: a linear mixture of c's entries, plus (Hyper Prompt Tuning) a correction
/// through a hidden SiLU layer of width d.
/// </summary>
/// <remarks>
/// The mixture's column k is the prompt P_k of objective k, so the mixture is sum_k w_k P_k (a temperature-conditioned
/// network's last entry of c gets its own column too). With a correction (HyperPrompt) the mixture's bias and the
/// correction's output layer start at zero, so at initialisation the prompts are exactly the mixture of per-objective
/// prompts and training learns how far to leave it. Without one (WeightToken) the mixture keeps its bias.
/// </remarks>
internal sealed class PromptGenerator : Module<Tensor, Tensor>
{
    // Field names are the saved keys: "output" is the mixture (the one layer a WeightToken generator has had from the start).
    private readonly Linear output;
    private readonly Linear? hidden;
    private readonly Linear? correction;

    public PromptGenerator(int conditionWidth, int width, int prompts, bool correction) : base(nameof(PromptGenerator))
    {
        Prompts = prompts;
        Width = width;
        output = Linear(conditionWidth, prompts * width);
        if (correction)
        {
            hidden = Linear(conditionWidth, width);
            this.correction = Linear(width, prompts * width);
            using (no_grad())
            {
                output.bias!.zero_();
                this.correction.weight!.zero_();
                this.correction.bias!.zero_();
            }
        }
        RegisterComponents();
    }

    public int Prompts { get; }
    public int Width { get; }

    public override Tensor forward(Tensor c)
    {
        var p = output.forward(c);
        if (hidden is not null) p = p.Plus(correction!.forward(functional.silu(hidden.forward(c))));
        return p.reshape(c.shape[0], Prompts, Width);
    }

    /// <summary>The layers as plain copies: the mixture, and the correction's hidden and output layers (null without a correction).</summary>
    public (Scoring.DenseLayer Mixture, Scoring.DenseLayer? Hidden, Scoring.DenseLayer? Output) Export() => (output.ToDense(), hidden?.ToDense(), correction?.ToDense());
}
