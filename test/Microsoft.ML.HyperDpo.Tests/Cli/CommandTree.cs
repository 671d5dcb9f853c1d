using System.Collections;
using System.Reflection;
using System.Runtime.Loader;

namespace Microsoft.ML.HyperDpo.Tests.Cli;

/// <summary>
/// The commands and flags of a built tool, read from its own command tree (its <c>Program.Root()</c>, loaded with its dependencies
/// in a context of its own), so that a test walks every flag the tool has rather than a list written beside it.
/// </summary>
internal static class CommandTree
{
    /// <summary>One flag: its name, the type its value is parsed as, and its help name (<c>numbers</c> for a number list).</summary>
    public sealed record Flag(string Name, Type ValueType, string HelpName)
    {
        /// <summary>A value the parser reads as a number (int, long, float or double, also nullable).</summary>
        public bool IsNumber => (Nullable.GetUnderlyingType(ValueType) ?? ValueType) is var t && (t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double));

        /// <summary>A comma-separated list of numbers that the command reads (the tools' SharedOptions.NumbersHelpName).</summary>
        public bool IsNumberList => HelpName == "numbers";
    }

    /// <summary>Every command of the tool <paramref name="dll"/> (whose root comes from <paramref name="programType"/>.Root()), with its flags.</summary>
    public static Dictionary<string, List<Flag>> Of(string dll, string programType)
    {
        var context = new ToolContext(dll);
        try
        {
            var assembly = context.LoadFromAssemblyPath(dll);
            var root = assembly.GetType(programType, throwOnError: true)!.GetMethod("Root", BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(null, null)!;
            var commands = new Dictionary<string, List<Flag>>();
            foreach (object command in (IEnumerable)Property(root, "Subcommands"))
            {
                var flags = new List<Flag>();
                foreach (object option in (IEnumerable)Property(command, "Options"))
                {
                    // ValueType is the type of the option's value (Option<T>'s T); the help option and --version are bool or none.
                    var type = (Type)Property(option, "ValueType");
                    flags.Add(new Flag((string)Property(option, "Name"), type, Property(option, "HelpName") as string ?? ""));
                }
                commands[(string)Property(command, "Name")] = flags;
            }
            return commands;
        }
        finally
        {
            context.Unload();
        }
    }

    private static object Property(object target, string name) => target.GetType().GetProperty(name)!.GetValue(target)!;

    /// <summary>Resolves the tool's assemblies from its own deps.json, as its process would.</summary>
    private sealed class ToolContext(string dll) : AssemblyLoadContext(isCollectible: true)
    {
        private readonly AssemblyDependencyResolver _resolver = new(dll);

        protected override Assembly Load(AssemblyName name) => _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
