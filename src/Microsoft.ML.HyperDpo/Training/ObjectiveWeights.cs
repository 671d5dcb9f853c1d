namespace Microsoft.ML.HyperDpo;

/// <summary>Checks and normalises objective-weight vectors (points of the simplex).</summary>
internal static class ObjectiveWeights
{
    /// <summary>
    /// Returns <paramref name="weights"/> divided by their sum, after checking that there are
    /// <paramref name="objectives"/> finite, non-negative values that are not all zero.
    /// </summary>
    public static float[] Normalize(IReadOnlyList<float>? weights, int objectives, string parameterName)
    {
        if (weights is null)
            throw new ArgumentNullException(parameterName);
        string shown = Show(weights);
        if (weights.Count != objectives)
            throw new ArgumentException($"Objective weights {shown} have {weights.Count} values; the model has {objectives} objectives.", parameterName);
        double sum = 0;
        for (int k = 0; k < weights.Count; k++)
        {
            if (!float.IsFinite(weights[k]) || weights[k] < 0)
                throw new ArgumentException($"Objective weights {shown}: value {k} is {weights[k]}; each weight must be a finite number >= 0.", parameterName);
            sum += weights[k];
        }
        if (sum <= 0)
            throw new ArgumentException($"Objective weights {shown} are all zero; at least one must be positive.", parameterName);
        return weights.Select(w => (float)(w / sum)).ToArray();
    }

    /// <summary>
    /// The allocation-free form of <see cref="Normalize"/> for scoring loops: writes the normalised weights into
    /// <paramref name="destination"/> and returns true, or returns false where <see cref="Normalize"/> would throw
    /// (call it then for the message).
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<float> weights, Span<float> destination)
    {
        double sum = 0;
        foreach (float w in weights)
        {
            if (!float.IsFinite(w) || w < 0) return false;
            sum += w;
        }
        if (sum <= 0) return false;
        for (int k = 0; k < weights.Length; k++) destination[k] = (float)(weights[k] / sum);
        return true;
    }

    /// <summary>Equal weights 1/K.</summary>
    public static float[] Uniform(int objectives) => Enumerable.Repeat(1f / objectives, objectives).ToArray();

    /// <summary>The values as "(a, b, c)", round-trippable.</summary>
    public static string Show(IEnumerable<float> weights) =>
        "(" + string.Join(", ", weights.Select(w => w.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + ")";
}
