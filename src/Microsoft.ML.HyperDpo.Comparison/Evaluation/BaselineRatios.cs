using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>One measure of a method over the same measure of the baseline, averaged over the fold x seed runs, with its interval.</summary>
/// <param name="Interval">The mean over runs of the per-run ratio, and its paired bootstrap interval (<see cref="BaselineRatios"/>).</param>
/// <param name="PerRun">The ratio of each fold x seed pair of runs, on all of its test queries, fold by fold.</param>
public sealed record RatioToBaseline(BootstrapInterval Interval, IReadOnlyList<double> PerRun)
{
    /// <summary>The lowest per-run ratio (one fold at one seed).</summary>
    public double Lowest => PerRun.Min();

    /// <summary>How many fold x seed pairs of runs the mean is over.</summary>
    public int Runs => PerRun.Count;

    /// <summary>How many runs end below 1.0x the baseline.</summary>
    public int RunsBelowOne => PerRun.Count(r => r < 1.0);

    /// <summary>Whether the interval excludes 1.0: only then does the report call the method better (or worse) than the baseline.</summary>
    public bool Significant => Interval.Excludes(1.0);
}

/// <summary>A method's hypervolume and corners over the baseline's.</summary>
/// <param name="Key">The method's key.</param>
/// <param name="Method">The method's name.</param>
/// <param name="Hypervolume">Its test hypervolume over the baseline's.</param>
/// <param name="Corners">Per objective k: its NDCG@k at the corner e_k over the baseline's at e_k (for the score soup: the FastTree model trained on k alone).</param>
/// <param name="HypervolumeFromChance">Its test hypervolume from the split's chance point over the baseline's, the chance point recomputed
/// on every resample from the drawn queries (<see cref="ComparisonResult.ChanceByQuery"/>); null when the per-query chance NDCG does
/// not cover the runs' test queries or when the baseline's volume from chance is 0 on the data or on a resample.</param>
/// <param name="HypervolumeFromChanceNotMeasured">Why <paramref name="HypervolumeFromChance"/> is null; null when it is measured.</param>
public sealed record MethodRatios(string Key, string Method, RatioToBaseline Hypervolume, IReadOnlyList<RatioToBaseline> Corners,
    RatioToBaseline? HypervolumeFromChance, string? HypervolumeFromChanceNotMeasured);

/// <summary>
/// Each method against a baseline (the FastTree score soup by default) on the same folds, seeds and test queries: the mean over
/// fold x seed runs of the ratio of a measure (hypervolume from the origin and from the split's chance point; each objective's
/// NDCG@k at its corner), with a paired, stratified percentile bootstrap interval.
/// </summary>
/// <remarks>
/// <para>
/// One resample draws, within every fold on its own, the fold's test queries with replacement and the fold's seeds with
/// replacement. Both methods are measured on the same drawn queries (paired: a query that is hard for one is hard for the
/// other, which is most of the variance), and every measure is recomputed from the per-query NDCG on the resample: each grid
/// point's mean NDCG, then the fronts and both hypervolumes; from chance, the chance point too, as the mean of the drawn queries'
/// expected chance NDCG. Folds are not resampled: they are the benchmark's fixed design,
/// and five are too few to resample. So the interval covers the two sources of noise a rerun on new queries would see, the
/// test queries and the training seed; a method whose every seed is the same fit (<see cref="FrontMethod.UsesSeed"/> false)
/// is paired with each seed of the other.
/// </para>
/// <para>
/// Over queries rather than over the fold x seed ratios: 5 folds x 3 seeds are 15 numbers, and the 3 seeds of a fold share its
/// test queries, so they are not 15 independent draws; the ~150 test queries of each fold are, and they are where the
/// validation-to-test gap comes from.
/// </para>
/// </remarks>
public static class BaselineRatios
{
    /// <summary>The baseline of <see cref="ComparisonResult.Ratios"/>: the FastTree score soup.</summary>
    public const string DefaultBaselineKey = FrontMethodKeys.FastTreeSoup;

