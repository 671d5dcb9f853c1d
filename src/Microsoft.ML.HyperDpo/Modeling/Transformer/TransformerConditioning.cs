using Microsoft.ML.HyperDpo.Modeling.Conditioning;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// How the transformer ranker reads c: HyperPrompt (an MLP maps c to m prompt embeddings), WeightToken (a linear map of c
/// to one extra token), Input (c concatenated to every document's features) or None. The blocks are the same for all.
/// </summary>
internal static class TransformerConditioning
{
    /// <summary>The kinds the transformer takes.</summary>
    public static IReadOnlyList<ConditioningKind> Kinds { get; } =
        new[] { ConditioningKind.HyperPrompt, ConditioningKind.WeightToken, ConditioningKind.Input, ConditioningKind.None };

    public static bool Supports(ConditioningKind kind) => Kinds.Contains(kind);
    public static bool IgnoresCondition(ConditioningKind kind) => kind == ConditioningKind.None;
    public static bool ConcatenatesCondition(ConditioningKind kind) => kind == ConditioningKind.Input;

    /// <summary>The prompt tokens prepended to each list.</summary>
    public static int PromptTokens(ConditioningKind kind, int promptCount) => kind switch
    {
        ConditioningKind.HyperPrompt => promptCount,
        ConditioningKind.WeightToken => 1,
        _ => 0,
    };

    /// <summary>The kind's prompt generator, or null when it prepends no tokens.</summary>
    public static PromptGenerator? CreatePrompts(ConditioningKind kind, int conditionWidth, int width, int promptCount) => kind switch
    {
        ConditioningKind.HyperPrompt => new PromptGenerator(conditionWidth, width, promptCount, hidden: true),
        ConditioningKind.WeightToken => new PromptGenerator(conditionWidth, width, 1, hidden: false),
        _ => null,
    };
}

/// <summary>
/// Maps c [B, C] to prompt embeddings [B, m, d]: through a hidden SiLU layer of width d (Hyper Prompt Tuning), or with one
/// linear layer (one token).
/// </summary>
internal sealed class PromptGenerator : Module<Tensor, Tensor>
{
    private readonly Linear? hidden;
    private readonly Linear output;

    public PromptGenerator(int conditionWidth, int width, int prompts, bool hidden) : base(nameof(PromptGenerator))
    {
        Prompts = prompts;
        Width = width;
        this.hidden = hidden ? Linear(conditionWidth, width) : null;
        output = Linear(hidden ? width : conditionWidth, prompts * width);
        RegisterComponents();
    }

    public int Prompts { get; }
    public int Width { get; }

    public override Tensor forward(Tensor c)
    {
        var h = hidden is null ? c : functional.silu(hidden.forward(c));
        return output.forward(h).reshape(c.shape[0], Prompts, Width);
    }

    /// <summary>The layers as plain copies: the hidden one (or null) and the output one.</summary>
    public (Scoring.DenseLayer? Hidden, Scoring.DenseLayer Output) Export() => (hidden?.ToDense(), output.ToDense());
}
