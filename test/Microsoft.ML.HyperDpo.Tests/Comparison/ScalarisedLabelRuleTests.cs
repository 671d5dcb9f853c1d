using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Comparison;

namespace Microsoft.ML.HyperDpo.Tests.Comparison;

[TestClass]
public class ScalarisedLabelRuleTests
{
    private sealed class ThreeLabels
    {
        public float Rel { get; set; }
        public float Aux { get; set; }
        public int Third { get; set; }
    }

    private static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(new[]
    {
        new ThreeLabels { Rel = 0, Aux = 0, Third = 0 },
        new ThreeLabels { Rel = 1, Aux = 3, Third = 1 },
        new ThreeLabels { Rel = 2, Aux = 4, Third = 2 },
        new ThreeLabels { Rel = 2, Aux = 1, Third = 0 },
    });

    [TestMethod]
    public void ForRelevanceAndAFeatureGradeItIsTheTwoObjectiveBenchmarksLabel()
    {
        var ml = new MLContext(1);
        var rule = ScalarisedLabelRule.Fit(Data(ml), new[] { "Rel", "Aux" });

        Assert.AreEqual(4, rule.TopGrade);
        foreach (float w in new[] { 1f, 0.7f, 0.5f, 0.25f, 0f })
        {
            var labelled = rule.Transform(ml, Data(ml), new[] { w, 1 - w }, "Scalarised");
            var expected = ml.Data.CreateEnumerable<ThreeLabels>(Data(ml), false)
                .Select(r => MathF.Round(2 * w * r.Rel + (1 - w) * r.Aux, MidpointRounding.AwayFromZero)).ToArray();
            CollectionAssert.AreEqual(expected, labelled.GetColumn<float>("Scalarised").ToArray(), $"w = {w}");
        }
    }

    [TestMethod]
    public void StretchesEveryObjectiveOntoTheCommonScale()
    {
        var ml = new MLContext(1);
        var rule = ScalarisedLabelRule.Fit(Data(ml), new[] { "Rel", "Aux", "Third" });

        // (1/3, 1/3, 1/3) on the second row: (1 * 4/2 + 3 + 1 * 4/2) / 3 = 7/3, rounded to 2.
        Assert.AreEqual(2f, rule.Apply(new float[] { 1, 3, 1 }, new[] { 1 / 3f, 1 / 3f, 1 / 3f }));
        Assert.AreEqual(4f, rule.Apply(new float[] { 2, 4, 2 }, new[] { 0.2f, 0.3f, 0.5f }), "the best row stays at G");
        CollectionAssert.AreEqual(new[] { 0.0, 3, 7, 15, 31 }, rule.Gains);
    }

    [TestMethod]
    public void NamesAMissingLabelColumn()
    {
        var ml = new MLContext(1);
        var error = Assert.ThrowsExactly<ArgumentException>(() => ScalarisedLabelRule.Fit(Data(ml), new[] { "Rel", "Quality" }));
        StringAssert.Contains(error.Message, "'Quality'");
    }
}
