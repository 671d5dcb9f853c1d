namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>Writes every report of a comparison next to each other.</summary>
public static class ComparisonReport
{
    /// <summary>
    /// Writes <c>{pathPrefix}.md</c> (<see cref="ComparisonMarkdown.Render"/>), <c>{pathPrefix}.csv</c> (<see cref="ComparisonCsv.Points"/>),
    /// <c>{pathPrefix}-summary.csv</c> (<see cref="ComparisonCsv.Summary"/>) and <c>{pathPrefix}.png</c> (<see cref="FrontPlot"/>); creates the folder.
    /// </summary>
    /// <param name="result">The comparison.</param>
    /// <param name="pathPrefix">Path and file name without extension, e.g. <c>reports/mq2008-pagerank</c>.</param>
    /// <param name="title">A heading for the Markdown file; null for none.</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Write(ComparisonResult result, string pathPrefix, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(pathPrefix);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pathPrefix))!);
        var written = new List<string>();
        void Text(string path, string content)
        {
            Microsoft.ML.HyperDpo.Persistence.AtomicFile.WriteAllText(path, content);
            written.Add(path);
        }
        Text(pathPrefix + ".md", (title is null ? "" : $"# {title}\n\n") + ComparisonMarkdown.Render(result));
        Text(pathPrefix + ".csv", ComparisonCsv.Points(result));
        Text(pathPrefix + "-summary.csv", ComparisonCsv.Summary(result));
        FrontPlot.Write(result, pathPrefix + ".png");
        written.Add(pathPrefix + ".png");
        return written;
    }
}
