using System.Globalization;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>Comma-separated numbers given to a flag (weights, temperatures), read in the invariant culture.</summary>
internal static class NumberList
{
    /// <summary>
    /// The numbers of <paramref name="text"/>; an error names <paramref name="flag"/> and the first entry that is not a finite
    /// number (or, with <paramref name="positive"/>, not above 0), or says that the list is empty.
    /// </summary>
    public static float[] Parse(string text, string flag, bool positive = false)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) && (!positive || v > 0)
                ? v : throw new ArgumentException($"{flag}: '{t}' is not a {(positive ? "positive " : "")}number."))
            .ToArray();
        return values.Length > 0 ? values : throw new ArgumentException($"{flag} names no value.");
    }

    /// <summary>
    /// The whole numbers of <paramref name="text"/>, each at least <paramref name="minimum"/>; an error names <paramref name="flag"/>
    /// and the first entry that is not one, or says that the list is empty.
    /// </summary>
    public static int[] ParseCounts(string text, string flag, int minimum = 1)
    {
        var values = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= minimum
                ? v : throw new ArgumentException($"{flag}: '{t}' is not a whole number of at least {minimum}."))
            .ToArray();
        return values.Length > 0 ? values : throw new ArgumentException($"{flag} names no value.");
    }
}
