namespace Microsoft.ML.HyperDpo.Modeling.Conditioning;

/// <summary>
/// Every conditioning kind, registered once. The scoring network, the managed scorer and the ONNX export reach a kind
/// only through its entry here; adding a kind is one new file in this folder and one line below.
/// </summary>
internal static class ConditioningRegistry
{
    private static readonly Dictionary<ConditioningKind, ConditioningDefinition> Definitions = new ConditioningDefinition[]
    {
        InputConditioning.Definition,
        FilmConditioning.Definition,
        HeadBlendConditioning.Definition,
        NoConditioning.Definition,
    }.ToDictionary(d => d.Kind);

    /// <summary>Every registered kind.</summary>
    public static IReadOnlyCollection<ConditioningKind> Kinds => Definitions.Keys;

    /// <summary>The definition of <paramref name="kind"/>.</summary>
    public static ConditioningDefinition Get(ConditioningKind kind) =>
        Definitions.TryGetValue(kind, out var definition)
            ? definition
            : throw new ArgumentOutOfRangeException(nameof(kind), kind, $"No conditioning kind {kind} is registered; known: {string.Join(", ", Definitions.Keys)}.");
}
