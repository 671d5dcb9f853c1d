namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// The mean of a figure over independent runs (seeds) and its two-sided 95% Student-t interval,
/// mean ± t(0.975, n - 1) · s / sqrt(n), with s the sample standard deviation.
/// </summary>
/// <param name="Values">The per-run values.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="Low">Lower end of the interval (NaN with fewer than two runs).</param>
/// <param name="High">Upper end of the interval (NaN with fewer than two runs).</param>
public sealed record SeedInterval(IReadOnlyList<double> Values, double Mean, double Low, double High)
{
    // t(0.975, df) for df = 1..30; beyond, the normal quantile's 1.96 is within 2%.
    private static readonly double[] T975 =
    {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    };

    /// <summary>The mean and interval of <paramref name="values"/>.</summary>
    /// <param name="values">One value per run, at least one.</param>
    public static SeedInterval Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException("At least one value is needed.", nameof(values));
        double mean = values.Average();
        if (values.Count < 2) return new SeedInterval(values, mean, double.NaN, double.NaN);
        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        int df = values.Count - 1;
        double half = (df <= T975.Length ? T975[df - 1] : 1.96) * sd / Math.Sqrt(values.Count);
        return new SeedInterval(values, mean, mean - half, mean + half);
    }
}
