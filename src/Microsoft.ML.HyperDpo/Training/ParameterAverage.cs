using Microsoft.ML.HyperDpo.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// An exponential moving average of a network's parameters, kept in a second network of the same architecture
/// (see <see cref="HyperDpoRankingTrainer.OptimiserOptions.ParameterAveragingDecay"/>).
/// </summary>
internal sealed class ParameterAverage
{
    private readonly float _decay;
    private readonly (Tensor Average, Tensor Source)[] _pairs;
    private long _updates;

    public ParameterAverage(IRankingNetwork model, float decay, Device device)
    {
        _decay = decay;
        Averaged = model.EmptyCopy();
        var averaged = Averaged.Module;
        averaged.to(device);
        averaged.load_state_dict(model.Module.state_dict());
        averaged.eval();
        foreach (var p in averaged.parameters()) p.requires_grad = false;
        var sources = model.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        _pairs = averaged.named_parameters().Select(p => ((Tensor)p.parameter, (Tensor)sources[p.name])).ToArray();
    }

    /// <summary>The averaged network (buffers such as the feature standardisation are copied once, as they never change).</summary>
    public IRankingNetwork Averaged { get; }

    /// <summary>avg = d_t avg + (1 - d_t) theta after a step, with d_t = min(decay, (1 + t) / (10 + t)).</summary>
    public void Update()
    {
        _updates++;
        double decay = Math.Min(_decay, (1.0 + _updates) / (10.0 + _updates));
        using var noGrad = no_grad();
        // Explicit Scalars, kept until the native calls have returned (see KeptAlive.AdamW).
        using var keep = decay.ToScalar();
        using var take = (1 - decay).ToScalar();
        foreach (var (average, source) in _pairs)
            average.mul_(keep).add_(source, alpha: take);
    }
}
