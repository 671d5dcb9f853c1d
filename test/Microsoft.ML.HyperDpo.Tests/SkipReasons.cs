using System.Runtime.CompilerServices;

namespace Microsoft.ML.HyperDpo.Tests;

/// <summary>
/// A test class whose skipped tests (<c>Assert.Inconclusive</c>: shared data, a tool or a package absent) carry the reason in
/// their name. The default <c>dotnet test</c> output lists a skipped test by name only, without the message, so without
/// this a reader cannot tell why a test did not run. Data-driven rows get their names from the data source afterwards
/// (see <see cref="Notebooks.NotebookExecutionTests.DisplayName"/> for such a case).
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class TestClassWithSkipReasonsAttribute : TestClassAttribute
{
    public override TestMethodAttribute GetTestMethodAttribute(TestMethodAttribute testMethodAttribute) =>
        testMethodAttribute is null ? null : new SkipReasonInName(testMethodAttribute, testMethodAttribute.DeclaringFilePath, testMethodAttribute.DeclaringLineNumber ?? -1);

    /// <summary>Runs the test as <paramref name="inner"/> does (its source location kept), then names a skip's reason.</summary>
    private sealed class SkipReasonInName(TestMethodAttribute inner, [CallerFilePath] string callerFilePath = "", [CallerLineNumber] int callerLineNumber = -1)
        : TestMethodAttribute(callerFilePath, callerLineNumber)
    {
        public override async Task<TestResult[]> ExecuteAsync(ITestMethod testMethod)
        {
            var results = await inner.ExecuteAsync(testMethod);
            foreach (var result in results)
                if (result.Outcome == UnitTestOutcome.Inconclusive && result.TestFailureException?.Message is string message)
                    result.DisplayName = $"{result.DisplayName ?? testMethod.TestMethodName} ({message.Replace("Assert.Inconclusive. ", "", StringComparison.Ordinal)})";
            return results;
        }
    }
}
