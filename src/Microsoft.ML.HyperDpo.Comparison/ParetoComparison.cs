using System.Diagnostics;
using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// Runs HyperDPO and the baselines on the same splits in one run: every method is fitted on each split's training data (early
/// stopping, where a method has it, on the split's validation data) and its front is measured on the split's test data at the
/// same weight grid, with ML.NET's evaluator. Cross-validation is a list of splits (e.g. MQ2008's five folds).
/// </summary>
/// <example>
/// <code>
/// var result = ParetoComparison.Run(mlContext, folds, new ParetoComparisonOptions { LabelColumnNames = new[] { "Label", "PageRank" } });
/// ComparisonReport.Write(result, "reports/pagerank");   // .md, .csv, -summary.csv, .png
/// </code>
/// </example>
public static class ParetoComparison
{
    /// <summary>
    /// Fits and measures every method on every split, at each of <see cref="ParetoComparisonOptions.SeedCount"/> seeds (once per split
    /// for a method that draws nothing at random); keeps each test query's NDCG for the bootstrap intervals of <see cref="ComparisonResult.Ratios"/>.
    /// </summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="splits">The splits (folds), each with training and test data and, optionally, validation data.</param>
    /// <param name="options">Objectives, methods, grid and seed.</param>
    /// <param name="progress">Receives a report after each fit and each front evaluation; may be null.</param>
    /// <returns>Each method on each split, and per-method means and standard deviations.</returns>
    /// <exception cref="ArgumentException">An option is invalid, or there is no split; the message names it.</exception>
    public static ComparisonResult Run(MLContext mlContext, IReadOnlyList<ComparisonSplit> splits, ParetoComparisonOptions options,
        IProgress<ComparisonProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(splits);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (splits.Count == 0)
            throw new ArgumentException("A comparison needs at least one split.", nameof(splits));
        if (splits.Select(s => s.Name).Distinct().Count() != splits.Count)
            throw new ArgumentException($"Two splits share a name: {string.Join(", ", splits.Select(s => s.Name))}.", nameof(splits));

        // Before any fit: each test part is evaluated per group, which needs each group's rows together.
        foreach (var split in splits)
            ContiguousGroups.Require(split.Test, options.RowGroupColumnName, $"ParetoComparison.Run (test data of split '{split.Name}')");

        // Also before any fit: the test labels alone decide each split's chance point, and a label that is not a grade fails here.
        var chanceByQuery = splits.Select(s => ChanceNdcg.ByQuery(mlContext, s.Test, options.LabelColumnNames, options.RowGroupColumnName, options.NdcgAt)).ToList();

        var methods = options.Methods ?? FrontMethods.All();
        int objectives = options.LabelColumnNames.Length;
        var grid = SimplexLattice.Points(objectives, options.GridDivisions ?? ParetoProfileOptions.DefaultGridDivisions(objectives));
        var profileOptions = options.ProfileOptions(grid);
        var seeds = options.Seeds;
        IReadOnlyList<int?> SeedsOf(FrontMethod m) => m.UsesSeed ? seeds.Select(s => (int?)s).ToList() : new int?[] { null };
        var done = methods.ToDictionary(m => m.Name, _ => 0);
        var total = methods.ToDictionary(m => m.Name, m => splits.Count * SeedsOf(m).Count * (m.FitCount(objectives, grid.Count) + 1));
        var runs = new List<MethodRun>();
        var clock = Stopwatch.StartNew();
        foreach (var split in splits)
        {
            foreach (var method in methods)
            {
                // A method that draws nothing at random is fitted once per split (seed null) and stands for every seed.
                foreach (int? seed in SeedsOf(method))
                {
                    void Step() => progress?.Report(new ComparisonProgress(method.Name, split.Name, ++done[method.Name], total[method.Name]));
                    var context = new FrontFitContext(mlContext, split, options.LabelColumnNames, options.FeatureColumnName, options.RowGroupColumnName,
                        grid, seed ?? options.Seed, Step);
                    var fitted = method.Fit(context);
                    var profile = ParetoProfiler.Profile(mlContext, fitted.ModelAt, split.Test, options.LabelColumnNames, profileOptions);
                    var queries = QueryNdcg.Measure(mlContext, fitted.ModelAt, split.Test, options.LabelColumnNames, options.RowGroupColumnName,
                        profileOptions.ScoreColumnName, grid, profileOptions.NdcgAt);
                    Step();
                    runs.Add(new MethodRun(method.Key, method.Name, split.Name, profile, fitted.TrainingTime, fitted.Fits) { Seed = seed, Queries = queries });
                }
            }
        }
        return new ComparisonResult(options.LabelColumnNames, grid, splits.Select(s => s.Name).ToList(), methods.Select(m => (m.Key, m.Name)).ToList(),
            runs, profileOptions, clock.Elapsed, seeds, options.BootstrapReplicates, options.Seed, chanceByQuery);
    }
}
