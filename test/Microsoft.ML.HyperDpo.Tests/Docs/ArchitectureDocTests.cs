using System.Text.RegularExpressions;
using Microsoft.ML.HyperDpo.Tests.Cli;

namespace Microsoft.ML.HyperDpo.Tests.Docs;

/// <summary>
/// docs/architecture.md and the tree agree both ways: every project and every source folder is named, every file or folder
/// it names exists, and its command table is the tool's <c>--help</c>.
/// </summary>
[TestClass]
public class ArchitectureDocTests
{
    private static readonly Regex Code = new("`([^`]+)`", RegexOptions.Compiled);

    private static string Root => ChildProcess.RepositoryRoot();

    /// <summary>The page's sections: heading line, then its lines.</summary>
    private static List<(string Heading, List<string> Lines)> Sections()
    {
        var sections = new List<(string, List<string>)> { ("", new List<string>()) };
        foreach (string line in File.ReadAllLines(Path.Combine(Root, "docs", "architecture.md")))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal) || line.StartsWith("### ", StringComparison.Ordinal)) sections.Add((line, new List<string>()));
            else sections[^1].Item2.Add(line);
        }
        return sections;
    }

    /// <summary>The project folder a section is about (its heading names it), or null.</summary>
    private static string ProjectOf(string heading) => Code.Match(heading) is { Success: true } m && Directory.Exists(Path.Combine(Root, m.Groups[1].Value)) ? m.Groups[1].Value : null;

    /// <summary>The project folders of the source tree: every folder under src/ and benchmarks/ that holds a project file.</summary>
    private static IEnumerable<string> SourceProjects() => new[] { "src", "benchmarks" }
        .Where(top => Directory.Exists(Path.Combine(Root, top)))
        .SelectMany(top => Directory.EnumerateDirectories(Path.Combine(Root, top)))
        .Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
        .Select(d => Path.GetRelativePath(Root, d).Replace('\\', '/'));

    private static bool IsPath(string token) => !token.Contains(' ') && !token.Contains('<')
        && (token.EndsWith(".cs", StringComparison.Ordinal) || token.EndsWith('/') || token.Contains('/'));

    private static bool Exists(string folder, string token)
    {
        string path = Path.Combine(folder, token.TrimEnd('/'));
        if (token.Contains('*'))
            return Directory.Exists(Path.GetDirectoryName(path)) && Directory.EnumerateFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path)).Any();
        return token.EndsWith('/') ? Directory.Exists(path) : File.Exists(path) || Directory.Exists(path);
    }

    [TestMethod]
    public void EveryProjectAndEverySourceFolderIsNamed()
    {
        var sections = Sections();
        var missing = new List<string>();
        var projectsTable = sections.Single(s => s.Heading == "## Projects").Lines;
        var tableNames = projectsTable.SelectMany(l => Code.Matches(l).Select(m => m.Groups[1].Value)).ToHashSet();
        foreach (string project in SourceProjects().Concat(new[] { "test", "samples" }.SelectMany(top =>
                     Directory.EnumerateDirectories(Path.Combine(Root, top)).Where(d => Directory.EnumerateFiles(d, "*.csproj").Any())
                         .Select(d => Path.GetRelativePath(Root, d).Replace('\\', '/')))))
            if (!tableNames.Contains(project)) missing.Add($"project {project} (Projects table)");

        foreach (string project in SourceProjects())
        {
            var section = sections.FirstOrDefault(s => ProjectOf(s.Heading) == project);
            if (section.Lines is null)
            {
                missing.Add($"a section '## `{project}`'");
                continue;
            }
            var rows = section.Lines.Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => Code.Match(l).Groups[1].Value).ToHashSet();
            string folder = Path.Combine(Root, project);
            foreach (string dir in Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories))
            {
                string relative = Path.GetRelativePath(folder, dir).Replace('\\', '/');
                if (relative.Split('/').Any(part => part is "bin" or "obj") || !Directory.EnumerateFiles(dir, "*.cs").Any()) continue;
                if (!rows.Contains(relative + "/")) missing.Add($"{project}: folder {relative}/");
            }
        }
        Assert.IsEmpty(missing, "docs/architecture.md does not name: " + string.Join("; ", missing));
    }

    [TestMethod]
    public void EveryFileAndFolderItNamesExists()
    {
        var absent = new List<string>();
        string library = Path.Combine(Root, "src", "Microsoft.ML.HyperDpo");
        foreach (var (heading, lines) in Sections())
        {
            if (heading is "### Commands" or "### Benchmark commands") continue;
            string project = ProjectOf(heading);
            foreach (string line in lines)
            {
                var tokens = Code.Matches(line).Select(m => m.Groups[1].Value).ToList();
                // In a project's folder table, the first cell is the folder and the other names are in it.
                string rowFolder = project is not null && line.StartsWith("| `", StringComparison.Ordinal) ? tokens[0] : null;
                foreach (string token in tokens.Where(IsPath))
                {
                    bool found = project is null
                        ? Exists(Root, token) || Exists(library, token)
                        : Exists(Path.Combine(Root, project), token) || (rowFolder is not null && Exists(Path.Combine(Root, project, rowFolder), token));
                    if (!found) absent.Add($"{heading.Trim('#', ' ')}: {token}");
                }
            }
        }
        Assert.IsEmpty(absent, "docs/architecture.md names what does not exist: " + string.Join("; ", absent.Distinct()));
    }

    [TestMethod]
    public void ItsCommandTablesAreThePrograms_Help()
    {
        AssertTableIsHelp("### Commands", HyperdpoProcess.Tool);
        AssertTableIsHelp("### Benchmark commands", HyperdpoProcess.Benchmarks);
    }

    private static void AssertTableIsHelp(string heading, string program)
    {
        var (exit, output, error) = HyperdpoProcess.RunProgram(program, Root, "--help");
        Assert.AreEqual(0, exit, error);
        // A command's line starts with two spaces and its name; a wrapped description goes on with more spaces.
        var helped = output.Replace("\r", "").Split('\n').SkipWhile(l => !l.StartsWith("Commands:", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.Length > 0)
            .Select(l => Regex.Match(l, @"^  (\S+)")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToArray();
        Assert.IsNotEmpty(helped, output);
        var table = Sections().Single(s => s.Heading == heading).Lines
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal)).Select(l => Code.Match(l).Groups[1].Value).ToArray();
        CollectionAssert.AreEquivalent(helped, table, $"{Path.GetFileName(program)} --help: {string.Join(", ", helped)}; the page's {heading}: {string.Join(", ", table)}");
    }
}
