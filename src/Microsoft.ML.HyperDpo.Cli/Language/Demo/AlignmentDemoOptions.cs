using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Cli.Language.Demo;

/// <summary>
/// Settings of the end-to-end CPU demo: pre-train a tiny GPT-2 on the training questions' text, align it with Hyper
/// Prompt Tuning and with the baselines, and evaluate on held-out questions. <see cref="Default"/> is the demo's
/// configuration; <see cref="Small"/> a much smaller one for notebooks and CI.
/// </summary>
public sealed record AlignmentDemoOptions
{
    /// <summary>The computed objectives aligned on (names of <see cref="Data.ResponseObjectives"/>, or "human").</summary>
    public IReadOnlyList<string> Objectives { get; init; } = new[] { "conciseness", "grounding" };

    /// <summary>Held-out questions (the rest train): qa-feedback's 500 give 400 and 100.</summary>
    public int HeldOut { get; init; } = 100;

    /// <summary>Size of the compact vocabulary built from the training text.</summary>
    public int VocabularySize { get; init; } = 2048;

    /// <summary>Width of the tiny model.</summary>
    public int EmbeddingSize { get; init; } = 128;

    /// <summary>Blocks of the tiny model.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads of the tiny model.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>
    /// Context length of the tiny model; null: chosen from the data, the soft prompt plus the longest prompt (weights
    /// written in) plus the longest response (end-of-text included) of the training lists, so that nothing is cut.
    /// </summary>
    public int? ContextLength { get; init; }

    /// <summary>
    /// Pre-training options. The demo's 1500 steps of 8 x 128 tokens read the 400 training questions' text (about 440,000
    /// tokens) about 3.5 times; the steps were chosen on the perplexity of 40 training questions held out of pre-training
    /// (docs/language-models.md gives the figures).
    /// </summary>
    public PretrainingOptions Pretraining { get; init; } = new() { Steps = 1500, BatchSize = 8, SequenceLength = 128 };

    /// <summary>
    /// Optimiser steps of every method, so that the comparison is at equal compute: HPT and weights-as-text take them in
    /// one fit, DPO-LS splits them evenly over its fits (one per grid weight), the prompt soup over its objectives. Must
    /// divide evenly by both.
    /// </summary>
    public int StepsPerMethod { get; init; } = 300;

    /// <summary>
    /// Share of each seed's training lists HPT holds out for early stopping (its other methods train on all of them): HPT
    /// starts at the prompt soup, half its steps training the per-objective prompts, the other half the whole map.
    /// </summary>
    public float HptValidationFraction { get; init; } = 0.1f;

    /// <summary>Independent runs (seeds <see cref="Seed"/>, <see cref="Seed"/> + 1, ...): each its own split, vocabulary, pre-training and fits.</summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Held-out questions (the first ones) answered greedily at every grid weight by the first seed's HPT model.</summary>
    public int AnsweredQuestions { get; init; } = 40;

    /// <summary>
    /// How the greedy answers are decoded: greedy, never repeating a 3-gram (a small model decoded greedily loops, "the
    /// first of the first of ..."), at most 64 new tokens.
    /// </summary>
    public GenerationOptions Greedy { get; init; } = new() { MaxNewTokens = 64, NoRepeatNgramSize = 3 };

    /// <summary>Held-out questions (the first ones) the pre-trained base model answers greedily, with <see cref="Greedy"/> and no soft prompt, per seed.</summary>
    public int BaseAnsweredQuestions { get; init; } = 3;

    /// <summary>Divisions of the weight grid on the simplex (K = 2: divisions + 1 weights, one DPO-LS fit each).</summary>
    public int GridDivisions { get; init; } = 4;

