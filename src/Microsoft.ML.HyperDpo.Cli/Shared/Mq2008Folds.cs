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

    /// <summary>Reads "1-5", "1,3" or "2" (the value of <c>--folds</c>) as fold numbers 1..5, ascending and distinct.</summary>
    public static IReadOnlyList<int> Parse(string text) => NumberList.ParseRanges(text, "--folds", 1, 5);
}
