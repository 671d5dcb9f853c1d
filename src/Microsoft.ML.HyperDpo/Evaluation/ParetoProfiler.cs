using System.Diagnostics;

namespace Microsoft.ML.HyperDpo.Evaluation;

/// <summary>
/// Traces a ranker's Pareto front on data: scores the data at every weight of a grid (the simplex lattice by default),
/// measures every objective's NDCG@1..k with <c>mlContext.Ranking.Evaluate</c> (one evaluation per objective label column),
/// keeps the non-dominated points and computes the hypervolume they dominate.
/// </summary>
/// <remarks>
/// Works for any ranker that can be set to a weight: a fitted HyperDPO model (<see cref="Profile(MLContext, HyperDpoRankingTransformer, IDataView, ParetoProfileOptions?)"/>)
/// or any function from weights to an ML.NET transformer that adds a score column (one model per weight, a score soup, ...).
/// Each group's rows must be contiguous, as ML.NET's ranking evaluator requires (LETOR files and
/// <c>LoadLetorFiles</c> give them so); the profiler checks that first and throws otherwise.
/// </remarks>
public static class ParetoProfiler
{
    /// <summary>Profiles a fitted HyperDPO model: the objectives are its label columns, and each weight is set with <see cref="HyperDpoRankingTransformer.WithObjectiveWeights"/>.</summary>
    /// <param name="mlContext">The ML.NET context whose evaluator measures NDCG.</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="data">Data with the model's feature column, every objective's label column and the group column.</param>
    /// <param name="options">Grid, truncation and hypervolume settings; null for the defaults.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, a column is missing, or a label is not a grade from 0 to
    /// <see cref="ObjectiveNdcg.MaxGrade"/>; the message names it.</exception>
    public static ParetoProfile Profile(MLContext mlContext, HyperDpoRankingTransformer model, IDataView data, ParetoProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Profile(mlContext, w => model.WithObjectiveWeights(w), data, model.Objectives, options);
    }

    /// <summary>Profiles any ranker that can be set to a weight vector.</summary>
    /// <param name="mlContext">The ML.NET context whose evaluator measures NDCG.</param>
    /// <param name="modelAt">Returns the transformer that ranks for the given weights (K values summing to 1); it must add <see cref="ParetoProfileOptions.ScoreColumnName"/>.</param>
    /// <param name="data">Data with the model's input columns, every objective's label column and the group column.</param>
    /// <param name="labelColumnNames">One graded label column per objective, in the order of the weights.</param>
    /// <param name="options">Grid, truncation and hypervolume settings; null for the defaults.</param>
    /// <returns>The profile.</returns>
    /// <exception cref="ArgumentException">A setting is invalid, a column is missing, a group's rows are not contiguous, or a label is not a
    /// grade from 0 to <see cref="ObjectiveNdcg.MaxGrade"/>; the message names it.</exception>
    public static ParetoProfile Profile(MLContext mlContext, Func<float[], ITransformer> modelAt, IDataView data,
        IReadOnlyList<string> labelColumnNames, ParetoProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(modelAt);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labelColumnNames);
        options ??= new ParetoProfileOptions();
        int objectives = labelColumnNames.Count;
        if (objectives < 1)
            throw new ArgumentException("At least one label column is needed.", nameof(labelColumnNames));
        foreach (string label in labelColumnNames)
            Data.ColumnChecks.Label(data.Schema, label);
        Data.ColumnChecks.GroupKey(data.Schema, options.RowGroupColumnName);
        options.Validate(objectives);

