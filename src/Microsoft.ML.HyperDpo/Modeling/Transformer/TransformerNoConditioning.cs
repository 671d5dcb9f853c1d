namespace Microsoft.ML.HyperDpo.Modeling.Transformer;

/// <summary>
/// <see cref="ConditioningKind.None"/> in the transformer: the network never sees c and learns the one trade-off it is trained at.
/// </summary>
internal static class TransformerNoConditioning
{
    public static readonly TransformerConditioningDefinition Definition = new(ConditioningKind.None, _ => 0, null, IgnoresCondition: true);
}
