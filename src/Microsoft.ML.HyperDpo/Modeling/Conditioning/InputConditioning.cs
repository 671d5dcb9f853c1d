namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// <see cref="ConditioningKind.Input"/>: c is concatenated to the standardised features (COSMOS style) and the trunk does
/// the rest. The concatenation is the trunk's, so this part adds no layers; its managed and ONNX forms are the trunk's.
/// </summary>
internal sealed class InputConditioning : ConditioningModule
{
    public static readonly ConditioningDefinition Definition = new(ConditioningKind.Input, ConcatenatesCondition: true, _ => new InputConditioning());

    private InputConditioning() : base(nameof(InputConditioning))
    {
    }
}
