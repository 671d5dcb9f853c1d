namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// One train / validation / test split of a comparison (a cross-validation fold). Every method is trained on
/// <see cref="Train"/>, may use <see cref="Validation"/> for early stopping, and is measured on <see cref="Test"/> only.
/// </summary>
/// <param name="Name">A short name for reports, e.g. "Fold1".</param>
/// <param name="Train">Training data: features, every objective's label column and the group column.</param>
/// <param name="Validation">Validation data for early stopping (HyperDPO, DPO-LS, DPO Soup); null for none.</param>
/// <param name="Test">Test data on which every front is measured; groups contiguous, as ML.NET's evaluator requires.</param>
public sealed record ComparisonSplit(string Name, IDataView Train, IDataView? Validation, IDataView Test);
