namespace Microsoft.ML.HyperDpo.Losses;

/// <summary>
/// Builds the listwise loss the options ask for, and lists every loss it can build (the shared loss tests run over
/// <see cref="All"/>). A new loss is one new <see cref="IListwiseLoss"/> file plus one line in each member here.
/// </summary>
internal static class ListwiseLossFactory
{
    /// <summary>
    /// The loss for <paramref name="kind"/>, with the Plackett-Luce truncation and tie handling where they apply; lists whose labels
    /// are all equal contribute nothing (<see cref="TiedListsCarryNoLoss"/>); with <see cref="LossNormalization.PerDocument"/>, each
    /// list's loss is divided by its document count (<see cref="PerDocumentLoss"/>).
    /// </summary>
    public static IListwiseLoss Create(ListwiseLossKind kind, int? topK, TieHandling ties, LossNormalization normalization = LossNormalization.Sum)
    {
        IListwiseLoss loss = new TiedListsCarryNoLoss(CreateBare(kind, topK, ties));
        return normalization == LossNormalization.PerDocument ? new PerDocumentLoss(loss) : loss;
    }

    private static IListwiseLoss CreateBare(ListwiseLossKind kind, int? topK, TieHandling ties) => kind switch
    {
        ListwiseLossKind.PlackettLuce when ties == TieHandling.Grouped => new GroupedPlackettLuceDpoLoss(topK),
        ListwiseLossKind.PlackettLuce => new PlackettLuceDpoLoss(topK),
        ListwiseLossKind.ListNet => new ListNetLoss(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
    };

    /// <summary>Whether <paramref name="kind"/> reads <c>TopK</c> and <c>Ties</c>; options it ignores are rejected by validation.</summary>
    public static (bool UsesTopK, bool UsesTies) Reads(ListwiseLossKind kind) => kind switch
    {
        ListwiseLossKind.PlackettLuce => (true, true),
        ListwiseLossKind.ListNet => (false, false),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown loss."),
    };

    /// <summary>Every distinct loss the factory builds, named, untruncated (for the shared property tests).</summary>
    public static IEnumerable<(string Name, IListwiseLoss Loss)> All()
    {
        foreach (var kind in Enum.GetValues<ListwiseLossKind>())
        {
            var (_, usesTies) = Reads(kind);
            foreach (var ties in usesTies ? Enum.GetValues<TieHandling>() : new[] { TieHandling.Grouped })
                yield return (usesTies ? $"{kind}/{ties}" : kind.ToString(), Create(kind, null, ties));
        }
    }
}
