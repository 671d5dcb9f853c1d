namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// <see cref="ConditioningKind.HyperPrompt"/> (Hyper Prompt Tuning): c is mapped to <see cref="HyperDpoRankingTrainer.NetworkOptions.PromptCount"/>
/// = m prompt embeddings prepended to each list. The map starts as the mixture sum_k w_k P_k of one prompt per objective
/// and adds a non-linear correction that starts at zero (<see cref="PromptGenerator"/>).
/// </summary>
internal static class HyperPromptConditioning
{
    public static readonly TransformerConditioningDefinition Definition = new(ConditioningKind.HyperPrompt, promptCount => promptCount,
        (conditionWidth, width, promptCount) => new PromptGenerator(conditionWidth, width, promptCount, correction: true));
}
