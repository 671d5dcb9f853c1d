using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Modeling;

/// <summary>
/// The conditioning vector c that the scoring network receives per list: the K objective weights w, and, for a model trained
/// with <see cref="HyperDpoRankingTrainer.LossOptions.TemperatureRange"/>, one more entry t(beta) that says the temperature. Its
/// width and layout are taken from here, never assumed to be K, by the training step, validation, every scoring path and the
/// ONNX export.
/// </summary>
/// <remarks>
/// t(beta) = (ln beta - m) / h with m and h the midpoint and half-width of [ln beta_min, ln beta_max]: -1 at the lowest trained
/// temperature, +1 at the highest, so that the network sees it at the scale of the weights (0 when the range is one value).
/// </remarks>
internal static class ConditionVector
{
    /// <summary>The length of c for <paramref name="objectiveCount"/> objectives, with or without the temperature entry.</summary>
    public static int Width(int objectiveCount, bool temperature = false) => objectiveCount + (temperature ? 1 : 0);

    /// <summary>The temperature entry t(beta) for the trained range [<paramref name="range"/>[0], <paramref name="range"/>[1]].</summary>
    public static float Temperature(float beta, IReadOnlyList<float> range)
    {
        var (middle, half) = LogScale(range);
        return half > 0 ? (float)((Math.Log(beta) - middle) / half) : 0f;
    }

    /// <summary>c = w, or (w, t(beta)) with a trained range.</summary>
    public static float[] Of(float[] weights, float beta, IReadOnlyList<float>? range)
    {
        var c = new float[Width(weights.Length, range is not null)];
        weights.CopyTo(c, 0);
        if (range is not null) c[^1] = Temperature(beta, range);
        return c;
    }

    /// <summary>
    /// Draws a temperature per list, log-uniform on the range: returns the temperatures [lists, 1] and c = (w, t(beta))
    /// [lists, K + 1] for the weights <paramref name="weights"/> [lists, K].
    /// </summary>
    public static (Tensor Betas, Tensor Condition) DrawTemperatures(Tensor weights, IReadOnlyList<float> range, Generator generator)
    {
        var (middle, half) = LogScale(range);
        // ln beta uniform on the range is t uniform on [-1, 1] (a point when the range is one value).
        var t = rand(new long[] { weights.shape[0], 1 }, generator: generator, device: weights.device).Times(2f).Plus(-1);
        if (half == 0) t = zeros_like(t);
        var betas = t.Times((float)half).Plus((float)middle).exp();
        return (betas, cat(new[] { weights, t }, dim: 1));
    }

    /// <summary>c for one temperature and every grid weight vector [1, K]: (w, t(beta)), or w without a range.</summary>
    public static Tensor Of(Tensor weights, float beta, IReadOnlyList<float>? range)
    {
        if (range is null) return weights;
        using var t = full(new long[] { weights.shape[0], 1 }, Temperature(beta, range), device: weights.device);
        return cat(new[] { weights, t }, dim: 1);
    }

    /// <summary>The geometric mean of the range: the temperature t = 0, a model's default without validation data.</summary>
    public static float MiddleTemperature(IReadOnlyList<float> range) => (float)Math.Sqrt((double)range[0] * range[1]);

    /// <summary><paramref name="count"/> temperatures log-spaced over the range, ends included (one when the range is one value).</summary>
    public static float[] TemperatureGrid(IReadOnlyList<float> range, int count)
    {
        if (range[0] == range[1] || count < 2) return new[] { MiddleTemperature(range) };
        double low = Math.Log(range[0]), high = Math.Log(range[1]);
        var grid = Enumerable.Range(0, count).Select(i => (float)Math.Exp(low + (high - low) * i / (count - 1))).ToArray();
        // The ends exactly as given, not as exp(ln x) rounds them.
        grid[0] = range[0];
        grid[^1] = range[1];
        return grid;
    }

    private static (double Middle, double Half) LogScale(IReadOnlyList<float> range)
    {
        double low = Math.Log(range[0]), high = Math.Log(range[1]);
        return ((low + high) / 2, (high - low) / 2);
    }
}