        var grid = options.Grid(objectives);
        var cached = mlContext.Data.Cache(data);
        ContiguousGroups.Require(cached, options.RowGroupColumnName, "ParetoProfiler.Profile");
        // The labels are the same at every weight: their grades (and so the gains table) are read once.
        var evaluatorOptions = ObjectiveNdcg.EvaluatorOptions(cached, labelColumnNames, options.NdcgAt);
        var points = new List<WeightedNdcg>(grid.Count);
        var scoring = TimeSpan.Zero;
        foreach (float[] w in grid)
        {
            var transformer = modelAt((float[])w.Clone())
                ?? throw new InvalidOperationException($"The model function returned null for weights ({string.Join(", ", w)}).");
            // The scores are computed once into a cache (timed), then read by each objective's evaluation.
            var scored = mlContext.Data.Cache(transformer.Transform(cached));
            var score = scored.Schema.GetColumnOrNull(options.ScoreColumnName)
                ?? throw new ArgumentException($"The model for weights ({string.Join(", ", w)}) adds no '{options.ScoreColumnName}' column.", nameof(modelAt));
            var clock = Stopwatch.StartNew();
            using (var cursor = scored.GetRowCursor(new[] { score }))
            {
                var getter = cursor.GetGetter<float>(score);
                float value = 0;
                while (cursor.MoveNext()) getter(ref value);
            }
            scoring += clock.Elapsed;
            points.Add(new WeightedNdcg(w, ObjectiveNdcg.MeasureContiguous(mlContext, scored, labelColumnNames, evaluatorOptions, options.RowGroupColumnName, options.ScoreColumnName)));
        }
        return FromPoints(labelColumnNames, points, options, scoring);
    }

    /// <summary>
    /// Builds a profile from NDCG already measured (e.g. averaged over folds, or read back from a report): finds the
    /// front and computes the hypervolume of NDCG@<see cref="ParetoProfileOptions.NdcgAt"/> as <see cref="Profile(MLContext, Func{float[], ITransformer}, IDataView, IReadOnlyList{string}, ParetoProfileOptions?)"/> does.
    /// </summary>
    /// <param name="labelColumnNames">The objectives, in the order of the weights.</param>
    /// <param name="points">Measured points; each NDCG array holds at least <see cref="ParetoProfileOptions.NdcgAt"/> values per objective.</param>
    /// <param name="options">Truncation and hypervolume settings; null for the defaults.</param>
    /// <param name="scoringTime">Scoring time to report, if known.</param>
    /// <returns>The profile.</returns>
    public static ParetoProfile FromPoints(IReadOnlyList<string> labelColumnNames, IReadOnlyList<WeightedNdcg> points,
        ParetoProfileOptions? options = null, TimeSpan scoringTime = default)
    {
        ArgumentNullException.ThrowIfNull(labelColumnNames);
        ArgumentNullException.ThrowIfNull(points);
        options ??= new ParetoProfileOptions();
        int objectives = labelColumnNames.Count;
        options.Validate(objectives);
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].Ndcg.Length != objectives || points[i].Weights.Length != objectives)
                throw new ArgumentException($"Point {i} has {points[i].Weights.Length} weights and {points[i].Ndcg.Length} NDCG vectors; there are {objectives} objectives.", nameof(points));
            if (points[i].Ndcg.Any(n => n.Length < options.NdcgAt))
                throw new ArgumentException($"Point {i} has NDCG measured to fewer than {options.NdcgAt} positions ({nameof(options.NdcgAt)}).", nameof(points));
        }

        var vectors = points.Select(p => p.At(options.NdcgAt)).ToList();
        var front = ParetoFront.NonDominatedIndices(vectors);
        double[] reference = options.ReferencePoint?.ToArray() ?? new double[objectives];
        bool exact = options.HypervolumeMethod switch
        {
            HypervolumeMethod.Exact => true,
            HypervolumeMethod.MonteCarlo => false,
            _ => Math.Pow(Math.Max(1, front.Count), objectives - 1) <= options.ExactCostLimit,
        };
        var volume = exact
            ? new HypervolumeEstimate(Evaluation.Hypervolume.Compute(vectors, reference), 0.0)
            : Evaluation.Hypervolume.MonteCarlo(vectors, reference, options.MonteCarloSamples, options.MonteCarloSeed);
        return new ParetoProfile(labelColumnNames.ToArray(), points, options.NdcgAt, front, reference, volume, exact, scoringTime);
    }
}
