using System.Diagnostics;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// The LambdaMART score soup: K FastTree (or LightGBM) models, model k trained on objective k's own labels; each model's score is
/// standardised with its mean and standard deviation on the training data, and the ranker for w scores
/// sum_k w_k (s_k - mean_k) / sd_k. K fits, and the trade-off is chosen at prediction time: the cheapest trade-off
/// control a practitioner already has.
/// </summary>
public sealed class LambdaMartScoreSoup : FrontMethod
{
    private readonly LambdaMartLibrary _library;

    /// <summary>Creates the method for one LambdaMART implementation.</summary>
    public LambdaMartScoreSoup(LambdaMartLibrary library = LambdaMartLibrary.FastTree) => _library = library;

    /// <inheritdoc/>
    public override string Name => $"{LambdaMart.Name(_library)} score soup";

    /// <inheritdoc/>
    public override string Key => $"{LambdaMart.Key(_library)}-soup";

    /// <inheritdoc/>
    /// <remarks>
    /// False for FastTree: its options keep FastTree's own fixed seed, and with default options (no bagging, every feature) it
    /// draws nothing at random, so its fits are the same at every seed. LightGBM is given the seed.
    /// </remarks>
    public override bool UsesSeed => _library != LambdaMartLibrary.FastTree;

    /// <inheritdoc/>
    public override int FitCount(int objectives, int gridPoints) => objectives;

    /// <inheritdoc/>
    public override FittedFront Fit(FrontFitContext context)
    {
        var ml = context.MLContext;
        var rule = ScalarisedLabelRule.Fit(context.Split.Train, context.LabelColumnNames);
        var total = TimeSpan.Zero;
        var chain = new List<ITransformer>();
        var columns = new string[context.Objectives];
        var mean = new double[context.Objectives];
        var sd = new double[context.Objectives];
        for (int k = 0; k < context.Objectives; k++)
        {
            var (model, elapsed) = LambdaMart.Train(context, _library, context.Split.Train, context.LabelColumnNames[k], rule.Gains);
            total += elapsed;
            var clock = Stopwatch.StartNew();
            (mean[k], sd[k]) = Standardisation(model.Transform(context.Split.Train).GetColumn<float>("Score"));
            total += clock.Elapsed;
            columns[k] = $"__SoupScore{k}";
            chain.Add(model);
            chain.Add(ml.Transforms.CopyColumns(columns[k], "Score").Fit(model.Transform(context.Split.Train)));
        }
        var members = new TransformerChain<ITransformer>(chain.ToArray());
        var mixer = new ScoreMixer(ml, columns);
        return new FittedFront(w => members.Append(mixer.At(context.Split.Train, members, w, mean, sd)), total, context.Objectives);
    }

    private static (double Mean, double Sd) Standardisation(IEnumerable<float> scores)
    {
        double sum = 0, sumSq = 0;
        long n = 0;
        foreach (float s in scores)
        {
            sum += s;
            sumSq += (double)s * s;
            n++;
        }
        double mean = n == 0 ? 0 : sum / n;
        double sd = n == 0 ? 0 : Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
        // A constant score ranks nothing; dividing by 1 keeps it constant instead of dividing by zero.
        return (mean, sd > 1e-12 ? sd : 1.0);
    }
}
