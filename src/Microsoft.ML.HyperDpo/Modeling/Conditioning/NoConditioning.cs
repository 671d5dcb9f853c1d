namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// <see cref="ConditioningKind.None"/>: the network never sees c; the plain trunk learns the one trade-off it is trained at.
/// </summary>
internal sealed class NoConditioning : ConditioningModule
{
    public static readonly ConditioningDefinition Definition = new(ConditioningKind.None, ConcatenatesCondition: false, _ => new NoConditioning(), IgnoresCondition: true);

    private NoConditioning() : base(nameof(NoConditioning))
    {
    }
}
