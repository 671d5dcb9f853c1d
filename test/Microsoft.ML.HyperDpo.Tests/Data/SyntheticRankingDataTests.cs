using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo.Tests.Data;

[TestClass]
public class SyntheticRankingDataTests
{
    private sealed record Doc(float[] Features, float Relevance, float Quality, uint Group);

    private static List<Doc> Read(IDataView view)
    {
        var docs = new List<Doc>();
        using var cursor = view.GetRowCursor(view.Schema);
        var features = cursor.GetGetter<VBuffer<float>>(view.Schema["Features"]);
        var relevance = cursor.GetGetter<float>(view.Schema["Relevance"]);
        var quality = cursor.GetGetter<float>(view.Schema["Quality"]);
        var group = cursor.GetGetter<uint>(view.Schema["GroupId"]);
        VBuffer<float> f = default;
        float r = 0, q = 0;
        uint g = 0;
        while (cursor.MoveNext())
        {
            features(ref f);
            relevance(ref r);
            quality(ref q);
            group(ref g);
            docs.Add(new Doc(f.DenseValues().ToArray(), r, q, g));
        }
        return docs;
    }

    private static void AssertSame(List<Doc> a, List<Doc> b)
    {
        Assert.HasCount(a.Count, b);
        for (int i = 0; i < a.Count; i++)
        {
            CollectionAssert.AreEqual(a[i].Features, b[i].Features, $"features of row {i}");
            Assert.AreEqual(a[i] with { Features = [] }, b[i] with { Features = [] }, $"row {i}");
        }
    }

