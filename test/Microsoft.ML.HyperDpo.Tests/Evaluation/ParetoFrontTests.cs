using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class ParetoFrontTests
{
    [TestMethod]
    public void TwoDimensionsKeepsTheStaircase()
    {
        double[][] points =
        [
            [1, 3], // 0: dominated by 4 (2 > 1, 3 = 3)
            [2, 2], // 1: dominated by 4 (2 = 2, 3 > 2)
            [3, 1], // 2: nothing has first >= 3 except itself -> kept
            [1, 1], // 3: dominated by every other point
            [2, 3], // 4: only 2 beats it on the first, and 2 loses on the second -> kept
        ];

        CollectionAssert.AreEqual(new[] { 2, 4 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void WeakDominanceCounts()
    {
        // (2, 1) ties (2, 2) on the first objective and loses on the second, so it is dominated.
        double[][] points = [[2, 1], [2, 2]];

        CollectionAssert.AreEqual(new[] { 1 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void ThreeDimensionsKeepsTheCornersAndTheEdgePoint()
    {
        double[][] points =
        [
            [1, 0, 0],       // 0: best on objective 1 -> kept
            [0, 1, 0],       // 1: best on objective 2 -> kept
            [0, 0, 1],       // 2: best on objective 3 -> kept
            [0.5, 0.5, 0],   // 3: every point better on one objective is worse on another -> kept
            [0.4, 0.4, 0],   // 4: 3 is >= everywhere and > on objectives 1 and 2 -> dominated
            [0.5, 0.4, 0.1], // 5: only 2 beats its obj 3, and 2 loses on obj 1 -> kept
        ];

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 5 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void ThreeDimensionsOnePointDominatesAll()
    {
        double[][] points = [[1, 0, 0], [1, 1, 1], [0, 1, 1], [1, 1, 0.5]];

        // (1, 1, 1) is >= every other point everywhere and > on at least one coordinate of each.
        CollectionAssert.AreEqual(new[] { 1 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void KeepsOnlyFirstOfEqualPoints()
    {
        double[][] points = [[1, 2], [2, 1], [1, 2], [2, 1], [1, 2]];

        CollectionAssert.AreEqual(new[] { 0, 1 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void DropsAllCopiesOfADominatedPoint()
    {
        double[][] points = [[1, 1], [1, 1], [2, 2], [2, 2]];

        CollectionAssert.AreEqual(new[] { 2 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void SinglePointIsItsOwnFront()
    {
        CollectionAssert.AreEqual(new[] { 0 }, ParetoFront.NonDominatedIndices([[-3.0, 7.0, 0.0]]).ToArray());
    }

    [TestMethod]
    public void EmptyListHasEmptyFront()
    {
        Assert.IsEmpty(ParetoFront.NonDominatedIndices([]));
    }

    [TestMethod]
    public void InfinityIsAnOrdinaryValue()
    {
        // (inf, 0) is best on objective 1, (5, 5) on objective 2; (1, 0) loses to (inf, 0).
        double[][] points = [[double.PositiveInfinity, 0], [5, 5], [1, 0]];

        CollectionAssert.AreEqual(new[] { 0, 1 }, ParetoFront.NonDominatedIndices(points).ToArray());
    }

    [TestMethod]
    public void RejectsNaNNamingTheIndex()
    {
        double[][] points = [[1, 2], [2, 1], [0.5, double.NaN]];

        var error = Assert.ThrowsExactly<ArgumentException>(() => ParetoFront.NonDominatedIndices(points));
        Assert.AreEqual("points", error.ParamName);
        Assert.Contains("Point 2", error.Message);
        Assert.Contains("NaN", error.Message);
    }

    [TestMethod]
    public void RejectsMismatchedDimensions()
    {
        double[][] points = [[1, 2], [2, 1, 0]];

        var error = Assert.ThrowsExactly<ArgumentException>(() => ParetoFront.NonDominatedIndices(points));
        Assert.AreEqual("points", error.ParamName);
        Assert.Contains("Point 1 has 3", error.Message);
    }

    [TestMethod]
    public void RejectsNullAndEmptyPoints()
    {
        var nullPoint = Assert.ThrowsExactly<ArgumentException>(() => ParetoFront.NonDominatedIndices([[1.0], null]));
        Assert.Contains("Point 1 is null", nullPoint.Message);

        var emptyPoint = Assert.ThrowsExactly<ArgumentException>(() => ParetoFront.NonDominatedIndices([[]]));
        Assert.Contains("Point 0 has no coordinates", emptyPoint.Message);

        Assert.ThrowsExactly<ArgumentNullException>(() => ParetoFront.NonDominatedIndices(null));
    }
}
