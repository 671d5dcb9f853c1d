using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class HypervolumeTests
{
    private const double Tolerance = 1e-12;

    [TestMethod]
    public void TwoDimensionalStaircase()
    {
        // Columns of width 1: x in [0,1] up to 3, [1,2] up to 2, [2,3] up to 1 -> 3 + 2 + 1 = 6.
        double[][] points = [[1, 3], [2, 2], [3, 1]];

        Assert.AreEqual(6.0, Hypervolume.Compute(points), Tolerance);
    }

    [TestMethod]
    public void TwoDimensionalStaircaseAboveAReference()
    {
        // Relative to (0.5, 0.5) the points are (0.5, 2.5), (1.5, 1.5), (2.5, 0.5):
        // columns [0,0.5] x 2.5 = 1.25, [0.5,1.5] x 1.5 = 1.5, [1.5,2.5] x 0.5 = 0.5 -> 3.25.
        double[][] points = [[1, 3], [2, 2], [3, 1]];

        Assert.AreEqual(3.25, Hypervolume.Compute(points, [0.5, 0.5]), Tolerance);
    }

    [TestMethod]
    public void OneDimensionIsTheLongestSegment()
    {
        // Segments [1, 3] and [1, 5] -> union length 4.
        Assert.AreEqual(4.0, Hypervolume.Compute([[3.0], [5.0]], [1.0]), Tolerance);
    }

    [TestMethod]
    public void DominatedAndRepeatedPointsAddNothing()
    {
        // Each extra point lies inside the staircase of (1,3), (2,2), (3,1), whose volume is 6.
        double[][] points = [[1, 3], [1, 1], [2, 2], [0.5, 2.9], [3, 1], [2, 2], [3, 0.5]];

        Assert.AreEqual(6.0, Hypervolume.Compute(points), Tolerance);
    }

    [TestMethod]
    public void PointsNotBeyondTheReferenceAddNothing()
    {
        // (0, 5) and (-1, 3) span empty boxes from the origin; only (2, 2) counts: 2 x 2 = 4.
        double[][] points = [[0, 5], [-1, 3], [2, 2]];

        Assert.AreEqual(4.0, Hypervolume.Compute(points), Tolerance);
        Assert.AreEqual(0.0, Hypervolume.Compute([[0.0, 5.0], [-1.0, 3.0]]));
    }

    [TestMethod]
    public void EmptySetHasNoVolume()
    {
        Assert.AreEqual(0.0, Hypervolume.Compute([]));
        Assert.AreEqual(0.0, Hypervolume.Compute([], [1.0, 2.0]));
    }

    [TestMethod]
    public void ThreeDimensionalSingleBox()
    {
        // 1 x 2 x 3 = 6.
        Assert.AreEqual(6.0, Hypervolume.Compute([[1.0, 2.0, 3.0]]), Tolerance);
    }

    [TestMethod]
    public void ThreeDimensionalTwoOverlappingBoxes()
    {
        // V1 = 3*1*2 = 6, V2 = 1*2*3 = 6, overlap = min per axis (1, 1, 2) -> 2; V = 6 + 6 - 2 = 10.
        double[][] points = [[3, 1, 2], [1, 2, 3]];

        Assert.AreEqual(10.0, Hypervolume.Compute(points), Tolerance);
    }

    [TestMethod]
    public void ThreeDimensionalThreeArms()
    {
        // Three boxes of volume 3 (one long axis each); every pairwise and the triple overlap is the
        // unit cube: V = 3*3 - 3*1 + 1 = 7.
        double[][] points = [[3, 1, 1], [1, 3, 1], [1, 1, 3]];

        Assert.AreEqual(7.0, Hypervolume.Compute(points), Tolerance);
    }

    [TestMethod]
    public void ThreeDimensionalThreeArmsShiftedByTheReference()
    {
        // The same three arms as above, moved by (1, 1, 1) together with the reference -> 7.
        double[][] points = [[4, 2, 2], [2, 4, 2], [2, 2, 4], [1.5, 1.5, 1.5], [0, 9, 9]];

        Assert.AreEqual(7.0, Hypervolume.Compute(points, [1, 1, 1]), Tolerance);
    }

    [TestMethod]
    public void FourDimensionalTwoBoxes()
    {
        // V1 = 2, V2 = 2, overlap (1,1,1,1) = 1 -> 3.
        double[][] points = [[2, 1, 1, 1], [1, 2, 1, 1]];

        Assert.AreEqual(3.0, Hypervolume.Compute(points), Tolerance);
    }

    [TestMethod]
    [DataRow(3, 10, 11)]
    [DataRow(4, 10, 12)]
    [DataRow(4, 9, 13)]
    [DataRow(5, 12, 14)]
    [DataRow(5, 8, 15)]
    public void MatchesInclusionExclusion(int dimensions, int count, int seed)
    {
        double[][] points = SpherePoints(dimensions, count, seed);

        // A few points below the reference on one axis, and one dominated point, exercise the clipping and filtering.
        double[] reference = Enumerable.Repeat(0.05, dimensions).ToArray();
        points[0][dimensions - 1] = 0.05;
        points[1] = points[2].Select(x => x * 0.9).ToArray();

        double expected = InclusionExclusion(points, reference);

        Assert.AreEqual(expected, Hypervolume.Compute(points, reference), 1e-12 * Math.Max(1.0, expected));
    }

    [TestMethod]
    public void DoesNotDependOnPointOrder()
    {
        double[][] points = SpherePoints(4, 30, 21);
        double forward = Hypervolume.Compute(points);

        double backward = Hypervolume.Compute(points.Reverse().ToArray());

        Assert.AreEqual(forward, backward, 1e-12);
    }

    [TestMethod]
    public void MonteCarloAgreesWithExactInFourDimensions()
    {
        double[][] points = SpherePoints(4, 10, 31);
        double exact = InclusionExclusion(points, new double[4]);

        HypervolumeEstimate estimate = Hypervolume.MonteCarlo(points, null, 200_000, 7);

        Assert.IsGreaterThan(0.0, estimate.StandardError);
        Assert.IsLessThanOrEqualTo(4 * estimate.StandardError, Math.Abs(estimate.Value - exact),
            $"estimate {estimate.Value} ± {estimate.StandardError}, exact {exact}");
    }

    [TestMethod]
    public void MonteCarloOfASingleBoxIsExact()
    {
        // The sampling box is the point's own box [0,2] x [0,3], so every sample is dominated:
        // fraction 1, value 1 * 6 = 6, standard error 6 * sqrt(1 * 0 / n) = 0.
        HypervolumeEstimate estimate = Hypervolume.MonteCarlo([[2.0, 3.0]], null, 100, 1);

        Assert.AreEqual(6.0, estimate.Value, Tolerance);
        Assert.AreEqual(0.0, estimate.StandardError);
    }

    [TestMethod]
    public void MonteCarloRepeatsWithTheSameSeed()
    {
        double[][] points = [[1, 3], [2, 2], [3, 1]];

        Assert.AreEqual(Hypervolume.MonteCarlo(points, null, 1000, 5), Hypervolume.MonteCarlo(points, null, 1000, 5));
    }

    [TestMethod]
    public void MonteCarloWithNothingBeyondTheReferenceIsZero()
    {
        Assert.AreEqual(new HypervolumeEstimate(0.0, 0.0), Hypervolume.MonteCarlo([[1.0, 1.0]], [1.0, 0.0], 100, 1));
        Assert.AreEqual(new HypervolumeEstimate(0.0, 0.0), Hypervolume.MonteCarlo([], null, 100, 1));
    }

    [TestMethod]
    public void MonteCarloRejectsNoSamples()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.MonteCarlo([[1.0]], null, 0, 1));
        Assert.AreEqual("samples", error.ParamName);
        Assert.Contains("0", error.Message);
    }

    [TestMethod]
    public void RejectsMismatchedDimensions()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.Compute([[1.0, 2.0], [1.0]]));
        Assert.AreEqual("points", error.ParamName);
        Assert.Contains("Point 1 has 1", error.Message);
    }

    [TestMethod]
    public void RejectsReferenceOfWrongLength()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.Compute([[1.0, 2.0]], [0.0, 0.0, 0.0]));
        Assert.AreEqual("reference", error.ParamName);
        Assert.Contains("3", error.Message);
    }

    [TestMethod]
    public void RejectsNaNInPointsAndReference()
    {
        var inPoint = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.Compute([[1.0, 2.0], [double.NaN, 1.0]]));
        Assert.AreEqual("points", inPoint.ParamName);
        Assert.Contains("Point 1 has NaN", inPoint.Message);

        var inReference = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.Compute([[1.0, 2.0]], [0.0, double.NaN]));
        Assert.AreEqual("reference", inReference.ParamName);

        var inMonteCarlo = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.MonteCarlo([[double.NaN]], null, 10, 1));
        Assert.AreEqual("points", inMonteCarlo.ParamName);
    }

    [TestMethod]
    public void RejectsInfinity()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Hypervolume.Compute([[1.0, double.PositiveInfinity]]));
        Assert.AreEqual("points", error.ParamName);
        Assert.Contains("coordinate 1", error.Message);
    }

    /// <summary>
    /// Volume of the union of boxes [reference, p] as the alternating sum over every non-empty subset S
    /// of the volume of the boxes' intersection, prod_d max(0, min_{p in S} p[d] - reference[d]).
    /// Independent of the library: no sorting, slicing or dominance filtering.
    /// </summary>
    private static double InclusionExclusion(double[][] points, double[] reference)
    {
        int n = points.Length;
        int dimensions = reference.Length;
        double total = 0;
        for (int subset = 1; subset < 1 << n; subset++)
        {
            double intersection = 1;
            for (int d = 0; d < dimensions; d++)
            {
                double low = double.PositiveInfinity;
                for (int i = 0; i < n; i++)
                {
                    if ((subset & (1 << i)) != 0)
                    {
                        low = Math.Min(low, points[i][d]);
                    }
                }

                intersection *= Math.Max(0.0, low - reference[d]);
            }

            total += int.PopCount(subset) % 2 == 1 ? intersection : -intersection;
        }

        return total;
    }

    /// <summary>Points on the positive part of the unit sphere, so most of them are mutually non-dominated.</summary>
    private static double[][] SpherePoints(int dimensions, int count, int seed)
    {
        var random = new Random(seed);
        var points = new double[count][];
        for (int i = 0; i < count; i++)
        {
            double[] point = Enumerable.Range(0, dimensions).Select(_ => 0.05 + random.NextDouble()).ToArray();
            double norm = Math.Sqrt(point.Sum(x => x * x));
            points[i] = point.Select(x => x / norm).ToArray();
        }

        return points;
    }
}
