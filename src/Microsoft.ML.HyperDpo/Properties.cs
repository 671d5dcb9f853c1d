using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Microsoft.ML.HyperDpo.Tests")]
[assembly: InternalsVisibleTo("hyperdpo")]
[assembly: InternalsVisibleTo("hyperdpo-benchmarks")]
[assembly: InternalsVisibleTo("Microsoft.ML.HyperDpo.Comparison")]
