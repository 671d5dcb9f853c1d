using System.Globalization;
using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// A requirement on one objective's NDCG@k, such as "NDCG@10 on PageRank &gt;= 0.70", for <see cref="TradeOffPicker"/>.
/// </summary>
/// <param name="Objective">The objective's label column name.</param>
/// <param name="Minimum">The least acceptable NDCG@<paramref name="K"/>, in [0, 1].</param>
/// <param name="K">The truncation k of NDCG@k; at most the profile's <see cref="ParetoProfile.NdcgAt"/>. Default 10.</param>
public sealed partial record NdcgConstraint(string Objective, double Minimum, int K = 10)
{
    /// <summary>True when <paramref name="point"/> meets the constraint.</summary>
    /// <param name="point">A profiled point.</param>
    /// <param name="objectiveIndex">The index of <see cref="Objective"/> among the profile's objectives.</param>
    public bool IsMetBy(WeightedNdcg point, int objectiveIndex) => point.Ndcg[objectiveIndex][K - 1] >= Minimum;

    /// <summary>"NDCG@10 on 'PageRank' &gt;= 0.7".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"NDCG@{K} on '{Objective}' >= {Minimum}");

    /// <summary>
    /// Reads a constraint written as <c>NDCG@10 on PageRank &gt;= 0.70</c>, <c>PageRank@10 &gt;= 0.70</c> or <c>PageRank &gt;= 0.70</c>
    /// (k = 10), with a point as the decimal separator.
    /// </summary>
    /// <param name="text">The constraint.</param>
    /// <returns>The constraint.</returns>
    /// <exception cref="FormatException">The text has none of these forms; the message shows it and the forms.</exception>
    public static NdcgConstraint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text.Trim());
        if (!match.Success)
            throw new FormatException($"The constraint '{text}' is not understood; write 'NDCG@10 on PageRank >= 0.70', 'PageRank@10 >= 0.70' or 'PageRank >= 0.70'.");
        string objective = match.Groups["objective"].Value;
        string k = match.Groups["k1"].Success ? match.Groups["k1"].Value : match.Groups["k2"].Value;
        return new NdcgConstraint(objective,
            double.Parse(match.Groups["minimum"].Value, NumberStyles.Float, CultureInfo.InvariantCulture),
            k.Length == 0 ? 10 : int.Parse(k, CultureInfo.InvariantCulture));
    }

    /// <summary>Checks the constraint against a profile's objectives and truncation, with messages that name the wrong part.</summary>
    internal int Check(ParetoProfile profile)
    {
        if (string.IsNullOrWhiteSpace(Objective))
            throw new ArgumentException("A constraint names no objective.", nameof(Objective));
        if (!(Minimum >= 0 && Minimum <= 1))
            throw new ArgumentException($"The constraint {this} asks for an NDCG outside [0, 1].", nameof(Minimum));
        if (K < 1 || K > profile.NdcgAt)
            throw new ArgumentException($"The constraint {this} uses NDCG@{K}; the profile measured NDCG@1..{profile.NdcgAt}.", nameof(K));
        return profile.ObjectiveIndex(Objective);
    }

    [GeneratedRegex(@"^(?:NDCG@(?<k1>\d+)\s+on\s+(?<objective>\S+?)|(?<objective>[^@\s>]+)(?:@(?<k2>\d+))?)\s*>=\s*(?<minimum>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)$", RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();
}
