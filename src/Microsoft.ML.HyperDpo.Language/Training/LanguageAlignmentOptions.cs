namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>How the objective weights reach the frozen language model.</summary>
public enum PromptConditioning
{
    /// <summary>Hyper Prompt Tuning: an MLP maps (w[, beta]) to the soft prompt; one fit serves every w.</summary>
    HyperPrompt,

    /// <summary>One learned soft prompt, trained at <see cref="LanguageAlignmentOptions.FixedWeights"/> (a DPO-LS fit, or one objective of a prompt soup).</summary>
    None,

    /// <summary>
    /// The weights written into the prompt as text (Rewards-in-Context style, "Weights: conciseness 0.3, grounding 0.7"),
    /// with one shared learned soft prompt (and the adapters, if any): the model must learn to read the numbers.
    /// </summary>
    WeightsAsText,
}

/// <summary>Options of <see cref="LanguageAlignmentTrainer"/>; <see cref="Validate"/> checks them once, up front.</summary>
public sealed class LanguageAlignmentOptions
{
    /// <summary>The objectives, in order; each names a key of every list's scores. Required.</summary>
    public IReadOnlyList<string> Objectives { get; set; } = Array.Empty<string>();

    /// <summary>How the weights reach the model. Default: Hyper Prompt Tuning.</summary>
    public PromptConditioning Conditioning { get; set; } = PromptConditioning.HyperPrompt;

    /// <summary>
    /// Weights used for every list instead of Dirichlet draws (on the simplex, one per objective). Required by
    /// <see cref="PromptConditioning.None"/>; null: w ~ Dirichlet(<see cref="DirichletAlpha"/>) per list.
    /// </summary>
    public float[]? FixedWeights { get; set; }

    /// <summary>Number m of soft-prompt embeddings prepended to the text.</summary>
    public int PromptLength { get; set; } = 8;

    /// <summary>Hidden width of the hyper-prompt MLP.</summary>
    public int HiddenSize { get; set; } = 64;

    /// <summary>DPO temperature beta in z = beta * (log pi(y|x) - log pi_ref(y|x)) (TRL's default, 0.1: sequence log-probabilities span tens of nats).</summary>
    public float Beta { get; set; } = 0.1f;

    /// <summary>
    /// Temperature conditioning: when set, each list draws beta log-uniformly from [Min, Max] and the hyper-prompt MLP
    /// also sees log beta, so beta becomes a knob at generation time. Only with <see cref="PromptConditioning.HyperPrompt"/>.
    /// </summary>
    public (float Min, float Max)? BetaRange { get; set; }

    /// <summary>Concentration alpha of the symmetric Dirichlet of the weight draws (as the ranking trainer: smaller favours the corners).</summary>
    public float DirichletAlpha { get; set; } = 0.5f;

    /// <summary>Number of optimisation steps.</summary>
    public int Steps { get; set; } = 200;

    /// <summary>Lists per step (each with all of its responses).</summary>
    public int ListsPerStep { get; set; } = 4;

    /// <summary>AdamW learning rate of the trained parameters (the prompt generator, and the adapters if any).</summary>
    public float LearningRate { get; set; } = 5e-3f;

    /// <summary>Gradient-norm clip.</summary>
    public float GradientClip { get; set; } = 1f;

    /// <summary>Rank of low-rank adapters on every attention block's query/key/value projection; 0: none, the base model is untouched.</summary>
    public int LoraRank { get; set; }

    /// <summary>LoRA's alpha: the adapters' output is scaled by alpha / rank.</summary>
    public float LoraAlpha { get; set; } = 16f;

    /// <summary>Longest prompt in tokens (longer prompts keep their end).</summary>
    public int MaxPromptTokens { get; set; } = 32;

    /// <summary>Longest response in tokens, end-of-text included (longer responses are cut).</summary>
    public int MaxResponseTokens { get; set; } = 96;

    /// <summary>Plackett-Luce top-k truncation; null: the full list.</summary>
    public int? TopK { get; set; }

    /// <summary>
    /// Coefficient lambda of an RPO-style likelihood term (Pang et al., 2024, "Iterative Reasoning Preference Optimization";
    /// TRL's <c>rpo_alpha</c>) added to each list's loss: lambda * sum_k w_k NLL_k, where NLL_k is the policy's mean
    /// negative log-likelihood per token (end-of-text included) of objective k's best response in the list (the mean over
    /// the responses tied for best; 0 when every response ties, as the tie-aware loss then orders none). DPO alone can
    /// lower every response's likelihood, the preferred ones too, so that generation drifts from what the rewards rank;
    /// the term keeps the preferred responses likely, end-of-text included. 0: off (the loss is sum_k w_k L_k only).
    /// </summary>
    public float LikelihoodWeight { get; set; }

    /// <summary>
    /// Hyper Prompt Tuning only: when positive, HPT starts at the prompt soup. One prompt P_k per objective is first
    /// trained alone at its corner of the simplex for this many steps, then the w-to-prompt map starts as
    /// sum_k w_k P_k (the P_k keep training) plus the MLP's correction, whose last layer starts at zero. The fit takes
    /// K * SoupStartSteps + <see cref="Steps"/> optimiser steps in all. 0: a cold start from one base prompt.
    /// </summary>
    public int SoupStartSteps { get; set; }

    /// <summary>
    /// Share of the training lists held out for early stopping (0: none; every step trains). The held-out lists never
    /// train; each gets one fixed Dirichlet draw of w, and the fit keeps the prompt source (and adapters) of the step
    /// where their loss sum_k w_k L_k was lowest.
    /// </summary>
    public float ValidationFraction { get; set; }

