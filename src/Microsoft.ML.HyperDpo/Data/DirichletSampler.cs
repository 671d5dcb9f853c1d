using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Data;

/// <summary>
/// Draws objective-weight vectors w ~ Dirichlet(alpha, ..., alpha), one per training list, from a seeded generator.
/// </summary>
/// <remarks>Uses the Gamma construction: w_k = g_k / sum g, g_k ~ Gamma(alpha, 1).</remarks>
public sealed class DirichletSampler
{
    private readonly Tensor _concentration;
    private readonly Generator _generator;

    /// <summary>A sampler over <paramref name="objectives"/> weights with concentration <paramref name="alpha"/>, drawing from
    /// <paramref name="generator"/> on <paramref name="device"/>.</summary>
    public DirichletSampler(int objectives, float alpha, Generator generator, Device device)
    {
        using var value = alpha.ToScalar(); // explicit, kept until the native call has returned (see KeptAlive.AdamW)
        _concentration = torch.full(objectives, value, dtype: ScalarType.Float32, device: device);
        _generator = generator;
    }

    /// <summary>A [count, K] tensor whose rows lie on the simplex.</summary>
    public Tensor Sample(int count)
    {
        using var scope = torch.NewDisposeScope();
        var alpha = _concentration.unsqueeze(0).expand(count, -1);
        var gamma = torch._standard_gamma(alpha, _generator);
        return (gamma / gamma.sum(1, keepdim: true)).MoveToOuterDisposeScope();
    }
}
