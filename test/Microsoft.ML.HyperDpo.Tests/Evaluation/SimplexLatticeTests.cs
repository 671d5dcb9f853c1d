using Microsoft.ML.HyperDpo.Evaluation;

namespace Microsoft.ML.HyperDpo.Tests.Evaluation;

[TestClass]
public class SimplexLatticeTests
{
    // C(m + K - 1, K - 1) by hand:
    //   m = 10: K=2 -> C(11,1) = 11; K=3 -> C(12,2) = 66; K=4 -> C(13,3) = 286; K=5 -> C(14,4) = 1001.
    //   m = 1:  C(K, K-1) = K (the K corners).
    //   m = 2:  C(K+1, K-1) = (K+1)K/2: K=2 -> 3, K=3 -> 6, K=4 -> 10, K=5 -> 15.
    [TestMethod]
    [DataRow(2, 10, 11)]
    [DataRow(3, 10, 66)]
    [DataRow(4, 10, 286)]
    [DataRow(5, 10, 1001)]
    [DataRow(1, 10, 1)]
    [DataRow(2, 1, 2)]
    [DataRow(3, 1, 3)]
    [DataRow(4, 1, 4)]
    [DataRow(5, 1, 5)]
    [DataRow(2, 2, 3)]
    [DataRow(3, 2, 6)]
    [DataRow(4, 2, 10)]
    [DataRow(5, 2, 15)]
    public void HasBinomialNumberOfPoints(int objectives, int divisions, int expected)
    {
        Assert.AreEqual(expected, SimplexLattice.Points(objectives, divisions).Count);
        Assert.AreEqual(expected, SimplexLattice.Count(objectives, divisions));
    }

    [TestMethod]
    public void TwoObjectivesRunFromFirstCornerToSecond()
    {
        var points = SimplexLattice.Points(2, 10);

        // Point i is ((10 - i)/10, i/10): (1, 0), (0.9, 0.1), ..., (0, 1).
        for (int i = 0; i <= 10; i++)
        {
            CollectionAssert.AreEqual(new[] { (10 - i) / 10f, i / 10f }, points[i], $"point {i}");
        }
    }

    [TestMethod]
    public void ThreeObjectivesAreLexicographicallyDescending()
    {
        // Numerators for m = 2 in descending lexicographic order: 200, 110, 101, 020, 011, 002.
        float[][] expected =
        [
            [1f, 0f, 0f],
            [0.5f, 0.5f, 0f],
            [0.5f, 0f, 0.5f],
            [0f, 1f, 0f],
            [0f, 0.5f, 0.5f],
            [0f, 0f, 1f],
        ];

        var points = SimplexLattice.Points(3, 2);

        Assert.AreEqual(expected.Length, points.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            CollectionAssert.AreEqual(expected[i], points[i], $"point {i}");
        }
    }

    [TestMethod]
    public void OneObjectiveIsTheSingleWeightOne()
    {
        var points = SimplexLattice.Points(1, 7);

        Assert.AreEqual(1, points.Count);
        CollectionAssert.AreEqual(new[] { 1f }, points[0]);
    }

    [TestMethod]
    [DataRow(2, 10)]
    [DataRow(3, 10)]
    [DataRow(4, 10)]
    [DataRow(5, 10)]
    [DataRow(3, 7)]
    public void EveryPointIsOnTheSimplexGrid(int objectives, int divisions)
    {
        foreach (float[] point in SimplexLattice.Points(objectives, divisions))
        {
            Assert.AreEqual(objectives, point.Length);
            double sum = 0;
            foreach (float weight in point)
            {
                Assert.IsTrue(weight >= 0f && weight <= 1f, $"weight {weight} outside [0, 1]");

                // Each weight is n/m for an integer n, so weight * m is within float rounding of an integer.
                double scaled = weight * (double)divisions;
                Assert.AreEqual(Math.Round(scaled), scaled, 1e-5, $"weight {weight} is not a multiple of 1/{divisions}");
                sum += weight;
            }

            Assert.AreEqual(1.0, sum, 1e-6);
        }
    }

    [TestMethod]
    [DataRow(2, 10)]
    [DataRow(3, 10)]
    [DataRow(4, 10)]
    [DataRow(5, 10)]
    public void HasNoDuplicates(int objectives, int divisions)
    {
        var points = SimplexLattice.Points(objectives, divisions);

        // Compare the integer numerators, so float formatting cannot hide or invent a duplicate.
        var seen = new HashSet<string>();
        foreach (float[] point in points)
        {
            string key = string.Join(",", point.Select(w => (int)Math.Round(w * divisions)));
            Assert.IsTrue(seen.Add(key), $"duplicate point {key}");
        }
    }

    [TestMethod]
    public void RejectsNoObjectives()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => SimplexLattice.Points(0, 10));
        Assert.AreEqual("objectives", error.ParamName);
        Assert.Contains("0", error.Message);
    }

    [TestMethod]
    public void RejectsNoDivisions()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => SimplexLattice.Points(3, -2));
        Assert.AreEqual("divisions", error.ParamName);
        Assert.Contains("-2", error.Message);
    }

    [TestMethod]
    public void RejectsLatticeTooLargeToHold()
    {
        // C(59, 29) is about 5.9e16, far above Array.MaxLength but still countable in a long.
        Assert.IsGreaterThan((long)Array.MaxLength, SimplexLattice.Count(30, 30));
        var error = Assert.ThrowsExactly<ArgumentException>(() => SimplexLattice.Points(30, 30));
        Assert.AreEqual("divisions", error.ParamName);
    }

    [TestMethod]
    public void RejectsCountBeyondLong()
    {
        // C(1000999, 999) has thousands of digits.
        var error = Assert.ThrowsExactly<ArgumentException>(() => SimplexLattice.Count(1000, 1000000));
        Assert.AreEqual("divisions", error.ParamName);
    }
}
