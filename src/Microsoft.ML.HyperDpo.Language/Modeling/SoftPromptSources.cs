using TorchSharp;
using TorchSharp.Modules;
using Microsoft.ML.HyperDpo.Language.Training;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Modeling;

/// <summary>A trainable source of soft prompts: m embeddings per list, prepended to the embedded text.</summary>
internal abstract class SoftPromptSource : nn.Module
{
    protected SoftPromptSource(string name) : base(name)
    {
    }

    /// <summary>Prompt embeddings [B, m, width] for conditioning vectors [B, C].</summary>
    public abstract Tensor Prompts(Tensor conditioning);

    /// <summary>
    /// Starting prompt embeddings [m, width] on the model's device: the embeddings of real tokens, which keeps the frozen
    /// model in familiar territory. The ids are drawn on the CPU (the same ids for a seed on every device) and moved.
    /// </summary>
    protected static Tensor InitialPrompt(Gpt2LanguageModel model, int length, long seed)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var generator = new Generator((ulong)seed, torch.CPU);
        var ids = torch.randint(2, model.Config.VocabularySize, new long[] { length }, generator: generator, device: torch.CPU).to(model.Device);
        return model.EmbedTokens(ids).detach().clone().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Hyper Prompt Tuning: an MLP maps the conditioning vector c = (w[, log beta]) to m prompt embeddings, added to a
/// learned start. The start is one base prompt (a cold start), or K per-objective prompts mixed as sum_k w_k P_k (a
/// start at the prompt soup, <see cref="LanguageAlignmentOptions.SoupStartSteps"/>). The MLP's last layer starts at
/// zero, so at initialisation the map is exactly its start: the same prompt for every w, or the soup's prompt at w.
/// </summary>
internal sealed class HyperPromptGenerator : SoftPromptSource
{
    private readonly Parameter base_prompt;
    private readonly Linear hidden;
    private readonly Linear output;
    private readonly int _length;
    private readonly long _width;
    private readonly int _mixed;

    /// <summary>A generator; with <paramref name="soupObjectives"/> &gt; 0 its start is K per-objective prompts, zero until <see cref="StartAt"/> or a load fills them.</summary>
    public HyperPromptGenerator(Gpt2LanguageModel model, int conditionWidth, int length, int hiddenSize, long seed, int soupObjectives = 0) : base(nameof(HyperPromptGenerator))
    {
        _length = length;
        _width = model.Config.EmbeddingSize;
        _mixed = soupObjectives;
        base_prompt = new Parameter(soupObjectives == 0
            ? InitialPrompt(model, length, seed)
            : torch.zeros(soupObjectives, length, _width, device: model.Device));
        // Initialised on the CPU, so that a seed gives the same generator on every device, then moved to the model's.
        using (new ManualSeedScope(seed))
        {
            hidden = nn.Linear(conditionWidth, hiddenSize, device: torch.CPU);
            output = nn.Linear(hiddenSize, length * _width, device: torch.CPU);
        }
        using (torch.no_grad())
        {
            output.weight!.zero_();
            output.bias!.zero_();
        }
        RegisterComponents();
        this.to(model.Device);
    }

    /// <summary>Sets the start to the per-objective prompts P_k (in objective order), so that the map begins as the prompt soup sum_k w_k P_k.</summary>
    public void StartAt(IReadOnlyList<FixedSoftPrompt> perObjective)
    {
        if (perObjective.Count != _mixed)
            throw new ArgumentException($"The generator mixes {_mixed} per-objective prompts; got {perObjective.Count}.", nameof(perObjective));
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        base_prompt.copy_(torch.stack(perObjective.Select(p => p.Prompt.detach()).ToArray()));
    }

    public override Tensor Prompts(Tensor conditioning)
    {
        var delta = output.forward(nn.functional.gelu(hidden.forward(conditioning)));
        // Only the weights take part in the mix (a log beta entry, if any, reaches the MLP alone).
        var start = _mixed == 0 ? base_prompt.unsqueeze(0) : torch.einsum("bk,kmd->bmd", conditioning[.., .._mixed], base_prompt);
        return start.Plus(delta.view(-1, _length, _width));
    }
}

/// <summary>One learned prompt, the same for every conditioning vector (a DPO-LS fit at one fixed w, or one objective of a soup).</summary>
internal sealed class FixedSoftPrompt : SoftPromptSource
{
    private readonly Parameter prompt;

    public FixedSoftPrompt(Gpt2LanguageModel model, int length, long seed) : base(nameof(FixedSoftPrompt))
    {
        prompt = new Parameter(InitialPrompt(model, length, seed));
        RegisterComponents();
    }

    public Tensor Prompt => prompt;

    public override Tensor Prompts(Tensor conditioning) => prompt.unsqueeze(0).expand(conditioning.shape[0], -1, -1);
}

/// <summary>A prompt soup: the per-objective prompts P_k of K single-objective fits, mixed as sum_k w_k P_k.</summary>
internal sealed class PromptSoup : SoftPromptSource
{
    private readonly Parameter prompts;

    public PromptSoup(IReadOnlyList<FixedSoftPrompt> perObjective) : base(nameof(PromptSoup))
    {
        using (torch.no_grad())
            prompts = new Parameter(torch.stack(perObjective.Select(p => p.Prompt.detach()).ToArray()).clone(), requires_grad: false);
        RegisterComponents();
    }

    /// <summary>The per-objective prompts, stacked [K, m, width].</summary>
    public Tensor Stacked => prompts;

    public override Tensor Prompts(Tensor conditioning)
    {
        int k = (int)prompts.shape[0];
        // Only the weights take part in the mix (a beta entry, if any, does not).
        var w = conditioning[.., ..k];
        return torch.einsum("bk,kmd->bmd", w, prompts);
    }
}
