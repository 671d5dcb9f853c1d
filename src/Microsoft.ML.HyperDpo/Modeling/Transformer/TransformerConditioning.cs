using Microsoft.ML.HyperDpo.Modeling.Conditioning;

namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// How the transformer ranker reads c, one kind per file of this folder, registered once here (the transformer's twin of
/// <see cref="ConditioningRegistry"/>): HyperPrompt (c mapped to m prompt embeddings), WeightToken (c mapped linearly to one
/// extra token), Input (c concatenated to every document's features) or None. The blocks are the same for all. The network,
/// the trainer's option checks and the tests reach a kind only through its entry here.
/// </summary>
internal static class TransformerConditioning
{
    private static readonly Dictionary<ConditioningKind, TransformerConditioningDefinition> Definitions = new[]
    {
        HyperPromptConditioning.Definition,
        WeightTokenConditioning.Definition,
        TransformerInputConditioning.Definition,
        TransformerNoConditioning.Definition,
    }.ToDictionary(d => d.Kind);

    /// <summary>The kinds the transformer takes, in registration order.</summary>
    public static IReadOnlyList<ConditioningKind> Kinds { get; } = Definitions.Keys.ToArray();

    public static bool Supports(ConditioningKind kind) => Definitions.ContainsKey(kind);

    /// <summary>The definition of <paramref name="kind"/>.</summary>
    public static TransformerConditioningDefinition Get(ConditioningKind kind) =>
        Definitions.TryGetValue(kind, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"The transformer has no conditioning kind {kind}; it takes {string.Join(", ", Definitions.Keys)}.");

    public static bool IgnoresCondition(ConditioningKind kind) => Get(kind).IgnoresCondition;

    public static bool ConcatenatesCondition(ConditioningKind kind) => Get(kind).ConcatenatesCondition;

    /// <summary>The prompt tokens prepended to each list.</summary>
    public static int PromptTokens(ConditioningKind kind, int promptCount) => Get(kind).PromptTokens(promptCount);

    /// <summary>The kind's prompt generator, or null when it prepends no tokens.</summary>
    public static PromptGenerator? CreatePrompts(ConditioningKind kind, int conditionWidth, int width, int promptCount) =>
        Get(kind).CreatePrompts?.Invoke(conditionWidth, width, promptCount);
}

/// <summary>One transformer conditioning kind as registered in <see cref="TransformerConditioning"/>.</summary>
/// <param name="Kind">The public name.</param>
/// <param name="PromptTokens">The tokens the kind prepends to each list, given <see cref="HyperDpoRankingTrainer.NetworkOptions.PromptCount"/>.</param>
/// <param name="CreatePrompts">Builds the kind's prompt generator from (C, d, prompt count); null for a kind that prepends none.</param>
/// <param name="ConcatenatesCondition">True when c is concatenated to every document's standardised features before the projection.</param>
/// <param name="IgnoresCondition">True when the network never reads c (it then needs
/// <see cref="HyperDpoRankingTrainer.LossOptions.FixedObjectiveWeights"/>).</param>
internal sealed record TransformerConditioningDefinition(ConditioningKind Kind, Func<int, int> PromptTokens,
    Func<int, int, int, PromptGenerator>? CreatePrompts, bool ConcatenatesCondition = false, bool IgnoresCondition = false);
