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

    /// <summary>
    /// Whole numbers and ranges of them ("1-5", "1,3", "2") from <paramref name="minimum"/> to <paramref name="maximum"/>, ascending and
    /// distinct; an error names <paramref name="flag"/> and the first entry that is neither, or says that the list is empty.
    /// </summary>
    public static IReadOnlyList<int> ParseRanges(string text, string flag, int minimum, int maximum)
    {
        var values = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var ends = part.Split('-');
            var numbers = ends.Select(e => int.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v >= minimum && v <= maximum ? v : (int?)null).ToArray();
            if (numbers.Length is not (1 or 2) || numbers.Any(n => n is null) || numbers[0] > numbers[^1])
                throw new ArgumentException($"{flag}: '{part}' is not a whole number from {minimum} to {maximum} or a range of them such as {minimum}-{maximum}.");
            for (int v = numbers[0]!.Value; v <= numbers[^1]!.Value; v++) values.Add(v);
        }
        return values.Count > 0 ? values.ToList() : throw new ArgumentException($"{flag} names no value.");
    }
}
