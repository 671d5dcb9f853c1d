namespace Microsoft.ML.HyperDpo.Language.Data;

/// <summary>A fixed, seeded split of preference lists into training and held-out parts.</summary>
/// <param name="Training">The training lists.</param>
/// <param name="HeldOut">The held-out lists, never used to fit or to choose settings.</param>
public sealed record PreferenceSplit(IReadOnlyList<PreferenceList> Training, IReadOnlyList<PreferenceList> HeldOut)
{
    /// <summary>The seed of the standard split.</summary>
    public const int DefaultSeed = 20231;

    /// <summary>
    /// Shuffles the lists with a seeded permutation and holds out the last <paramref name="heldOut"/> of them
    /// (qa-feedback: 500 lists give 400 training and 100 held-out questions). Same input and seed, same split.
    /// </summary>
    /// <param name="lists">All lists.</param>
    /// <param name="heldOut">How many to hold out.</param>
    /// <param name="seed">Seed of the permutation.</param>
    public static PreferenceSplit Create(IReadOnlyList<PreferenceList> lists, int heldOut, int seed = DefaultSeed)
    {
        if (heldOut < 1 || heldOut >= lists.Count)
            throw new ArgumentOutOfRangeException(nameof(heldOut), heldOut, $"Must be between 1 and {lists.Count - 1} for {lists.Count} lists.");
        var order = Enumerable.Range(0, lists.Count).ToArray();
        new Random(seed).Shuffle(order);
        var shuffled = order.Select(i => lists[i]).ToList();
        return new PreferenceSplit(shuffled.Take(lists.Count - heldOut).ToList(), shuffled.Skip(lists.Count - heldOut).ToList());
    }
}
