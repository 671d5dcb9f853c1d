namespace Microsoft.ML.HyperDpo.Language.Evaluation;

/// <summary>Kendall's rank correlation between a model's scores and an objective's scores of the same responses.</summary>
public static class RankCorrelation
{
    /// <summary>
    /// Kendall's tau-b, which accounts for ties on either side: (C - D) / sqrt((P - T_x)(P - T_y)) over the P pairs,
    /// with C concordant and D discordant pairs and T_x, T_y the pairs tied in x or in y. Null when x or y is constant
    /// (the correlation is undefined).
    /// </summary>
    /// <param name="x">The first scores.</param>
    /// <param name="y">The second scores, as many as <paramref name="x"/>.</param>
    public static double? KendallTauB(IReadOnlyList<double> x, IReadOnlyList<double> y) => Microsoft.ML.HyperDpo.Evaluation.KendallTau.Compute(x, y);
}

/// <summary>The paired sign test.</summary>
public static class SignTest
{
    /// <summary>
    /// The two-sided exact p-value of <paramref name="wins"/> successes against <paramref name="losses"/> failures under
    /// the null hypothesis that either is equally likely (ties are left out before): 2 * P(X &gt;= max) for X ~ Binomial(n, 1/2), at most 1.
    /// </summary>
    /// <param name="wins">Pairs where the first member is larger.</param>
    /// <param name="losses">Pairs where it is smaller.</param>
    public static double TwoSidedPValue(int wins, int losses)
    {
        if (wins < 0 || losses < 0) throw new ArgumentOutOfRangeException(nameof(wins), "Counts must not be negative.");
        int n = wins + losses;
        if (n == 0) return 1;
        int extreme = Math.Max(wins, losses);
        // log C(n, k) - n log 2, summed in log space so that n in the thousands stays exact enough.
        double tail = 0;
        for (int k = extreme; k <= n; k++)
            tail += Math.Exp(LogChoose(n, k) - n * Math.Log(2));
        return Math.Min(1, 2 * tail);
    }

    private static double LogChoose(int n, int k)
    {
        double sum = 0;
        for (int i = 1; i <= k; i++)
            sum += Math.Log(n - k + i) - Math.Log(i);
        return sum;
    }
}
