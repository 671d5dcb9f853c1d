using System.Globalization;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>
/// LETOR 4.0 MQ2008's standard five folds (shared/data/letor4-mq2008/SOURCE.md): fold k trains on S_k, S_k+1, S_k+2, validates on
/// S_k+3 and tests on S_k+4, indices modulo 5 (Fold1: train S1-S3, validation S4, test S5).
/// </summary>
internal static class Mq2008Folds
{
    /// <summary>The part files (train, validation, test) of fold <paramref name="fold"/> (1..5) in <paramref name="folder"/>.</summary>
    public static (string[] Train, string[] Validation, string[] Test) Files(string folder, int fold)
    {
        string Part(int offset)
        {
            string path = Path.Combine(folder, $"S{(fold - 1 + offset) % 5 + 1}.txt");
            return File.Exists(path) ? path
                : throw new FileNotFoundException($"MQ2008 file '{path}' not found; pass --mq2008 with the folder holding S1.txt..S5.txt.", path);
        }
        return (new[] { Part(0), Part(1), Part(2) }, new[] { Part(3) }, new[] { Part(4) });
    }

    /// <summary>Reads "1-5", "1,3" or "2" as fold numbers 1..5, ascending and distinct.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        var folds = new SortedSet<int>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            if (range.Length is 1 or 2 && range.All(r => int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out int f) && f is >= 1 and <= 5))
            {
                int from = int.Parse(range[0], CultureInfo.InvariantCulture), to = int.Parse(range[^1], CultureInfo.InvariantCulture);
                if (from <= to)
                {
                    for (int f = from; f <= to; f++) folds.Add(f);
                    continue;
                }
            }
            throw new ArgumentException($"--folds '{text}': '{part}' is not a fold number 1..5 or a range such as 1-5.");
        }
        if (folds.Count == 0)
            throw new ArgumentException($"--folds '{text}' names no fold; use e.g. 1-5 or 1,3.");
        return folds.ToList();
    }
}
