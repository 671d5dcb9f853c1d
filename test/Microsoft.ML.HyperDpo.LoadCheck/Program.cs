using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

// Usage: LoadCheck <model.zip | model.onnx> <input.idv> <scores.txt>
// Loads the model with mlContext.Model.Load in this fresh process, scores the input (ML.NET's binary data format),
// and writes one score per line, then a line naming the loaded model's type and every loaded assembly whose
// name contains "HyperDpo" (there must be none). An .onnx file is applied with ML.NET's ApplyOnnxModel instead, its inputs
// read from the input's columns of the same names, and its 'Score' output written.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: LoadCheck <model.zip | model.onnx> <input.idv> <scores.txt>");
    return 2;
}
try
{
    var ml = new MLContext(seed: 1);
    var data = ml.Data.LoadFromBinary(args[1]);
    ITransformer model;
    List<string> lines;
    if (args[0].EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
    {
        // The graph's inputs, by name, from the model file itself.
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(args[0]);
        var inputs = session.InputMetadata.Keys.ToArray();
        model = ml.Transforms.ApplyOnnxModel(new[] { "Score" }, inputs, args[0]).Fit(data);
        // One row per run: the graph's output [N] is a vector of one value.
        lines = model.Transform(data).GetColumn<float[]>("Score").Select(s => s.Single().ToString("R", CultureInfo.InvariantCulture)).ToList();
    }
    else
    {
        model = ml.Model.Load(args[0], out var schema);
        var scored = model.Transform(data);
        var column = scored.Schema["Score"];
        if (column.Type != NumberDataViewType.Single)
            throw new InvalidOperationException($"Score has type {column.Type}, not Single.");
        lines = scored.GetColumn<float>(column).Select(s => s.ToString("R", CultureInfo.InvariantCulture)).ToList();
    }
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