    /// <summary>Steps between two validation losses (and one before the first step), with <see cref="ValidationFraction"/> &gt; 0.</summary>
    public int ValidationInterval { get; set; } = 25;

    /// <summary>The fit stops after this many validation losses in a row that are no lower than the best one.</summary>
    public int EarlyStoppingPatience { get; set; } = 3;

    /// <summary>Seed of every random choice (initialisation, list order, weight draws, tie-breaking).</summary>
    public int Seed { get; set; }

    /// <summary>
    /// A copy of these options with another conditioning, fixed weights and seed. A member-wise copy, so that an option added
    /// later is carried over without being listed here; <see cref="Objectives"/> is shared, as no trainer changes it.
    /// </summary>
    internal LanguageAlignmentOptions CopyWith(PromptConditioning conditioning, float[]? fixedWeights, int seed)
    {
        var copy = (LanguageAlignmentOptions)MemberwiseClone();
        copy.Conditioning = conditioning;
        copy.FixedWeights = fixedWeights;
        copy.Seed = seed;
        return copy;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    /// <param name="contextLength">The model's context length, which must hold prompt, soft prompt and response.</param>
    public void Validate(int contextLength)
    {
        static void Require(bool ok, string name, string message)
        {
            if (!ok) throw new ArgumentException($"LanguageAlignmentOptions.{name} {message}", name);
        }
        Require(Objectives.Count >= 1 && Objectives.Distinct().Count() == Objectives.Count, nameof(Objectives), "must name at least one objective, each once.");
        Require(Conditioning != PromptConditioning.None || FixedWeights is not null, nameof(FixedWeights), "is required when Conditioning is None.");
        if (FixedWeights is { } w)
            Require(w.Length == Objectives.Count && w.All(v => v >= 0 && float.IsFinite(v)) && Math.Abs(w.Sum() - 1) < 1e-4,
                nameof(FixedWeights), $"must hold {Objectives.Count} non-negative weights that sum to 1.");
        Require(PromptLength >= 1, nameof(PromptLength), $"must be at least 1; got {PromptLength}.");
        Require(HiddenSize >= 1, nameof(HiddenSize), $"must be at least 1; got {HiddenSize}.");
        Require(float.IsFinite(Beta) && Beta > 0, nameof(Beta), $"must be a positive number; got {Beta}.");
        if (BetaRange is { } range)
            Require(Conditioning == PromptConditioning.HyperPrompt && range.Min > 0 && range.Max >= range.Min && float.IsFinite(range.Max),
                nameof(BetaRange), "needs 0 < Min <= Max and Conditioning = HyperPrompt.");
        Require(float.IsFinite(DirichletAlpha) && DirichletAlpha > 0, nameof(DirichletAlpha), $"must be a positive number; got {DirichletAlpha}.");
        Require(Steps >= 1, nameof(Steps), $"must be at least 1; got {Steps}.");
        Require(ListsPerStep >= 1, nameof(ListsPerStep), $"must be at least 1; got {ListsPerStep}.");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), $"must be a positive number; got {LearningRate}.");
        Require(float.IsFinite(GradientClip) && GradientClip > 0, nameof(GradientClip), $"must be a positive number; got {GradientClip}.");
        Require(LoraRank >= 0, nameof(LoraRank), $"must be 0 (no adapters) or positive; got {LoraRank}.");
        Require(float.IsFinite(LoraAlpha) && LoraAlpha > 0, nameof(LoraAlpha), $"must be a positive number; got {LoraAlpha}.");
        Require(MaxPromptTokens >= 1, nameof(MaxPromptTokens), $"must be at least 1; got {MaxPromptTokens}.");
        Require(MaxResponseTokens >= 1, nameof(MaxResponseTokens), $"must be at least 1; got {MaxResponseTokens}.");
        Require(PromptLength + MaxPromptTokens + MaxResponseTokens <= contextLength, nameof(MaxResponseTokens),
            $"with PromptLength and MaxPromptTokens must fit the model's context ({PromptLength} + {MaxPromptTokens} + {MaxResponseTokens} > {contextLength}).");
        Require(SoupStartSteps >= 0 && (SoupStartSteps == 0 || (Conditioning == PromptConditioning.HyperPrompt && LoraRank == 0)), nameof(SoupStartSteps),
            $"must be 0, or positive with Conditioning = HyperPrompt and LoraRank = 0 (only prompts are mixed); got {SoupStartSteps}.");
        Require(float.IsFinite(ValidationFraction) && ValidationFraction >= 0 && ValidationFraction < 1, nameof(ValidationFraction),
            $"must be at least 0 and below 1; got {ValidationFraction}.");
        Require(ValidationInterval >= 1, nameof(ValidationInterval), $"must be at least 1; got {ValidationInterval}.");
        Require(EarlyStoppingPatience >= 1, nameof(EarlyStoppingPatience), $"must be at least 1; got {EarlyStoppingPatience}.");
        Require(TopK is null || TopK >= 1, nameof(TopK), $"must be at least 1 or null; got {TopK}.");
        Require(LikelihoodWeightProblem(LikelihoodWeight) is null, nameof(LikelihoodWeight), LikelihoodWeightProblem(LikelihoodWeight) ?? "");
    }

    /// <summary>What is wrong with a <see cref="LikelihoodWeight"/> value (null: nothing), the one rule the options and the command line share.</summary>
    internal static string? LikelihoodWeightProblem(float value) =>
        float.IsFinite(value) && value >= 0 ? null
            : $"must be a finite number, 0 (off) or more; got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.";

    /// <summary>Width of the conditioning vector: K weights, plus log beta with temperature conditioning.</summary>
    internal int ConditionWidth => Objectives.Count + (BetaRange is null ? 0 : 1);
}
