namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// Checks that every group (query) of data to be evaluated is one run of consecutive rows. ML.NET's ranking evaluator
/// reads a group as such a run, so data whose rows were shuffled across groups would be evaluated as many small
/// "queries" and give wrong NDCG without any warning; every evaluation entry point of this library checks first.
/// </summary>
internal static class ContiguousGroups
{
    /// <summary>
    /// Reads the group column once; throws <see cref="ArgumentException"/> at the first group that starts again. Returns each
    /// group's first row, then the row count (the groups' boundaries, for evaluations that walk the groups themselves).
    /// </summary>
    /// <param name="data">The data to be evaluated.</param>
    /// <param name="rowGroupColumnName">Its key column of groups.</param>
    /// <param name="caller">The entry point, named in the message.</param>
    public static int[] Require(IDataView data, string rowGroupColumnName, string caller)
    {
        var column = Data.ColumnChecks.GroupKey(data.Schema, rowGroupColumnName);
        using var cursor = data.GetRowCursor(new[] { column });
        var key = Data.ColumnChecks.KeyGetter(cursor, column);
        var finished = new HashSet<ulong>();
        var starts = new List<int>();
        ulong current = 0;
        long row = 0;
        while (cursor.MoveNext())
        {
            ulong value = key();
            if (row == 0 || value != current)
            {
                if (row > 0) finished.Add(current);
                if (finished.Contains(value))
                    throw new ArgumentException(
                        $"{caller}: the rows of each group must be contiguous, but the group with key {value} in column '{rowGroupColumnName}' " +
                        $"starts again at row {row} (counting from 0) after other groups. ML.NET's ranking evaluator reads a group as a run of " +
                        $"consecutive rows, so NDCG would be wrong. Sort the rows by '{rowGroupColumnName}' (or shuffle whole groups, " +
                        "never single rows, e.g. not with mlContext.Data.ShuffleRows) before evaluating.", nameof(data));
                current = value;
                starts.Add((int)row);
            }
            row++;
        }
        starts.Add((int)row);
        return starts.ToArray();
    }
}