    /// <summary>Every other method's ratios to <paramref name="baselineKey"/>; empty when the baseline did not run or runs lack per-query NDCG.</summary>
    /// <param name="result">The comparison.</param>
    /// <param name="baselineKey">The baseline method's key.</param>
    /// <param name="replicates">Bootstrap resamples.</param>
    /// <param name="seed">Seed of the resampling.</param>
    /// <param name="confidence">Confidence level of the intervals. Default 0.95.</param>
    /// <param name="methodKeys">Only these methods (e.g. the one a target is about); null for every method.</param>
    public static IReadOnlyList<MethodRatios> Of(ComparisonResult result, string baselineKey, int replicates, int seed, double confidence = 0.95,
        IReadOnlyCollection<string>? methodKeys = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var baseline = result.Runs.Where(r => r.Key == baselineKey).ToList();
        var ratios = new List<MethodRatios>();
        if (baseline.Count == 0 || baseline.Any(r => r.Queries is null))
            return ratios;
        int objectives = result.Objectives.Count;
        var corners = Enumerable.Range(0, objectives).Select(j => Enumerable.Range(0, result.Grid.Count).First(p => result.Grid[p][j] == 1f)).ToArray();
        var reference = baseline[0].TestProfile.ReferencePoint.ToArray();
        foreach (var (key, name) in result.MethodKeys.Zip(result.Methods))
        {
            if (key == baselineKey || (methodKeys is not null && !methodKeys.Contains(key))) continue;
            var runs = result.Runs.Where(r => r.Key == key).ToList();
            if (runs.Any(r => r.Queries is null)) continue;
            // Per fold, every (method run, baseline run) pair at the same seed; a seed-less run pairs with every seed of the other.
            var folds = result.Splits.Select(split => runs.Where(r => r.Split == split)
                .SelectMany(m => baseline.Where(b => b.Split == split && (m.Seed is null || b.Seed is null || m.Seed == b.Seed)).Select(b => (Method: m, Base: b)))
                .ToList()).ToList();
            if (folds.Any(f => f.Count == 0)) continue;

            // zeroBaselineUndefined: a baseline measure of 0 on the data or on any resample leaves the ratio undefined (null) instead
            // of failing; a front with no point above chance on every objective has no volume from chance.
            RatioToBaseline? Ratio(Func<MethodRun, int[], double> measure, bool zeroBaselineUndefined = false)
            {
                bool undefined = false;
                var sizes = folds.SelectMany(f => new[] { f[0].Base.Queries!.QueryCount, f.Count }).ToArray();
                double Statistic(int[][] counts)
                {
                    double sum = 0;
                    long n = 0;
                    for (int f = 0; f < folds.Count; f++)
                    {
                        int[] queries = counts[2 * f], pairs = counts[2 * f + 1];
                        var memo = new Dictionary<MethodRun, double>();
                        double Measure(MethodRun run) => memo.TryGetValue(run, out double v) ? v : memo[run] = measure(run, queries);
                        for (int i = 0; i < pairs.Length; i++)
                        {
                            if (pairs[i] == 0) continue;
                            double baseValue = Measure(folds[f][i].Base);
                            if (zeroBaselineUndefined && baseValue <= 0)
                            {
                                undefined = true;
                                continue;
                            }
                            sum += pairs[i] * Measure(folds[f][i].Method) / baseValue;
                            n += pairs[i];
                        }
                    }
                    return n == 0 ? 0 : sum / n;
                }
                var interval = Bootstrap.Percentile(sizes, Statistic, replicates, seed, confidence);
                if (undefined) return null;
                var perRun = folds.SelectMany(f => f).Select(pair =>
                {
                    var all = Enumerable.Repeat(1, pair.Base.Queries!.QueryCount).ToArray();
                    return measure(pair.Method, all) / measure(pair.Base, all);
                }).ToList();
                return new RatioToBaseline(interval, perRun);
            }

            if (runs.Concat(baseline).Any(r => r.Queries!.QueryCount != baseline.First(b => b.Split == r.Split).Queries!.QueryCount))
                throw new InvalidOperationException($"{name} and the baseline were measured on different numbers of test queries; a paired bootstrap needs the same queries.");
            var hypervolume = Ratio((run, counts) =>
                Evaluation.Hypervolume.Compute(run.Queries!.Means(counts), reference))!;
            var cornerRatios = Enumerable.Range(0, objectives).Select(j => Ratio((run, counts) => run.Queries!.Mean(corners[j], j, counts))!).ToList();
            // The chance point of the same drawn queries as the fronts': a query drawn twice counts twice in both.
            bool chanceCoversQueries = runs.All(r => result.ChanceByQuery[result.IndexOfSplit(r.Split)].All(q => q.Length == r.Queries!.QueryCount));
            var fromChance = chanceCoversQueries
                ? Ratio((run, counts) => Evaluation.Hypervolume.Compute(run.Queries!.Means(counts), ChanceNdcg.Point(result.ChanceByQuery[result.IndexOfSplit(run.Split)], counts)),
                    zeroBaselineUndefined: true)
                : null;
            string? notMeasured = !chanceCoversQueries ? "no per-query chance NDCG for these test queries"
                : fromChance is null ? "the baseline's front has no volume above chance on some resample of the queries (a ratio to 0)" : null;
            ratios.Add(new MethodRatios(key, name, hypervolume, cornerRatios, fromChance, notMeasured));
        }
        return ratios;
    }
}
