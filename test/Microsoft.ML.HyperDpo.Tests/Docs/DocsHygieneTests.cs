using System.Text.RegularExpressions;

namespace Microsoft.ML.HyperDpo.Tests.Docs;

/// <summary>
/// The docs and notebooks speak of the product: no path of the machine that wrote them (generated sections and notebook
/// outputs included), and none of the project's own process.
/// </summary>
[TestClass]
public class DocsHygieneTests
{
    private static IEnumerable<string> Pages()
    {
        string root = ChildProcess.RepositoryRoot();
        return new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories))
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "notebooks"), "*.ipynb"));
    }

    private static readonly Regex MachinePath = new(@"(?<![\w.~/:])(/(work|root|home|tmp|Users|mnt|var)/|[A-Za-z]:\\Users\\)", RegexOptions.Compiled);

    private static readonly Regex ProcessWording = new(@"\bissue[- ]\d|this session|met\?|MLNET-NOTES|this project's|later change", RegexOptions.Compiled | RegexOptions.IgnoreCase);

    [TestMethod]
    public void NoMachinePathsAndNoProcessWording()
    {
        var findings = new List<string>();
        foreach (string page in Pages())
        {
            var lines = File.ReadAllLines(page);
            for (int i = 0; i < lines.Length; i++)
                if (MachinePath.IsMatch(lines[i]) || ProcessWording.IsMatch(lines[i]))
                    findings.Add($"{Path.GetFileName(page)}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.IsEmpty(findings, string.Join("\n", findings));
    }
}
