using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// LambdaMART on scalarised labels: one FastTree or LightGBM fit per grid weight w, on the integer grade of
/// <see cref="ScalarisedLabelRule"/> (for two objectives on MQ2008: round(2 w rel + (1 - w) aux)). Default trainer options.
/// </summary>
public sealed class ScalarisedLambdaMart : FrontMethod
{
    private const string LabelColumn = "ScalarisedLabel";
    private readonly LambdaMartLibrary _library;

    /// <summary>Creates the method for one LambdaMART implementation.</summary>
    public ScalarisedLambdaMart(LambdaMartLibrary library) => _library = library;

    /// <inheritdoc/>
    public override string Name => $"{LambdaMart.Name(_library)} scalarised";

    /// <inheritdoc/>
    public override string Key => LambdaMart.Key(_library);

    /// <inheritdoc/>
    /// <remarks>
    /// False for FastTree: its options keep FastTree's own fixed seed, and with default options (no bagging, every feature) it
    /// draws nothing at random, so its fits are the same at every seed. LightGBM is given the seed.
    /// </remarks>
    public override bool UsesSeed => _library != LambdaMartLibrary.FastTree;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => gridPoints;

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var clock = Stopwatch.StartNew();
        var rule = ScalarisedLabelRule.Fit(context.Split.Train, context.LabelColumnNames);
        var total = clock.Elapsed;
        var models = new List<(float[], ITransformer)>();
        foreach (float[] w in context.Grid)
        {
            var labelled = context.MLContext.Data.Cache(rule.Transform(context.MLContext, context.Split.Train, w, LabelColumn));
            var (model, elapsed) = LambdaMart.Train(context, _library, labelled, LabelColumn, rule.Gains);
            models.Add((w, model));
            total += elapsed;
        }
        return new FittedFront(FittedFront.PerWeight(Name, models), total, models.Count);
    }
}
