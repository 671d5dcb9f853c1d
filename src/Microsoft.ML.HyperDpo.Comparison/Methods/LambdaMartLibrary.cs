namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Which LambdaMART implementation a baseline trains.</summary>
public enum LambdaMartLibrary
{
    /// <summary>ML.NET's FastTree (<c>mlContext.Ranking.Trainers.FastTree</c>), default options.</summary>
    FastTree,
    /// <summary>LightGBM through ML.NET (<c>mlContext.Ranking.Trainers.LightGbm</c>), default options.</summary>
    LightGbm,
}
