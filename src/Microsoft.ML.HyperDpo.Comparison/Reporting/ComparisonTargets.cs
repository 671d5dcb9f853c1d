using System.Globalization;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Whether a comparison meets one of its targets.</summary>
public enum TargetOutcome
{
    /// <summary>Measured, and met.</summary>
    Pass,

    /// <summary>Measured, and not met: the line says by how much.</summary>
    Miss,

    /// <summary>Not measured: a method the target needs was not in the run (the line says which).</summary>
    NotAvailable,
}

/// <summary>
/// One target line of a comparison's report (the benchmark targets of HyperDPO against the FastTree baselines): what is checked, the figures it is decided on, and the rule that
/// decides it, in one place; <see cref="ComparisonMarkdown.Targets"/> renders the lines for the Markdown report and the console alike.
/// </summary>
/// <param name="Target">What is checked, e.g. "HyperDPO on LambdaMART >= 1.03x the FastTree score soup's hypervolume".</param>
/// <param name="NotAvailableBecause">Why the run cannot decide the target (a method it needs did not run); null when it can.</param>
public abstract record TargetLine(string Target, string? NotAvailableBecause)
{
    /// <summary>Pass or miss by <see cref="Met"/>; not available when <see cref="NotAvailableBecause"/> is set.</summary>
    public TargetOutcome Outcome => NotAvailableBecause is not null ? TargetOutcome.NotAvailable : Met ? TargetOutcome.Pass : TargetOutcome.Miss;

    /// <summary>The target's rule, on the figures the line carries (read only when they are available).</summary>
    protected abstract bool Met { get; }

    /// <summary>The figures and the margin to the target, e.g. "1.012x [1.003x, 1.020x] over 15 runs, 0.0180x short of 1.03x"; empty when not available.</summary>
    public string Figures => NotAvailableBecause is null ? Describe() : "";

    /// <summary>The figures, when available.</summary>
    protected abstract string Describe();

    /// <summary>"0.0120x above 1.03x" or "0.0180x short of 1.03x": how far <paramref name="value"/> is from a lower bound.</summary>
    protected static string AtLeastMargin(double value, double atLeast) => value >= atLeast
        ? I($"{value - atLeast:F4}x above {atLeast:0.0#}x")
        : I($"{atLeast - value:F4}x short of {atLeast:0.0#}x");

    /// <summary>Formats with the invariant culture.</summary>
    protected static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>A mean ratio to a baseline at least <paramref name="AtLeast"/>, and, with <paramref name="IntervalAboveOne"/>, its paired interval entirely above 1.0.</summary>
/// <param name="Target">What is checked.</param>
/// <param name="Ratio">The ratio with its interval (<see cref="BaselineRatios"/>); null when not available.</param>
/// <param name="AtLeast">The lowest mean ratio that meets the target.</param>
/// <param name="IntervalAboveOne">Whether the interval's lower bound must also exceed 1.0 (a gain, not noise).</param>
/// <param name="NotAvailableBecause">Why the run cannot decide the target; null when it can.</param>
public sealed record RatioTarget(string Target, RatioToBaseline? Ratio, double AtLeast, bool IntervalAboveOne, string? NotAvailableBecause)
    : TargetLine(Target, NotAvailableBecause)
{
    /// <inheritdoc/>
    protected override bool Met => Ratio!.Interval.Estimate >= AtLeast && (!IntervalAboveOne || Ratio.Interval.Lower > 1.0);

    /// <inheritdoc/>
    protected override string Describe()
    {
        var interval = Ratio!.Interval;
        string text = I($"{interval.ToString("F3", "x")} over {Ratio.Runs} runs, ") + AtLeastMargin(interval.Estimate, AtLeast);
        return !IntervalAboveOne ? text
            : text + (interval.Lower > 1.0 ? I($"; the interval's lower bound {interval.Lower:F4}x is above 1.0x") : I($"; the interval's lower bound {interval.Lower:F4}x is not above 1.0x"));
    }
}

/// <summary>No fold x seed run below 1.0x the baseline.</summary>
/// <param name="Target">What is checked.</param>
/// <param name="Ratio">The per-run ratios (<see cref="RatioToBaseline.PerRun"/>); null when not available.</param>
/// <param name="NotAvailableBecause">Why the run cannot decide the target; null when it can.</param>
public sealed record NoRunBelowTarget(string Target, RatioToBaseline? Ratio, string? NotAvailableBecause) : TargetLine(Target, NotAvailableBecause)
{
    /// <inheritdoc/>
    protected override bool Met => Ratio!.RunsBelowOne == 0;

