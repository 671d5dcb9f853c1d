using TorchSharp.Modules;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Sets the optimiser's learning rate before each step: constant, or a linear warm-up over the first
/// 5% of the steps followed by cosine decay to zero at the last step.
/// </summary>
internal sealed class LearningRateScheduler
{
    private readonly LearningRateSchedule _schedule;
    private readonly double _peak;
    private readonly int _totalSteps;
    private readonly int _warmupSteps;

    public LearningRateScheduler(LearningRateSchedule schedule, double peak, int totalSteps)
    {
        _schedule = schedule;
        _peak = peak;
        _totalSteps = Math.Max(1, totalSteps);
        _warmupSteps = Math.Max(1, _totalSteps / 20);
    }

    public double RateAt(int step)
    {
        if (_schedule == LearningRateSchedule.Constant) return _peak;
        if (step < _warmupSteps) return _peak * (step + 1) / _warmupSteps;
        double progress = Math.Min(1.0, (double)(step - _warmupSteps) / Math.Max(1, _totalSteps - _warmupSteps));
        return _peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    public void Apply(OptimizerHelper optimizer, int step)
    {
        double rate = RateAt(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }
}
