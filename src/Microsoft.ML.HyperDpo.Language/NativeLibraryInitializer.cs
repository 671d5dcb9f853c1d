using System.Runtime.CompilerServices;
using Microsoft.ML.HyperDpo.Native;

namespace Microsoft.ML.HyperDpo.Language;

/// <summary>Applies the library's TorchSharp native fix when this assembly loads, since a language-model program may call TorchSharp before touching any type of the core library.</summary>
internal static class NativeLibraryInitializer
{
#pragma warning disable CA2255 // A module initialiser is the one hook that runs before this assembly's first TorchSharp call.
    [ModuleInitializer]
    internal static void OnModuleLoad() => TorchSharpNativeFix.EnsureApplied();
#pragma warning restore CA2255
}
