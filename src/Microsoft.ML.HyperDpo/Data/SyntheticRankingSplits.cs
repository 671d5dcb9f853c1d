namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Train, validation and test views of one synthetic ranking data set, split by query (no query is in two
/// splits). Made by <see cref="SyntheticRankingData.GenerateSplits"/>.
/// </summary>
/// <param name="Train">The first queries (<see cref="SyntheticRankingDataOptions.TrainFraction"/> of them).</param>
/// <param name="Validation">The next queries (<see cref="SyntheticRankingDataOptions.ValidationFraction"/> of them).</param>
/// <param name="Test">The remaining queries.</param>
public sealed record SyntheticRankingSplits(IDataView Train, IDataView Validation, IDataView Test);
