using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Settings of <see cref="ParetoComparison"/>.</summary>
public sealed class ParetoComparisonOptions
{
    /// <summary>One graded label column per objective (K &gt;= 2), higher is better, in the order of the weights.</summary>
    public string[] LabelColumnNames { get; set; } = Array.Empty<string>();

    /// <summary>The feature vector column. Default <c>Features</c>.</summary>
    public string FeatureColumnName { get; set; } = "Features";

    /// <summary>The query (group) key column. Default <c>GroupId</c>.</summary>
    public string RowGroupColumnName { get; set; } = "GroupId";

    /// <summary>The methods to compare, in report order. Null: <see cref="FrontMethods.All"/> with default options.</summary>
    public IReadOnlyList<FrontMethod>? Methods { get; set; }

    /// <summary>Step 1/m of the simplex lattice every method is trained and measured at. Null: 10 for K = 2, 4 for K = 3, 2 beyond.</summary>
    public int? GridDivisions { get; set; }

    /// <summary>The k of NDCG@k that defines each front and its hypervolume; NDCG@1..k are all measured. Default 10.</summary>
    public int NdcgAt { get; set; } = 10;

    /// <summary>The hypervolume's reference point (one value per objective). Null: the origin.</summary>
    public double[]? ReferencePoint { get; set; }

    /// <summary>Seed of every fit (the first seed when <see cref="SeedCount"/> is above 1). Default 1.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>
    /// How many seeds each method is fitted with on each split: <see cref="Seed"/>, <see cref="Seed"/> + 1, ... A method that draws
    /// nothing at random (<see cref="FrontMethod.UsesSeed"/> false) is fitted once per split. Default 1.
    /// </summary>
    public int SeedCount { get; set; } = 1;

    /// <summary>Resamples of the bootstrap intervals of <see cref="ComparisonResult.Ratios"/>. Default <see cref="Bootstrap.DefaultReplicates"/>.</summary>
    public int BootstrapReplicates { get; set; } = Bootstrap.DefaultReplicates;

    /// <summary>The seeds of the fits: <see cref="SeedCount"/> consecutive seeds from <see cref="Seed"/>.</summary>
    internal IReadOnlyList<int> Seeds => Enumerable.Range(0, SeedCount).Select(i => Seed + i).ToList();

    /// <summary>The profiler settings these options imply, for the grid <paramref name="grid"/>.</summary>
    internal ParetoProfileOptions ProfileOptions(IReadOnlyList<float[]> grid) => new()
    {
        Weights = grid,
        NdcgAt = NdcgAt,
        ReferencePoint = ReferencePoint,
        RowGroupColumnName = RowGroupColumnName,
    };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    internal void Validate()
    {
        if (LabelColumnNames is null || LabelColumnNames.Length < 2)
            throw new ArgumentException($"{nameof(LabelColumnNames)} must name at least two label columns; got {LabelColumnNames?.Length ?? 0}.", nameof(LabelColumnNames));
        if (LabelColumnNames.Distinct().Count() != LabelColumnNames.Length)
            throw new ArgumentException($"{nameof(LabelColumnNames)} names a column twice: {string.Join(", ", LabelColumnNames)}.", nameof(LabelColumnNames));
        if (GridDivisions is < 1)
            throw new ArgumentException($"{nameof(GridDivisions)} must be at least 1 or null; got {GridDivisions}.", nameof(GridDivisions));
        if (SeedCount < 1)
            throw new ArgumentException($"{nameof(SeedCount)} must be at least 1; got {SeedCount}.", nameof(SeedCount));
        if ((long)Seed + SeedCount - 1 > int.MaxValue)
            throw new ArgumentException($"{nameof(Seed)} {Seed} with {nameof(SeedCount)} {SeedCount} goes past the largest seed, {int.MaxValue}.", nameof(SeedCount));
        if (BootstrapReplicates < 1)
            throw new ArgumentException($"{nameof(BootstrapReplicates)} must be at least 1; got {BootstrapReplicates}.", nameof(BootstrapReplicates));
        if (NdcgAt < 1)
            throw new ArgumentException($"{nameof(NdcgAt)} must be at least 1; got {NdcgAt}.", nameof(NdcgAt));
        if (Methods is { Count: 0 })
            throw new ArgumentException($"{nameof(Methods)} is empty; give at least one method, or null for all.", nameof(Methods));
        if (Methods is not null && Methods.Select(m => m.Name).Distinct().Count() != Methods.Count)
            throw new ArgumentException($"{nameof(Methods)} has two methods of the same name: {string.Join(", ", Methods.Select(m => m.Name))}.", nameof(Methods));
        if (Methods is not null && Methods.Select(m => m.Key).Distinct().Count() != Methods.Count)
            throw new ArgumentException($"{nameof(Methods)} has two methods with the same key: {string.Join(", ", Methods.Select(m => m.Key))}.", nameof(Methods));
    }
}
