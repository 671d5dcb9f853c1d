using Microsoft.ML.HyperDpo.Modeling;

namespace Microsoft.ML.HyperDpo.Scoring.Onnx;

/// <summary>
/// The conditioning vector c in an exported graph (<see cref="ConditionVector"/>): the normalised weights, and for a
/// temperature-conditioned model the temperature entry t(beta), from a temperature input when the source has a temperature column,
/// else the source's temperature baked into a constant.
/// </summary>
internal static class OnnxCondition
{
    /// <summary>
    /// c = w for a model trained at one temperature; else (w, t) with t [rows, 1]: t(beta) of the input
    /// <see cref="ObjectiveWeightSource.TemperatureColumnName"/> ([rows, 1], rows null for N), or the constant t(source temperature)
    /// repeated over the rows of <paramref name="rawWeights"/> (the weights input, [rows, K]).
    /// </summary>
    public static string Of(OnnxGraph g, string weights, string rawWeights, int k, long? rows, ObjectiveWeightSource source, IReadOnlyList<float>? range)
    {
        if (range is null) return weights;
        string t;
        if (source.TemperatureColumnName is { } column)
        {
            // t = (ln beta - m) / h, as ConditionVector.Temperature; the graph cannot reject a temperature outside the range.
            double low = Math.Log(range[0]), high = Math.Log(range[1]);
            float middle = (float)((low + high) / 2), half = (float)((high - low) / 2);
            string beta = g.Input(column, rows, 1);
            t = half > 0
                ? g.Node("Div", new[] { g.Node("Sub", new[] { g.Node("Log", new[] { beta }), g.Constant("temperature_middle", new[] { middle }, 1) }), g.Constant("temperature_half", new[] { half }, 1) })
                : g.Node("Mul", new[] { beta, g.Constant("temperature_zero", new[] { 0f }, 1) });
        }
        else
        {
            // One value per row: [rows, K] times zeros [K, 1], plus the constant.
            string zeros = g.Node("MatMul", new[] { rawWeights, g.Constant("temperature_rows", new float[k], k, 1) });
            t = g.Node("Add", new[] { zeros, g.Constant("temperature", new[] { ConditionVector.Temperature(source.Temperature, range) }, 1) });
        }
        return g.Node("Concat", new[] { weights, t }, ("axis", 1));
    }
}
