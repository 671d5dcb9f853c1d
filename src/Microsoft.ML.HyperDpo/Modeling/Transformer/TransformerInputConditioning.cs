namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// <see cref="ConditioningKind.Input"/> in the transformer: c is concatenated to every document's standardised features
/// before the projection; no tokens are prepended.
/// </summary>
internal static class TransformerInputConditioning
{
    public static readonly TransformerConditioningDefinition Definition = new(ConditioningKind.Input, _ => 0, null, ConcatenatesCondition: true);
}