    /// <summary>
    /// The alignment options shared by every method (objectives, steps and the prompt and response lengths are set by the
    /// demo: the lengths come from the training lists with <see cref="TokenBudget"/>). The likelihood term's coefficient, 0.5,
    /// was chosen from 0, 0.5, 1 and 2 on HPT's validation lists of seed 0 (never the held-out questions; docs/language-models.md).
    /// </summary>
    public LanguageAlignmentOptions Alignment { get; init; } = new() { PromptLength = 8, HiddenSize = 64, ListsPerStep = 4, LearningRate = 1e-2f, LikelihoodWeight = 0.5f };

    /// <summary>How answers are generated for the steerability test (sampled, same seed at both corners, so that pairs differ only by w).</summary>
    public GenerationOptions Generation { get; init; } = new() { MaxNewTokens = 64, Temperature = 0.7f, TopK = 40 };

    /// <summary>New tokens of the KV-cache speed measurement.</summary>
    public int SpeedTokens { get; init; } = 128;

    /// <summary>
    /// TorchSharp's intra-op threads during the demo (null: leave TorchSharp's setting). One thread by default: on a
    /// small machine shared with other jobs, more threads than free cores make every step several times slower.
    /// </summary>
    public int? Threads { get; init; } = 1;

    /// <summary>Where the model runs; null: the CPU.</summary>
    public TorchSharp.torch.Device? Device { get; init; }

    /// <summary>Seed of the split, the initialisation and the training.</summary>
    public int Seed { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting the demo cannot run with.</summary>
    public void Validate()
    {
        int grid = SimplexLattice.Points(Objectives.Count, GridDivisions).Count;
        if (StepsPerMethod < 1 || StepsPerMethod % grid != 0 || StepsPerMethod % (2 * Objectives.Count) != 0)
            throw new ArgumentException($"AlignmentDemoOptions.StepsPerMethod must be positive and divide evenly over the {grid} grid weights (DPO-LS), the " +
                $"{Objectives.Count} objectives (the prompt soup) and twice that (HPT's soup start takes half), so that every method gets the same steps; got {StepsPerMethod}.", nameof(StepsPerMethod));
        if (Seeds < 1) throw new ArgumentException($"AlignmentDemoOptions.Seeds must be at least 1; got {Seeds}.", nameof(Seeds));
        if (BaseAnsweredQuestions < 0 || BaseAnsweredQuestions > HeldOut)
            throw new ArgumentException($"AlignmentDemoOptions.BaseAnsweredQuestions must be between 0 and HeldOut ({HeldOut}); got {BaseAnsweredQuestions}.", nameof(BaseAnsweredQuestions));
        if (Greedy.Temperature != 0)
            throw new ArgumentException($"AlignmentDemoOptions.Greedy must decode greedily (Temperature 0); got {Greedy.Temperature}.", nameof(Greedy));
        if (AnsweredQuestions < 0 || AnsweredQuestions > HeldOut)
            throw new ArgumentException($"AlignmentDemoOptions.AnsweredQuestions must be between 0 and HeldOut ({HeldOut}); got {AnsweredQuestions}.", nameof(AnsweredQuestions));
    }

    /// <summary>The demo's configuration.</summary>
    public static AlignmentDemoOptions Default { get; } = new();

    /// <summary>A configuration small enough for a notebook in CI (a minute or two): fewer questions held out, tiny model, few steps.</summary>
    public static AlignmentDemoOptions Small { get; } = new()
    {
        HeldOut = 30,
        VocabularySize = 1024,
        EmbeddingSize = 64,
        Layers = 1,
        Heads = 2,
        ContextLength = 192,
        Pretraining = new() { Steps = 60, BatchSize = 8, SequenceLength = 64 },
        StepsPerMethod = 36,
        Seeds = 1,
        AnsweredQuestions = 2,
        GridDivisions = 2,
        Generation = new() { MaxNewTokens = 24, Temperature = 0.7f, TopK = 40 },
        Greedy = new() { MaxNewTokens = 24, NoRepeatNgramSize = 3 },
        BaseAnsweredQuestions = 1,
        SpeedTokens = 64,
    };
}
