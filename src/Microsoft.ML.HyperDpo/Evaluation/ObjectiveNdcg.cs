namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>One objective's NDCG@1..k at one weight vector, as measured by ML.NET's RankingEvaluator.</summary>
/// <param name="Weights">The objective weights the scores were made with.</param>
/// <param name="Ndcg">[objective][k-1]: NDCG@k of each objective, k = 1..truncation.</param>
public sealed record WeightedNdcg(float[] Weights, double[][] Ndcg)
{
    /// <summary>NDCG@<paramref name="k"/> of every objective, in objective order.</summary>
    public double[] At(int k) => Ndcg.Select(n => n[k - 1]).ToArray();
}

/// <summary>
/// Per-objective NDCG of scored data, measured with <c>mlContext.Ranking.Evaluate</c> once per objective label
/// column, so that the figures are exactly ML.NET's.
/// </summary>
/// <remarks>
/// Any grade from 0 to <see cref="MaxGrade"/> is measured: up to grade 4 with ML.NET's default gains (0, 3, 7, 15, 31), and for a
/// label with a higher grade with the same table extended by its rule, gain(g) = 2^(g+1) - 1, passed to ML.NET's evaluator
/// (whose defaults stop at grade 4). A grade is the integer part of the label, as in ML.NET.
/// </remarks>
public static class ObjectiveNdcg
{
    /// <summary>The highest grade NDCG is measured for (1000): the gain of a higher one would overflow float64.</summary>
    public const int MaxGrade = NdcgGains.MaxGrade;

    /// <summary>
    /// NDCG@1..<paramref name="truncation"/> of <paramref name="scored"/> (which has a <c>Score</c> column) for each label column.
    /// Each group's rows must be contiguous, as ML.NET's evaluator requires; that is checked first.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing, a group's rows are not contiguous (sort the rows by the group column),
    /// or a label is not a grade from 0 to <see cref="MaxGrade"/> (the message names the column, the row and the value).</exception>
    public static double[][] Measure(MLContext mlContext, IDataView scored, IReadOnlyList<string> labelColumnNames,
        string rowGroupColumnName = "GroupId", string scoreColumnName = "Score", int truncation = 10)
    {
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(labelColumnNames);
        ContiguousGroups.Require(scored, rowGroupColumnName, "ObjectiveNdcg.Measure");
        return MeasureContiguous(mlContext, scored, labelColumnNames, EvaluatorOptions(scored, labelColumnNames, truncation), rowGroupColumnName, scoreColumnName);
    }

    /// <summary><see cref="Measure"/> on data already checked for contiguous groups, with each label's options from <see cref="EvaluatorOptions"/>.</summary>
    internal static double[][] MeasureContiguous(MLContext mlContext, IDataView scored, IReadOnlyList<string> labelColumnNames,
        IReadOnlyList<Microsoft.ML.Data.RankingEvaluatorOptions> options, string rowGroupColumnName, string scoreColumnName) =>
        labelColumnNames
            .Select((label, i) => mlContext.Ranking.Evaluate(scored, options[i], label, rowGroupColumnName, scoreColumnName)
                .NormalizedDiscountedCumulativeGains.ToArray())
            .ToArray();

    /// <summary>
    /// ML.NET's evaluator options for each label column of <paramref name="data"/>: its defaults where the highest grade is at most 4,
    /// else the gains table extended to the column's highest grade (<see cref="NdcgGains"/>). Reads the label columns once.
    /// </summary>
    /// <exception cref="ArgumentException">A label is NaN, negative or above <see cref="MaxGrade"/>; the message names the column, the row and the value.</exception>
    internal static Microsoft.ML.Data.RankingEvaluatorOptions[] EvaluatorOptions(IDataView data, IReadOnlyList<string> labelColumnNames, int truncation) =>
        MaxGrades(data, labelColumnNames).Select(g => NdcgGains.EvaluatorOptions(g, truncation)).ToArray();

    /// <summary>The highest grade of each label column; a key-typed label (ML.NET's grade key - 1) is bounded by its key count.</summary>
    private static int[] MaxGrades(IDataView data, IReadOnlyList<string> labelColumnNames)
    {
        var columns = labelColumnNames.Select(name => Data.ColumnChecks.Find(data.Schema, name, "label")).ToArray();
        var result = new int[columns.Length];
        var numeric = new List<int>();
        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i].Type is Microsoft.ML.Data.KeyDataViewType key)
            {
                if (NdcgGains.Problem(key.Count - 1) is string problem)
                    throw new ArgumentException($"The label column '{columns[i].Name}' is a key of {key.Count} values, so grades up to {key.Count - 1}; {problem}.", labelColumnNames[i]);
                result[i] = (int)(key.Count - 1);
            }
            else
                numeric.Add(i);
        }
        if (numeric.Count == 0) return result;
        using var cursor = data.GetRowCursor(numeric.Select(i => columns[i]));
        var getters = numeric.Select(i => Data.ColumnChecks.NumericGetter(cursor, columns[i])).ToArray();
        long row = 0;
        while (cursor.MoveNext())
        {
            for (int j = 0; j < getters.Length; j++)
            {
                double value = getters[j]();
                int i = numeric[j];
                if (NdcgGains.Problem(value) is string problem)
                    throw new ArgumentException($"The label column '{columns[i].Name}' has the value {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} at row {row}; {problem}.", labelColumnNames[i]);
                result[i] = Math.Max(result[i], (int)value);
            }
            row++;
        }
        return result;
    }

    /// <summary>
    /// Scores <paramref name="data"/> with <paramref name="model"/> at every weight vector of <paramref name="grid"/> and measures
    /// each objective's NDCG@1..<paramref name="truncation"/>.
    /// </summary>
    /// <remarks>The points of <see cref="ParetoProfiler.Profile(MLContext, HyperDpoRankingTransformer, IDataView, ParetoProfileOptions?)"/> on that grid.</remarks>
    public static IReadOnlyList<WeightedNdcg> AlongGrid(MLContext mlContext, HyperDpoRankingTransformer model, IDataView data,
        IReadOnlyList<float[]> grid, string rowGroupColumnName = "GroupId", int truncation = 10) =>
        ParetoProfiler.Profile(mlContext, model, data,
            new ParetoProfileOptions { Weights = grid, NdcgAt = truncation, RowGroupColumnName = rowGroupColumnName }).Points;
}
