using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: LoadCheck <model.zip> <input.idv> <scores.txt>
// Loads the model with mlContext.Model.Load in this fresh process, scores the input (ML.NET's binary data format),
// and writes one score per line, then a line naming the loaded model's type and every loaded assembly whose
// name contains "HyperDpo" (there must be none).
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: LoadCheck <model.zip> <input.idv> <scores.txt>");
    return 2;
}
try
{
    var ml = new MLContext(seed: 1);
    var model = ml.Model.Load(args[0], out var schema);
    var data = ml.Data.LoadFromBinary(args[1]);
    var scored = model.Transform(data);
    var column = scored.Schema["Score"];
    if (column.Type != NumberDataViewType.Single)
        throw new InvalidOperationException($"Score has type {column.Type}, not Single.");
    var lines = scored.GetColumn<float>(column).Select(s => s.ToString("R", CultureInfo.InvariantCulture)).ToList();
    var hyperDpo = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name).Where(n => n!.Contains("HyperDpo", StringComparison.OrdinalIgnoreCase) && n != "Microsoft.ML.HyperDpo.LoadCheck");
    lines.Add($"# {model.GetType().Name} [{string.Join(",", hyperDpo)}]");
    File.WriteAllLines(args[2], lines);
    return 0;
}
catch (Exception e)
{
    Console.Error.WriteLine(e);
    return 1;
}
