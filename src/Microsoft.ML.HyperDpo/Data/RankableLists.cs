namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// Refuses data that a fit would run on without a word but could learn nothing from, or could not measure: training data
/// where no group has two documents to order, an objective whose grade never differs within a group, and validation data
/// whose NDCG is the same for every ranking.
/// </summary>
/// <remarks>
/// The listwise loss learns only from a group whose documents have different grades (a group of equal grades carries no loss,
/// <see cref="Losses.TiedListsCarryNoLoss"/>), so such training data gives loss 0 in every epoch; and NDCG of a group whose
/// documents share one grade is 0 (grade 0) or 1 whatever the order, so validation data made only of such groups leaves early
/// stopping blind.
/// </remarks>
internal static class RankableLists
{
    /// <summary>Throws <see cref="InvalidOperationException"/> when <paramref name="train"/> gives the loss nothing to learn, overall or for one objective.</summary>
    public static void RequireTrainable(ListwiseDataset train, IReadOnlyList<string> labelColumns, string groupColumn)
    {
        if (!Enumerable.Range(0, train.ListCount).Any(l => train.ListLength(l) >= 2))
            throw new InvalidOperationException(
                $"None of the {train.ListCount} groups of the training data (column '{groupColumn}') has two or more documents: the listwise loss learns " +
                "from the order of the documents within a group, so every step would have loss 0. Give the documents of one query the same group key " +
                "(e.g. the LETOR qid, through mlContext.Transforms.Conversion.MapValueToKey).");
        for (int k = 0; k < train.ObjectiveCount; k++)
            if (!HasDifferentGrades(train, k))
                throw new InvalidOperationException(
                    $"Label column '{labelColumns[k]}' has one grade within every group of the training data: the loss learns only from a group " +
                    "whose documents have different grades, so this objective would add nothing to the model. Give it graded documents, or leave it out of the label columns.");
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> when an objective's NDCG on <paramref name="validation"/> is the same for every ranking.</summary>
    public static void RequireMeasurable(ListwiseDataset validation, IReadOnlyList<string> labelColumns)
    {
        for (int k = 0; k < validation.ObjectiveCount; k++)
            if (!HasDifferentGrades(validation, k))
                throw new InvalidOperationException(
                    $"Label column '{labelColumns[k]}' has one grade within every group of the validation data ({validation.ListCount} groups): its NDCG is the " +
                    "same for every ranking (0 where that grade is 0), so early stopping could not follow this objective. Give validation groups whose " +
                    "documents have different grades for every objective.");
    }

    /// <summary>
    /// For each of <paramref name="labelColumns"/>, whether some group of <paramref name="data"/> (contiguous rows of one key in
    /// <paramref name="groupColumn"/>) has two documents whose values differ: the check of <see cref="RequireTrainable"/>, on data
    /// not read into a <see cref="ListwiseDataset"/> (test files, which the trainer never reads). Stops at the first row where all differ.
    /// </summary>
    public static bool[] OrdersSomeGroup(IDataView data, IReadOnlyList<string> labelColumns, string groupColumn)
    {
        var group = ColumnChecks.GroupKey(data.Schema, groupColumn);
        var columns = labelColumns.Select(name => data.Schema[name]).ToArray();
        using var cursor = data.GetRowCursor(columns.Append(group));
        var key = ColumnChecks.KeyGetter(cursor, group);
        var getters = columns.Select(c => ColumnChecks.NumericGetter(cursor, c)).ToArray();
        var first = new double[columns.Length];
        var orders = new bool[columns.Length];
        ulong current = 0;
        while (cursor.MoveNext() && !orders.All(o => o))
        {
            ulong k = key();
            bool starts = k != current;
            current = k;
            for (int i = 0; i < columns.Length; i++)
            {
                double value = getters[i]();
                if (starts) first[i] = value;
                else if (value != first[i]) orders[i] = true;
            }
        }
        return orders;
    }

    /// <summary>Whether some list has two documents whose labels for <paramref name="objective"/> differ.</summary>
    private static bool HasDifferentGrades(ListwiseDataset data, int objective)
    {
        for (int l = 0; l < data.ListCount; l++)
        {
            int start = data.ListStarts[l];
            float first = data.Label(start, objective);
            for (int r = start + 1; r < data.ListStarts[l + 1]; r++)
                if (data.Label(r, objective) != first)
                    return true;
        }
        return false;
    }
}
