using System.Globalization;
using System.Numerics;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// The gain of a relevance grade in every NDCG this library measures: ML.NET's default table 0, 3, 7, 15, 31 for grades 0..4,
/// extended by the same rule, gain(g) = 2^(g+1) - 1 for g &gt;= 1 and gain(0) = 0, up to <see cref="MaxGrade"/>.
/// </summary>
/// <remarks>
/// ML.NET's RankingEvaluator stops at grade 4 (its default <c>LabelGains</c>, "0,3,7,15,31", indexed by the grade, so a grade of 5
/// is an IndexOutOfRangeException; dotnet/machinelearning#2728). Data with a higher grade gets the extended table through
/// <see cref="RankingEvaluatorOptions.LabelGains"/>, so the figures are still ML.NET's own, and up to grade 4 they are exactly
/// those of ML.NET's defaults. The bound keeps every DCG finite in float64: gain(1000) is about 2.1e301, and a list's DCG
/// (at most 1 / ln 2 times the sum of its gains) stays below float64's largest value, about 1.8e308, at any truncation up to 10^5;
/// 2^(g+1) itself is infinite from g = 1023, and the sums overflow a little before that.
/// </remarks>
internal static class NdcgGains
{
    /// <summary>The highest grade measured; a higher one is refused with a message naming the column and the value.</summary>
    public const int MaxGrade = 1000;

    /// <summary>The highest grade of ML.NET's default gains table.</summary>
    public const int MlNetDefaultMaxGrade = 4;

    /// <summary>The gain of <paramref name="grade"/> (0 for a grade of 0 or less).</summary>
    public static double Of(int grade) => grade <= 0 ? 0 : Math.Pow(2, grade + 1) - 1;

    /// <summary>
    /// ML.NET's options for a label whose highest grade is <paramref name="maxGrade"/>: its defaults up to grade 4, else
    /// <see cref="RankingEvaluatorOptions.LabelGains"/> extended to <paramref name="maxGrade"/>.
    /// </summary>
    public static RankingEvaluatorOptions EvaluatorOptions(int maxGrade, int truncation)
    {
        var options = new RankingEvaluatorOptions { DcgTruncationLevel = truncation };
        if (maxGrade > MlNetDefaultMaxGrade)
            options.LabelGains = Table(maxGrade);
        return options;
    }

    /// <summary>
    /// The gains of grades 0..<paramref name="maxGrade"/> as ML.NET's comma-separated <c>LabelGains</c>. Each is written as an
    /// exact integer (digits only), because ML.NET parses the table with the current culture, where "1.5E+20" could read as a
    /// number with a thousands separator; the digits parse to the same double as <see cref="Of"/> in every culture.
    /// </summary>
    public static string Table(int maxGrade) =>
        string.Join(",", Enumerable.Range(0, maxGrade + 1).Select(g => g == 0 ? "0" : ((BigInteger.One << (g + 1)) - 1).ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Why <paramref name="value"/> is not a grade NDCG can measure, or null when it is one (NDCG counts the integer part of a grade,
    /// as ML.NET's evaluator does).
    /// </summary>
    public static string? Problem(double value)
    {
        if (double.IsNaN(value) || value < 0)
            return "grades must be numbers >= 0";
        if (value >= MaxGrade + 1)
            return $"grades above {MaxGrade} are not supported (NDCG's gain 2^(grade+1) - 1 would overflow float64)";
        return null;
    }
}
