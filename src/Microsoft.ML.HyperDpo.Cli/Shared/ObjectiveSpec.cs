using System.Globalization;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// One objective named on the command line: <c>label</c> (the file's graded relevance) or
/// <c>feature:N:higher|lower[:Name]</c> (LETOR feature id N, 1-based, graded 0..4 by its rank within each query and
/// removed from the model's inputs; the label column is called Name, or FeatureN).
/// </summary>
internal sealed record ObjectiveSpec(string ColumnName, int? FeatureId, FeatureDirection Direction)
{
    public static IReadOnlyList<ObjectiveSpec> ParseList(string text)
    {
        var specs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse).ToList();
        if (specs.Count < 2)
            throw new ArgumentException($"--objectives needs at least two objectives, e.g. 'label,feature:41:higher'; got '{text}'.");
        if (specs.Count(s => s.FeatureId is null) > 1)
            throw new ArgumentException($"--objectives names 'label' more than once: '{text}'.");
        var repeated = specs.Where(s => s.FeatureId is not null).GroupBy(s => s.FeatureId).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
            throw new ArgumentException($"--objectives names feature {repeated.Key} more than once: '{text}'.");
        var sameName = specs.GroupBy(s => s.ColumnName, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (sameName is not null)
            throw new ArgumentException($"--objectives gives two objectives the column name '{sameName.Key}': '{text}'.");
        return specs;
    }

    private static ObjectiveSpec Parse(string token)
    {
        if (token.Equals("label", StringComparison.OrdinalIgnoreCase))
            return new ObjectiveSpec("Label", null, FeatureDirection.HigherIsBetter);
        var parts = token.Split(':');
        if (parts.Length is 3 or 4 && parts[0].Equals("feature", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id >= 1)
        {
            var direction = parts[2].ToLowerInvariant() switch
            {
                "higher" => FeatureDirection.HigherIsBetter,
                "lower" => FeatureDirection.LowerIsBetter,
                _ => throw new ArgumentException($"Objective '{token}': the direction must be 'higher' or 'lower', not '{parts[2]}'."),
            };
            string name = parts.Length == 4 ? parts[3] : $"Feature{id}";
            if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
                throw new ArgumentException($"Objective '{token}': the column name '{name}' must be letters, digits or '_'.");
            return new ObjectiveSpec(name, id, direction);
        }
        throw new ArgumentException($"Objective '{token}' is not understood: use 'label' or 'feature:N:higher' / 'feature:N:lower' with N the 1-based LETOR feature id, optionally followed by ':Name' for the label column.");
    }
}
