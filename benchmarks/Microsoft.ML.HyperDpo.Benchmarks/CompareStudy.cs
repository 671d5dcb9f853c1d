using System.CommandLine;
using Microsoft.ML.HyperDpo.Cli;
using Microsoft.ML.HyperDpo.Comparison;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// The benchmarks program's <c>compare</c>: <c>hyperdpo compare</c> (the same code, <see cref="CompareCommand"/>) with the flags of a
/// study: <c>--long-lists</c> (the synthetic long-list benchmark instead of the user's data), <c>--benchmarks</c> and <c>--section</c>
/// (the run's summary as a named section of docs/benchmarks.md, rewritten after each set of objectives).
/// </summary>
internal sealed class CompareStudy : CompareCommand.ICompareStudy
{
    private readonly Option<bool> _longLists = new("--long-lists")
    {
        Description = "Instead of --mq2008/--train: the synthetic long-list benchmark (200 queries of 20-300 documents, relevance by threshold rules, " +
            "3 grades, 90% zero, a quarter of the queries with no relevant document; objectives Relevance and Quality, strongly correlated, Quality easier to learn), " +
            "on which a relevance corner is hardest to hold.",
    };

    private readonly Option<string?> _benchmarks = SharedOptions.BenchmarksPage("Also write the summary as a section of this Markdown file (e.g. docs/benchmarks.md), rewritten after each set of objectives.");

    private readonly Option<string?> _section = new("--section")
    {
        Description = "The name of that section (default: 'compare', or 'compare-long-lists' with --long-lists), so that runs of different objectives or methods can write their own.",
    };

    public static System.CommandLine.Command Create() => CompareCommand.Create(new CompareStudy());

    public IEnumerable<Option> Options => [_longLists, _benchmarks, _section];

    public void Check(ParseResult result) => CliPaths.RequireOutputFile(result.GetValue(_benchmarks), "--benchmarks");

    /// <summary>The long-list benchmark: <see cref="SyntheticRankingDataOptions.LongLists"/>, one split; null without --long-lists.</summary>
    public List<CompareCommand.ObjectiveSet>? Sets(ParseResult result, int seed) => !result.GetValue(_longLists) ? null :
    [
        new([SyntheticRankingData.RelevanceColumnName, SyntheticRankingData.QualityColumnName],
            "synthetic long lists: Relevance graded 0..2 by threshold rules, Quality 0..4, linear and correlated",
            ml =>
            {
                var data = SyntheticRankingData.GenerateSplits(ml, SyntheticRankingDataOptions.LongLists(seed));
                return [new ComparisonSplit("long-lists", data.Train, data.Validation, data.Test)];
            }),
    ];

    public string ReportPrefix(ParseResult result) => result.GetValue(_longLists) ? "compare-long-lists-" : "";

    public void Written(ParseResult result, IReadOnlyList<CompareCommand.Report> reports, int planned, TimeSpan wall)
    {
        if (result.GetValue(_benchmarks) is not { } benchmarks) return;
        bool longLists = result.GetValue(_longLists);
        string section = result.GetValue(_section) ?? (longLists ? "compare-long-lists" : "compare");
        BenchmarkReport.WriteSection(benchmarks, section, CompareBenchmarkSection.Render(reports, planned, wall.TotalSeconds, benchmarks, section, longLists));
        AnsiConsole.MarkupLine($"Section '{Markup.Escape(section)}' written to [bold]{Markup.Escape(benchmarks)}[/] ({reports.Count} of {planned} sets of objectives).");
    }
}
