using System.Text.Json;
using Microsoft.ML.HyperDpo.Language.Data;

namespace Microsoft.ML.HyperDpo.Tests.Language;

[TestClassWithSkipReasons]
public class PreferenceDataTests
{
    private static string Record(string preference = "[1, 1, 1, 0, 2, 2]", string question = "\"Who wrote it?\"") =>
        "{\"question\": " + question + ", \"gold\": \"Ann wrote it in 1990.\", " +
        "\"passages\": [[\"Book\", \"Book\\n\\nAnn wrote the book.\", \"It was 1990.\"]], " +
        "\"prediction 1\": \"Ann wrote it.\", \"prediction 2\": \"Bob wrote it long ago.\", \"prediction 3\": \"Ann.\", \"prediction 4\": \"Nobody knows who wrote the book.\", " +
        "\"preference\": " + preference + "}";

    private static IReadOnlyList<PreferenceList> ReadText(string json)
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, json);
            return QaFeedbackReader.Read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void HumanPreferenceCountsPairwiseWinsWithHalfAWinPerTie()
    {
        // Pairs 1v2, 1v3, 1v4, 2v3, 2v4, 3v4 = 1, 1, 1, 0, 2, 2: answer 1 wins three; 2 and 3 tie (half each); 4 beats 2 and 3.
        var list = ReadText("[" + Record() + "]").Single();
        CollectionAssert.AreEqual(new[] { 3.0, 0.5, 0.5, 2.0 }, list.Scores[QaFeedbackReader.HumanObjective]);
        Assert.AreEqual("record 0", list.Id);
        Assert.AreEqual("Who wrote it?", list.Prompt);
        Assert.AreEqual("Book\n\nAnn wrote the book. It was 1990.", list.Context);
        Assert.AreEqual("Ann wrote it in 1990.", list.Reference);
    }

    [TestMethod]
    public void ACyclicJudgementGivesTies()
    {
        // 1 > 2, 3 > 1, 2 > 3, and 4 loses everything: the first three tie on two wins each.
        var list = ReadText("[" + Record("[1, 2, 1, 1, 1, 1]") + "]").Single();
        CollectionAssert.AreEqual(new[] { 2.0, 2.0, 2.0, 0.0 }, list.Scores[QaFeedbackReader.HumanObjective]);
    }

    [TestMethod]
    public void BadRecordsNameTheRecordAndTheField()
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => ReadText("[" + Record() + "," + Record("[1, 1, 3, 0, 2, 2]") + "]"));
        StringAssert.Contains(e.Message, "record 1");
        StringAssert.Contains(e.Message, "'preference'");
        e = Assert.ThrowsExactly<InvalidDataException>(() => ReadText("[" + Record(question: "\"\"") + "]"));
        StringAssert.Contains(e.Message, "record 0");
        StringAssert.Contains(e.Message, "'question'");
        e = Assert.ThrowsExactly<InvalidDataException>(() => ReadText("[" + Record("[1, 1]") + "]"));
        StringAssert.Contains(e.Message, "'preference'");
    }

    [TestMethod]
    public void ComputedObjectivesMatchHandCounts()
    {
        var list = ReadText("[" + Record() + "]").Single();
        var scored = ResponseObjectives.Apply(new[] { list }, ResponseObjectives.All).Single();
        CollectionAssert.AreEqual(new[] { -3.0, -5.0, -1.0, -6.0 }, scored.Scores["conciseness"]);
        // Context content words: book, ann, wrote, 1990 (the, it, was are function words). "Bob wrote it long ago": wrote
        // grounded, bob, long, ago not: 1 - 3. "Nobody knows who wrote the book": wrote, book against nobody, knows: 2 - 2.
        CollectionAssert.AreEqual(new[] { 2.0, -2.0, 1.0, 0.0 }, scored.Scores["grounding"]);
        // Function words and repetition cannot game it: "the the the" scores 0, and padding a grounded answer with them changes nothing.
        var grounding = ResponseObjectives.Get("grounding");
        Assert.AreEqual(0.0, grounding.Score("the the the of the it was", list));
        Assert.AreEqual(2.0, grounding.Score("Ann Ann wrote wrote it, it was the ann that was it.", list));
        // ROUGE-L against "ann wrote it in 1990" (5 words): "ann wrote it" has LCS 3, P = 1, R = 3/5.
        Assert.AreEqual(2 * 1.0 * 0.6 / 1.6, scored.Scores["correctness"][0], 1e-12);
        Assert.AreEqual(2 * 1.0 * 0.2 / 1.2, scored.Scores["correctness"][2], 1e-12);
    }

    [TestMethod]
    public void TheSplitIsFixedBySeedAndDisjoint()
    {
        var lists = Enumerable.Range(0, 50).Select(i => new PreferenceList($"q{i}", "p", new[] { "a", "b" }, new Dictionary<string, double[]>())).ToList();
        var a = PreferenceSplit.Create(lists, 10);
        var b = PreferenceSplit.Create(lists, 10);
        Assert.AreEqual(40, a.Training.Count);
        Assert.AreEqual(10, a.HeldOut.Count);
        CollectionAssert.AreEqual(a.HeldOut.Select(l => l.Id).ToList(), b.HeldOut.Select(l => l.Id).ToList());
        Assert.AreEqual(0, a.Training.Select(l => l.Id).Intersect(a.HeldOut.Select(l => l.Id)).Count());
        CollectionAssert.AreNotEqual(a.HeldOut.Select(l => l.Id).ToList(), PreferenceSplit.Create(lists, 10, seed: 1).HeldOut.Select(l => l.Id).ToList());
    }

    [TestMethod]
    public void TheJsonLinesFormatReadsScoresAndRankingsAndNamesBadLines()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllLines(path, new[]
            {
                "{\"id\": \"a\", \"prompt\": \"Q?\", \"responses\": [\"x\", \"y\", \"z\"], \"scores\": {\"help\": [1, 0, 2]}, \"rankings\": {\"safety\": [2, 1, 2]}}",
                "",
                "{\"prompt\": \"R?\", \"responses\": [\"x\", \"y\"], \"scores\": {\"help\": [0, 1]}, \"rankings\": {\"safety\": [1, 1]}}",
            });
            var lists = PreferenceListFile.Read(path);
            Assert.AreEqual(2, lists.Count);
            CollectionAssert.AreEqual(new[] { -2.0, -1.0, -2.0 }, lists[0].Scores["safety"]);
            Assert.AreEqual("line 3", lists[1].Id);

            File.WriteAllLines(path, new[] { "{\"prompt\": \"Q?\", \"responses\": [\"x\", \"y\"], \"scores\": {\"help\": [1]}}" });
            var e = Assert.ThrowsExactly<InvalidDataException>(() => PreferenceListFile.Read(path));
            StringAssert.Contains(e.Message, "line 1");
            StringAssert.Contains(e.Message, "'help'");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void TheRealQaFeedbackFileHas500ListsWithTheDocumentedJudgements()
    {
        string path = SharedData.RequireFile("qa-feedback-finegrainedrlhf/dev_feedback.json");
        var lists = QaFeedbackReader.Read(path);
        Assert.AreEqual(500, lists.Count);
        Assert.IsTrue(lists.All(l => l.Responses.Count == 4));
        // SOURCE.md: 384 of the 3,000 judgements are "no preference", each worth half a win to both answers, so all wins sum to 3000 / 500 = 6 per list.
        Assert.IsTrue(lists.All(l => l.Scores[QaFeedbackReader.HumanObjective].Sum() == 6));
        double halves = lists.Sum(l => l.Scores[QaFeedbackReader.HumanObjective].Count(v => v != Math.Floor(v)));
        Assert.IsTrue(halves > 0);
        var split = PreferenceSplit.Create(lists, 100);
        Assert.AreEqual(400, split.Training.Count);
        Assert.AreEqual(100, split.HeldOut.Count);
    }
}
