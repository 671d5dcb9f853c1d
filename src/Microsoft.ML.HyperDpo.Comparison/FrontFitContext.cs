namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Everything a <see cref="FrontMethod"/> needs for one fit.</summary>
/// <param name="MLContext">The ML.NET context.</param>
/// <param name="Split">The data; methods train on <see cref="ComparisonSplit.Train"/> and may stop early on <see cref="ComparisonSplit.Validation"/>.</param>
/// <param name="LabelColumnNames">One graded label column per objective, in the order of the weights.</param>
/// <param name="FeatureColumnName">The feature vector column.</param>
/// <param name="RowGroupColumnName">The query (group) key column.</param>
/// <param name="Grid">The weights the front is measured at; methods with one model per weight fit exactly these.</param>
/// <param name="Seed">Seed of every fit, so that a comparison can be repeated.</param>
/// <param name="ModelFitted">Called after each model is trained (for progress bars); may be null.</param>
public sealed record FrontFitContext(
    MLContext MLContext,
    ComparisonSplit Split,
    IReadOnlyList<string> LabelColumnNames,
    string FeatureColumnName,
    string RowGroupColumnName,
    IReadOnlyList<float[]> Grid,
    int Seed,
    Action? ModelFitted)
{
    /// <summary>Number of objectives K.</summary>
    public int Objectives => LabelColumnNames.Count;

    /// <summary>Calls <see cref="ModelFitted"/> if set.</summary>
    internal void Fitted() => ModelFitted?.Invoke();

    /// <summary>The unit vector of objective <paramref name="k"/>: all weight on one objective.</summary>
    internal float[] Corner(int k)
    {
        var w = new float[Objectives];
        w[k] = 1f;
        return w;
    }
}
