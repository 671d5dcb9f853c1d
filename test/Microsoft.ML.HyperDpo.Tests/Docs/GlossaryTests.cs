using Microsoft.ML.HyperDpo.Tests.Cli;

namespace Microsoft.ML.HyperDpo.Tests.Docs;

/// <summary>docs/glossary.md explains the jargon a newcomer meets, and the README and the CLI's help lead to it.</summary>
[TestClass]
public class GlossaryTests
{
    [TestMethod]
    public void TheGlossaryDefinesTheTermsOfTheDocsAndTheOutput_AndIsLinked()
    {
        string root = ChildProcess.RepositoryRoot();
        string glossary = File.ReadAllText(Path.Combine(root, "docs", "glossary.md"));
        // The terms the second newcomer pass met without explanation, and those train's output prints.
        string[] terms = ["Soup", "Front", "Corners", "DPO-LS", "FiLM", "COSMOS", "Breslow", "Implicit reward", "Simplex lattice", "Hypervolume",
            "kept epoch", "Reference", "Beta (temperature)", "NDCG@k", "Objective weights"];
        foreach (string term in terms)
            Assert.IsTrue(glossary.Split('\n').Any(l => l.StartsWith("**", StringComparison.Ordinal) && l[..(l.IndexOf("**", 2, StringComparison.Ordinal) + 2)].Contains(term, StringComparison.OrdinalIgnoreCase)),
                $"docs/glossary.md has an entry for '{term}'");
        StringAssert.Contains(File.ReadAllText(Path.Combine(root, "README.md")), "[docs/glossary.md](docs/glossary.md)");
        StringAssert.Contains(File.ReadAllText(Path.Combine(root, "docs", "cli.md")), "[glossary.md](glossary.md)");
        var (code, output, error) = HyperdpoProcess.Run(root, "--help");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "docs/glossary.md");
    }
}
