namespace Microsoft.ML.HyperDpo.Tests;

/// <summary>
/// Finds the project's real benchmark data (../shared/data beside the checkout, or the folder named by
/// the environment variable HYPERDPO_SHARED_DATA). It exists on the developers' machines and in CI but
/// not on a user's: tests that need it call <see cref="RequireFile"/>, which marks them inconclusive
/// (skipped) with a message where it is absent.
/// </summary>
internal static class SharedData
{
    public static string Root { get; } = Locate();

    public static bool Available => Root.Length > 0;

    /// <summary>The full path of a file under the shared data folder, or a skip of the calling test.</summary>
    public static string RequireFile(string relativePath)
    {
        string path = Available ? Path.Combine(Root, relativePath) : "";
        if (!Available || !File.Exists(path))
            Assert.Inconclusive($"Skipped: needs the shared benchmark data file '{relativePath}' (../shared/data beside the checkout, or HYPERDPO_SHARED_DATA), which is not on this machine.");
        return path;
    }

    private static string Locate()
    {
        string fromEnv = Environment.GetEnvironmentVariable("HYPERDPO_SHARED_DATA");
        if (!string.IsNullOrEmpty(fromEnv)) return Directory.Exists(fromEnv) ? fromEnv : "";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.HyperDpo.sln")))
            {
                string candidate = Path.Combine(dir.FullName, "..", "shared", "data");
                return Directory.Exists(candidate) ? Path.GetFullPath(candidate) : "";
            }
        }
        return "";
    }
}
