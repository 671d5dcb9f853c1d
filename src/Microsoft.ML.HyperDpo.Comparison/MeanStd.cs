using System.Globalization;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>The mean and sample standard deviation of a figure over splits (the deviation is 0 for one split).</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation (n - 1 in the denominator).</param>
/// <param name="Count">How many values.</param>
public readonly record struct MeanStd(double Mean, double Std, int Count)
{
    /// <summary>Mean and standard deviation of <paramref name="values"/>.</summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        var v = values.ToArray();
        if (v.Length == 0) return new MeanStd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double std = v.Length < 2 ? 0 : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new MeanStd(mean, std, v.Length);
    }

    /// <summary>"0.4005 ± 0.0123" with <paramref name="format"/> for both numbers (just the mean for one value).</summary>
    public string ToString(string format) => Count < 2
        ? Mean.ToString(format, CultureInfo.InvariantCulture)
        : $"{Mean.ToString(format, CultureInfo.InvariantCulture)} ± {Std.ToString(format, CultureInfo.InvariantCulture)}";

    /// <inheritdoc/>
    public override string ToString() => ToString("F4");
}
