namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>A progress report of <see cref="ParetoComparison.Run"/>: one per finished model fit and one per finished evaluation.</summary>
/// <param name="Method">The method being run.</param>
/// <param name="Split">The split being run.</param>
/// <param name="Done">Units of this method finished so far over all splits (a unit is one fit or one front evaluation).</param>
/// <param name="Total">Units of this method over all splits.</param>
public sealed record ComparisonProgress(string Method, string Split, int Done, int Total);