    /// <inheritdoc/>
    protected override string Describe() =>
        I($"{Ratio!.RunsBelowOne} of {Ratio.Runs} runs below 1.0x; the lowest is {Ratio.Lowest:F4}x, ") + AtLeastMargin(Ratio.Lowest, 1.0);
}

/// <summary>Every corner at least 1.0x the single-objective model's (mean over runs), and each objective best at its own corner.</summary>
/// <param name="Target">What is checked.</param>
/// <param name="Objectives">The objectives, in the order of <paramref name="Corners"/>.</param>
/// <param name="Corners">Each objective's corner ratio with its interval (<see cref="MethodRatios.Corners"/>); null when not available.</param>
/// <param name="BestAtOwnCorner">Whether each objective is best at its own corner (<see cref="CornerCheck.BestAtOwnCorner"/>).</param>
/// <param name="BestAtOwnCornerText">The corner table's verdict for it (<see cref="ComparisonMarkdown.Corners"/>): "pass", or what beats which corner.</param>
/// <param name="NotAvailableBecause">Why the run cannot decide the target; null when it can.</param>
public sealed record CornerTarget(string Target, IReadOnlyList<string> Objectives, IReadOnlyList<RatioToBaseline>? Corners, bool BestAtOwnCorner,
    string BestAtOwnCornerText, string? NotAvailableBecause) : TargetLine(Target, NotAvailableBecause)
{
    /// <inheritdoc/>
    protected override bool Met => Corners!.All(c => c.Interval.Estimate >= 1.0) && BestAtOwnCorner;

    /// <inheritdoc/>
    protected override string Describe()
    {
        var corners = Corners!;
        double lowest = corners.Min(c => c.Interval.Estimate);
        return string.Join(", ", corners.Select((c, j) => $"{Objectives[j]} {c.Interval.ToString("F3", "x")}")) +
            ", lowest " + AtLeastMargin(lowest, 1.0) + "; each objective best at its own corner: " + BestAtOwnCornerText;
    }
}

/// <summary>A method's training time per run at most 1.0x a baseline's (means over runs; a timing, so no interval).</summary>
/// <param name="Target">What is checked.</param>
/// <param name="Seconds">The method's training time per run, all its fits (its reference fits included), mean over runs.</param>
/// <param name="BaselineSeconds">The baseline's, all its fits, mean over runs.</param>
/// <param name="NotAvailableBecause">Why the run cannot decide the target; null when it can.</param>
public sealed record TimeTarget(string Target, double Seconds, double BaselineSeconds, string? NotAvailableBecause) : TargetLine(Target, NotAvailableBecause)
{
    /// <summary>Seconds over BaselineSeconds.</summary>
    public double Ratio => Seconds / BaselineSeconds;

    /// <inheritdoc/>
    protected override bool Met => Ratio <= 1.0;

    /// <inheritdoc/>
    protected override string Describe() => I($"{Seconds:F1} s / {BaselineSeconds:F1} s = {Ratio:F3}x, ") +
        (Ratio <= 1.0 ? I($"{1.0 - Ratio:F4}x under 1.0x") : I($"{Ratio - 1.0:F4}x over 1.0x"));
}

/// <summary>The benchmark targets of HyperDPO against the FastTree baselines, decided on what one comparison measured (<see cref="ComparisonResult.Targets"/>).</summary>
public static class ComparisonTargets
{
    /// <summary>HyperDPO on LambdaMART's target over the FastTree score soup's hypervolume.</summary>
    public const double OverSoup = 1.03;

