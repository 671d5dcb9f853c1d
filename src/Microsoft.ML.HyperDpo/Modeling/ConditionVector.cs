namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// The conditioning vector c that the scoring network receives per list. Today c = w, the K objective weights; its
/// width is taken from here, never assumed to be K, so that further conditioning inputs extend c in one place.
/// </summary>
internal static class ConditionVector
{
    /// <summary>The length of c for <paramref name="objectiveCount"/> objectives.</summary>
    public static int Width(int objectiveCount) => objectiveCount;
}