    [TestMethod]
    public void Schema_IsAsDocumented()
    {
        var view = SyntheticRankingData.Generate(new MLContext(seed: 1), new SyntheticRankingDataOptions { Queries = 10, Features = 7 });
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.Single, 7), view.Schema["Features"].Type);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Relevance"].Type);
        Assert.AreEqual(NumberDataViewType.Single, view.Schema["Quality"].Type);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 10), view.Schema["GroupId"].Type);
    }

    [TestMethod]
    public void SameSeed_SameData_OtherSeed_OtherData()
    {
        var a = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), new SyntheticRankingDataOptions { Seed = 7 }));
        var b = Read(SyntheticRankingData.Generate(new MLContext(seed: 2), new SyntheticRankingDataOptions { Seed = 7 }));
        AssertSame(a, b);
        var c = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), new SyntheticRankingDataOptions { Seed = 8 }));
        Assert.AreNotEqual(a[0].Features[0], c[0].Features[0]);
    }

    [TestMethod]
    public void GroupsAreContiguous_SizesInRange_LabelsInRange()
    {
        var options = new SyntheticRankingDataOptions { Queries = 200, MinDocuments = 5, MaxDocuments = 60 };
        var docs = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), options));

        var runs = new List<(uint Group, List<Doc> Docs)>();
        foreach (var d in docs)
        {
            if (runs.Count == 0 || runs[^1].Group != d.Group)
                runs.Add((d.Group, []));
            runs[^1].Docs.Add(d);
        }
        CollectionAssert.AreEqual(Enumerable.Range(1, 200).Select(i => (uint)i).ToArray(), runs.Select(r => r.Group).ToArray(), "one contiguous run per query, keys 1..Q in order");
        Assert.IsTrue(runs.All(r => r.Docs.Count is >= 5 and <= 60));
        Assert.IsTrue(runs.Select(r => r.Docs.Count).Distinct().Count() > 20, "sizes vary");

        Assert.IsTrue(docs.All(d => d.Relevance is 0 or 1 or 2));
        Assert.IsTrue(docs.All(d => d.Quality is 0 or 1 or 2 or 3 or 4));
        foreach (var (_, group) in runs)
        {
            int n = group.Count;
            // (k + 0.5) / n < 0.1 -> 2, < 0.3 -> 1.
            int twos = Enumerable.Range(0, n).Count(k => (k + 0.5) / n < 0.1);
            int ones = Enumerable.Range(0, n).Count(k => (k + 0.5) / n < 0.3) - twos;
            Assert.AreEqual(twos, group.Count(d => d.Relevance == 2), $"grade-2 count for n = {n}");
            Assert.AreEqual(ones, group.Count(d => d.Relevance == 1), $"grade-1 count for n = {n}");
            // Quality: the document with k others below it gets min(4, floor(5 k / (n - 1))).
            for (int grade = 0; grade < 5; grade++)
            {
                int expected = Enumerable.Range(0, n).Count(k => Math.Min(4, 5 * k / (n - 1)) == grade);
                Assert.AreEqual(expected, group.Count(d => d.Quality == grade), $"quality-{grade} count for n = {n}");
            }
        }
        double zeroShare = docs.Count(d => d.Relevance == 0) / (double)docs.Count;
        Assert.IsTrue(zeroShare is > 0.6 and < 0.8, $"most documents are irrelevant, like LETOR: {zeroShare}");
    }

    private static double Correlation(IReadOnlyList<Doc> docs)
    {
        double mr = docs.Average(d => d.Relevance), mq = docs.Average(d => d.Quality);
        double cov = docs.Sum(d => (d.Relevance - mr) * (d.Quality - mq));
        double vr = docs.Sum(d => (d.Relevance - mr) * (d.Relevance - mr));
        double vq = docs.Sum(d => (d.Quality - mq) * (d.Quality - mq));
        return cov / Math.Sqrt(vr * vq);
    }

    [TestMethod]
    public void ObjectivesCorrelateWithTheSignOfTheOption()
    {
        var conflicting = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), new SyntheticRankingDataOptions()));
        var aligned = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), new SyntheticRankingDataOptions { ObjectiveCorrelation = 0.6 }));
        double negative = Correlation(conflicting), positive = Correlation(aligned);
        Assert.IsLessThan(-0.05, negative, $"default (-0.3) correlation of the grades: {negative}");
        Assert.IsGreaterThan(0.2, positive, $"+0.6 correlation of the grades: {positive}");
    }

    [TestMethod]
    public void LongLists_HaveTheDocumentedShape()
    {
        var docs = Read(SyntheticRankingData.Generate(new MLContext(seed: 1), SyntheticRankingDataOptions.LongLists(seed: 2)));
        var queries = docs.GroupBy(d => d.Group).ToList();
        Assert.HasCount(200, queries);
        Assert.IsTrue(queries.All(q => q.Count() is >= 20 and <= 300), "every query has 20 to 300 documents");
        double meanLength = queries.Average(q => q.Count());
        Assert.IsTrue(meanLength is > 140 and < 180, $"mean length {meanLength}, expected about 160");
        Assert.IsGreaterThan(100, queries.Max(q => q.Count()) - queries.Min(q => q.Count()), "lengths vary widely");

        var none = queries.Count(q => q.All(d => d.Relevance == 0));
        Assert.IsTrue(none is >= 30 and <= 70, $"{none} of 200 queries with no relevant document, expected about a quarter");
        var judged = queries.Where(q => q.Any(d => d.Relevance > 0)).SelectMany(q => q).ToList();
        double two = judged.Count(d => d.Relevance == 2) / (double)judged.Count, one = judged.Count(d => d.Relevance == 1) / (double)judged.Count;
        Assert.AreEqual(0.03, two, 0.005, "share graded 2");
        Assert.AreEqual(0.07, one, 0.005, "share graded 1");

        // The secondary objective tracks relevance: within the lists that rank something, the grades correlate strongly.
        double correlation = Correlation(judged);
        Assert.IsGreaterThan(0.2, correlation, $"correlation of Relevance and Quality grades: {correlation}");
        double relevantQuality = judged.Where(d => d.Relevance > 0).Average(d => d.Quality), otherQuality = judged.Where(d => d.Relevance == 0).Average(d => d.Quality);
        Assert.IsGreaterThan(1.0, relevantQuality - otherQuality, $"mean Quality grade of relevant documents {relevantQuality}, of the others {otherQuality}");
    }

    [TestMethod]
    public void Splits_AreByQuery_AndEqualTheWholeSet()
    {
        var ml = new MLContext(seed: 1);
        var options = new SyntheticRankingDataOptions { Queries = 50, Seed = 3 };
        var splits = SyntheticRankingData.GenerateSplits(ml, options);
        var train = Read(splits.Train);
        var validation = Read(splits.Validation);
        var test = Read(splits.Test);

        Assert.AreEqual(30, train.Select(d => d.Group).Distinct().Count());
        Assert.AreEqual(10, validation.Select(d => d.Group).Distinct().Count());
        Assert.AreEqual(10, test.Select(d => d.Group).Distinct().Count());
        Assert.IsFalse(train.Select(d => d.Group).Intersect(test.Select(d => d.Group)).Any());
        Assert.IsFalse(validation.Select(d => d.Group).Intersect(test.Select(d => d.Group)).Any());
        AssertSame(Read(SyntheticRankingData.Generate(ml, options)), [.. train, .. validation, .. test]);
        Assert.AreEqual(new KeyDataViewType(typeof(uint), 50), splits.Test.Schema["GroupId"].Type);
    }

    [TestMethod]
    public void BadOptions_NameTheSetting()
    {
        var ml = new MLContext(seed: 1);
        void Expect(string name, SyntheticRankingDataOptions options)
        {
            var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticRankingData.Generate(ml, options));
            Assert.AreEqual(name, e.ParamName);
        }
        Expect("Queries", new() { Queries = 0 });
        Expect("MinDocuments", new() { MinDocuments = 0 });
        Expect("MaxDocuments", new() { MinDocuments = 10, MaxDocuments = 9 });
        Expect("Features", new() { Features = 1 });
        Expect("ObjectiveCorrelation", new() { ObjectiveCorrelation = 1.5 });
        Expect("NoiseStandardDeviation", new() { NoiseStandardDeviation = double.NaN });
        Expect("TrainFraction", new() { TrainFraction = 1 });
        Expect("Relevance", new() { Relevance = (SyntheticRelevance)7 });
        Expect("ValidationFraction", new() { TrainFraction = 0.7, ValidationFraction = 0.3 });
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SyntheticRankingData.GenerateSplits(ml, new() { Queries = 2 }));
    }

    public sealed class NoInput
    {
    }

    public sealed class RandomScore
    {
        public float Score { get; set; }
    }

    [TestMethod]
    public void Relevance_IsLearnable_FastTreeBeatsRandomScores()
    {
        var ml = new MLContext(seed: 1);
        var splits = SyntheticRankingData.GenerateSplits(ml, new SyntheticRankingDataOptions { Seed = 5 });
        var model = ml.Ranking.Trainers.FastTree(labelColumnName: "Relevance", featureColumnName: "Features", rowGroupColumnName: "GroupId")
            .Fit(splits.Train);
        var learnt = ml.Ranking.Evaluate(model.Transform(splits.Test), labelColumnName: "Relevance", rowGroupColumnName: "GroupId");

        // Baseline: scores drawn at random, evaluated by the same ML.NET evaluator.
        var random = new Random(11);
        var scored = ml.Transforms.CustomMapping<NoInput, RandomScore>((_, output) => { lock (random) output.Score = (float)random.NextDouble(); }, contractName: null)
            .Fit(splits.Test).Transform(splits.Test);
        var baseline = ml.Ranking.Evaluate(scored, labelColumnName: "Relevance", rowGroupColumnName: "GroupId");

        double ndcgLearnt = learnt.NormalizedDiscountedCumulativeGains[9], ndcgRandom = baseline.NormalizedDiscountedCumulativeGains[9];
        Assert.IsGreaterThan(ndcgRandom + 0.25, ndcgLearnt, $"NDCG@10: FastTree {ndcgLearnt:F3}, random {ndcgRandom:F3}");
    }
}