    /// <summary>
    /// The target lines, in this order: HyperDPO on LambdaMART at least <see cref="OverSoup"/> the soup with its interval above 1.0;
    /// no fold x seed run of it below the soup; each of its corners at least the single-objective FastTree model's and its
    /// objective's best point; HyperDPO (no references) at least the scalarised FastTree front; one HyperDPO on LambdaMART fit, its
    /// reference fits included, no slower than the scalarised FastTree fits. A line whose methods did not run is not available.
    /// </summary>
    public static IReadOnlyList<TargetLine> Of(ComparisonResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        const string onTrees = FrontMethodKeys.HyperDpoOnLambdaMart, soup = FrontMethodKeys.FastTreeSoup,
            fastTree = FrontMethodKeys.FastTree, plain = FrontMethodKeys.HyperDpo;
        string? Missing(params string[] keys)
        {
            var missing = keys.Where(k => result.SummaryByKey(k) is null).ToList();
            return missing.Count == 0 ? null : $"the run has no {string.Join(" and no ", missing)} (--methods {string.Join(",", result.MethodKeys.Concat(missing))})";
        }
        const string noQueries = "the runs lack the per-query NDCG that the paired ratios need";
        var onSoup = result.Ratios.FirstOrDefault(r => r.Key == onTrees);
        string? soupProblem = Missing(onTrees, soup) ?? (onSoup is null ? noQueries : null);
        var check = CornerChecks.Of(result).FirstOrDefault(c => c.Key == onTrees);
        string? fastTreeProblem = Missing(plain, fastTree);
        var overFastTree = fastTreeProblem is null
            ? BaselineRatios.Of(result, fastTree, result.BootstrapReplicates, result.BootstrapSeed, methodKeys: [plain]).FirstOrDefault()
            : null;
        fastTreeProblem ??= overFastTree is null ? noQueries : null;
        var trees = result.SummaryByKey(onTrees);
        var fastTreeFits = result.SummaryByKey(fastTree);
        string confidence = onSoup is null ? "95" : (onSoup.Hypervolume.Interval.Confidence * 100).ToString("0.#", CultureInfo.InvariantCulture);
        return new TargetLine[]
        {
            new RatioTarget($"HyperDPO on LambdaMART >= {OverSoup.ToString("0.0#", CultureInfo.InvariantCulture)}x the FastTree score soup's hypervolume, with its paired {confidence}% interval above 1.0x",
                onSoup?.Hypervolume, OverSoup, IntervalAboveOne: true, soupProblem),
            new NoRunBelowTarget("no fold x seed run of HyperDPO on LambdaMART below 1.0x the FastTree score soup's hypervolume", onSoup?.Hypervolume, soupProblem),
            new CornerTarget($"every corner of HyperDPO on LambdaMART >= 1.0x the single-objective FastTree model's NDCG@{result.NdcgAt}, and each objective's NDCG@{result.NdcgAt} best at its own corner",
                result.Objectives, onSoup?.Corners, check?.BestAtOwnCorner ?? false, check is null ? "" : ComparisonMarkdown.BestAtCorner(result, check), soupProblem),
            new RatioTarget("HyperDPO (no references) >= 1.0x the scalarised FastTree front's hypervolume", overFastTree?.Hypervolume, 1.0, IntervalAboveOne: false, fastTreeProblem),
            new TimeTarget($"time: one HyperDPO on LambdaMART fit, its reference fits included, <= 1.0x the {fastTreeFits?.FitsPerSplit ?? result.Grid.Count} scalarised FastTree fits of the same run (training seconds per run, mean over runs)",
                trees?.TrainingSeconds.Mean ?? 0, fastTreeFits?.TrainingSeconds.Mean ?? 0, Missing(onTrees, fastTree)),
        };
    }
}
