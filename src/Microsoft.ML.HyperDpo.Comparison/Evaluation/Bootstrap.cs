using System.Globalization;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>A statistic and its bootstrap confidence interval.</summary>
/// <param name="Estimate">The statistic on the data as measured (every unit once).</param>
/// <param name="Lower">The lower bound: the (1 - confidence) / 2 quantile of the bootstrap replicates.</param>
/// <param name="Upper">The upper bound: the (1 + confidence) / 2 quantile of the bootstrap replicates.</param>
/// <param name="Confidence">The interval's confidence level, e.g. 0.95.</param>
/// <param name="Replicates">How many resamples the interval was read from.</param>
public sealed record BootstrapInterval(double Estimate, double Lower, double Upper, double Confidence, int Replicates)
{
    /// <summary>Whether <paramref name="value"/> lies outside the interval: for a ratio and 1.0, whether the difference is significant.</summary>
    public bool Excludes(double value) => Lower > value || Upper < value;

    /// <summary>"1.006x [0.998, 1.013]" with <paramref name="format"/> for the three numbers and <paramref name="unit"/> after each.</summary>
    public string ToString(string format, string unit = "") =>
        $"{F(Estimate, format)}{unit} [{F(Lower, format)}{unit}, {F(Upper, format)}{unit}]";

    /// <inheritdoc/>
    public override string ToString() => ToString("F4");

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}

/// <summary>
/// The percentile bootstrap (Efron and Tibshirani, 1993, ch. 13), stratified: the units of each stratum (e.g. one fold's test
/// queries, or one fold's seeds) are resampled with replacement, each stratum on its own and to its own size, and the statistic
/// is recomputed on every resample. The interval's bounds are quantiles of those replicates. Deterministic given the seed.
/// </summary>
/// <remarks>
/// A resample is handed to the statistic as counts: <c>counts[s][i]</c> is how many times unit i of stratum s was drawn (they sum
/// to the stratum's size), so a statistic that is a weighted mean costs one pass and nothing is copied. A paired comparison
/// passes one statistic that reads both methods' values with the same counts. The quantile is the inverse of the replicates'
/// empirical distribution function: the q quantile of sorted replicates t_1 &lt;= ... &lt;= t_B is t_j with j = ceil(q B)
/// (at least 1), so each bound is a value some resample produced.
/// </remarks>
public static class Bootstrap
{
    /// <summary>The resamples of <see cref="ParetoComparison"/>'s intervals: enough that each 2.5% tail holds 50 replicates.</summary>
    public const int DefaultReplicates = 2000;

    /// <summary>The interval of <paramref name="statistic"/> over resamples of the units of every stratum.</summary>
    /// <param name="stratumSizes">How many units each stratum has (each at least 1).</param>
    /// <param name="statistic">The statistic of one resample, given the counts of every unit (see the remarks); called with all counts 1 for the estimate.</param>
    /// <param name="replicates">How many resamples (at least 1).</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="confidence">The confidence level, in (0, 1). Default 0.95.</param>
    /// <returns>The estimate and its percentile interval.</returns>
    /// <exception cref="ArgumentException">No stratum, an empty stratum, too few replicates or a confidence outside (0, 1).</exception>
    /// <exception cref="InvalidOperationException">The statistic returned a value that is not finite.</exception>
    public static BootstrapInterval Percentile(IReadOnlyList<int> stratumSizes, Func<int[][], double> statistic, int replicates, int seed,
        double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(stratumSizes);
        ArgumentNullException.ThrowIfNull(statistic);
        if (stratumSizes.Count == 0)
            throw new ArgumentException("A bootstrap needs at least one stratum.", nameof(stratumSizes));
        for (int s = 0; s < stratumSizes.Count; s++)
            if (stratumSizes[s] < 1)
                throw new ArgumentException($"Stratum {s} has {stratumSizes[s]} units; each needs at least one.", nameof(stratumSizes));
        if (replicates < 1)
            throw new ArgumentException($"replicates must be at least 1; got {replicates}.", nameof(replicates));
        if (!(confidence > 0 && confidence < 1))
            throw new ArgumentException($"confidence must be in (0, 1); got {confidence}.", nameof(confidence));

        var counts = stratumSizes.Select(n => Enumerable.Repeat(1, n).ToArray()).ToArray();
        double estimate = Finite(statistic(counts), "the data as measured");
        var random = new Random(seed);
        var values = new double[replicates];
        for (int b = 0; b < replicates; b++)
        {
            for (int s = 0; s < counts.Length; s++)
            {
                Array.Clear(counts[s]);
                for (int draw = 0; draw < counts[s].Length; draw++)
                    counts[s][random.Next(counts[s].Length)]++;
            }
            values[b] = Finite(statistic(counts), $"resample {b}");
        }
        Array.Sort(values);
        double tail = (1 - confidence) / 2;
        return new BootstrapInterval(estimate, Quantile(values, tail), Quantile(values, 1 - tail), confidence, replicates);
    }

    /// <summary>The percentile interval of the mean of one sample: <see cref="Percentile(IReadOnlyList{int}, Func{int[][], double}, int, int, double)"/> with one stratum.</summary>
    /// <param name="sample">The values (at least one).</param>
    /// <param name="replicates">How many resamples.</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="confidence">The confidence level. Default 0.95.</param>
    public static BootstrapInterval MeanOf(IReadOnlyList<double> sample, int replicates, int seed, double confidence = 0.95)
    {
        ArgumentNullException.ThrowIfNull(sample);
        return Percentile(new[] { sample.Count }, c => WeightedMean(sample, c[0]), replicates, seed, confidence);
    }

    /// <summary>sum_i counts[i] values[i] / sum_i counts[i]: the mean of a resample given as counts.</summary>
    public static double WeightedMean(IReadOnlyList<double> values, int[] counts)
    {
        double sum = 0;
        long n = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            sum += counts[i] * values[i];
            n += counts[i];
        }
        return sum / n;
    }

    /// <summary>The q quantile of sorted values: the inverse of their empirical distribution function.</summary>
    internal static double Quantile(double[] sorted, double q)
    {
        // The smallest j with j / B >= q; the epsilon keeps q B = 50.000000001 from moving a bound one replicate out.
        int j = (int)Math.Ceiling(q * sorted.Length - 1e-9);
        return sorted[Math.Clamp(j, 1, sorted.Length) - 1];
    }

    private static double Finite(double value, string where) => double.IsFinite(value)
        ? value
        : throw new InvalidOperationException($"The bootstrap statistic is {value} on {where}; it must be finite.");
}
