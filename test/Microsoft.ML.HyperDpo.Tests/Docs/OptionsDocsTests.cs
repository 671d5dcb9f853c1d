using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Microsoft.ML.HyperDpo.Tests.Docs;

/// <summary>
/// Every public trainer option is reachable from a new <see cref="HyperDpoRankingTrainer.Options"/> (top level or through a
/// group that is never null), has a row of its own in docs/options.md under its full path, and has an API doc that says what
/// it does in a sentence or two, without the benchmark figures that belong in docs/options.md.
/// </summary>
[TestClass]
public class OptionsDocsTests
{
    /// <summary>Every settable option by its full path, found by walking the public type itself (not the library's own list).</summary>
    private static List<(string Path, PropertyInfo Property)> PublicOptions()
    {
        var options = new HyperDpoRankingTrainer.Options();
        var found = new List<(string, PropertyInfo)>();
        foreach (var p in typeof(HyperDpoRankingTrainer.Options).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.SetMethod is { IsPublic: true })
            {
                found.Add((p.Name, p));
                continue;
            }
            // A group: a get-only property holding an object of settable options, created with the options.
            object group = p.GetValue(options);
            Assert.IsNotNull(group, $"Options.{p.Name} is never null, so `options.{p.Name}.X = ...` always works");
            var leaves = p.PropertyType.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(q => q.SetMethod is { IsPublic: true }).ToList();
            Assert.IsNotEmpty(leaves, $"Options.{p.Name} holds options");
            found.AddRange(leaves.Select(q => ($"{p.Name}.{q.Name}", q)));
        }
        return found;
    }

    [TestMethod]
    public void EveryPublicOptionHasARowInOptionsMd()
    {
        var options = PublicOptions();
        // The 53 flat settings of the previous design, less the two reference kinds folded into References.Source, plus Checkpointing.Resume,
        // plus the seven added since: Optimiser.EnsembleSize, Validation.Grids, Validation.RefitOnValidationData,
        // References.ConditionedModel, References.ConditionedFeatureColumnName, References.Reweighting and Network.TransformerDocumentScorer.
        Assert.HasCount(59, options, string.Join(", ", options.Select(o => o.Path)));
        string doc = File.ReadAllText(Path.Combine(ChildProcess.RepositoryRoot(), "docs", "options.md"));
        // The option column of the options table: every `name` in the first cell of its rows.
        var table = doc.Split('\n').SkipWhile(l => !l.StartsWith("| option | default |", StringComparison.Ordinal)).TakeWhile(l => l.StartsWith('|'));
        var documented = table.Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l.Split(" | ")[0], "`([A-Za-z.]+)`").Select(m => m.Groups[1].Value)).ToHashSet();
        var missing = options.Select(o => o.Path).Where(p => !documented.Contains(p)).ToList();
        Assert.IsEmpty(missing, "docs/options.md has no row for " + string.Join(", ", missing));
        var stale = documented.Where(d => !options.Any(o => o.Path == d)).ToList();
        Assert.IsEmpty(stale, "docs/options.md documents options that do not exist: " + string.Join(", ", stale));
    }

    [TestMethod]
    public void EveryOptionsApiDocIsShortAndHoldsNoBenchmarkFigures()
    {
        string xmlPath = Path.ChangeExtension(typeof(HyperDpoRankingTrainer).Assembly.Location, ".xml");
        Assert.IsTrue(File.Exists(xmlPath), xmlPath);
        var members = XDocument.Load(xmlPath).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!, m => m);
        // A figure such as 0.4431, 1.019x or 7.3 s is a measurement: docs/options.md holds those.
        var figure = new Regex(@"\d\.\d{3,}|\d\.\d+x|\d+(\.\d+)? s\b|\d+(\.\d+)?%");
        foreach (var (path, property) in PublicOptions())
        {
            string id = "P:" + property.DeclaringType!.FullName!.Replace('+', '.') + "." + property.Name;
            Assert.IsTrue(members.TryGetValue(id, out var member), $"{path} has an API doc ({id})");
            string summary = Regex.Replace(string.Concat(member.Element("summary")!.DescendantNodes().OfType<XText>().Select(t => t.Value)), @"\s+", " ").Trim();
            Assert.IsNotEmpty(summary, path);
            Assert.IsLessThanOrEqualTo(400, summary.Length, $"{path}'s API doc is a tooltip, not a page: {summary}");
            // The default itself is a number the doc must give.
            string withoutDefault = Regex.Replace(summary, @"[Dd]efault:? [\d.,]+", "");
            Assert.IsFalse(figure.IsMatch(withoutDefault), $"{path}'s API doc holds a benchmark figure: {summary}");
        }
    }
}
