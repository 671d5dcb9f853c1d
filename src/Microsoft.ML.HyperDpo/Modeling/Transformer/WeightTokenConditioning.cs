namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary><see cref="ConditioningKind.WeightToken"/>: c mapped linearly to one extra token prepended to each list.</summary>
internal static class WeightTokenConditioning
{
    public static readonly TransformerConditioningDefinition Definition = new(ConditioningKind.WeightToken, _ => 1,
        (conditionWidth, width, _) => new PromptGenerator(conditionWidth, width, 1, correction: false));
}
