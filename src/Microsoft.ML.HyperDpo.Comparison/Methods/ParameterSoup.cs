using Microsoft.ML.HyperDpo.Scoring;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// Model soup: one HyperDPO network whose every parameter is the weighted average of the same parameter in several fitted
/// networks. With K single-objective networks and the objective weights as mixing weights this is the DPO Soup baseline
/// (Rame et al., "Rewarded soups"): K fits, and a trade-off chosen at prediction time by interpolating parameters.
/// </summary>
/// <remarks>
/// Averaging parameters only makes sense between networks that started from the same initial parameters (the same
/// <see cref="HyperDpoRankingTrainer.Options.Seed"/>, hidden sizes and conditioning) and were trained on the same data, so
/// that they stay in one basin; networks of different architectures are rejected. Buffers (the feature standardisation)
/// are averaged too; they are equal for fits on the same training data.
/// </remarks>
public static class ParameterSoup
{
    /// <summary>
    /// A model whose parameters are sum_i weights[i] * parameters of models[i] (weights normalised to sum 1).
    /// </summary>
    /// <param name="mlContext">The ML.NET context of the new transformer.</param>
    /// <param name="models">Fitted HyperDPO models with the same architecture, objectives, feature column and reference model.</param>
    /// <param name="weights">One mixing weight per model, finite and &gt;= 0, not all zero.</param>
    /// <returns>The mixed model. When there is one weight per objective, its objective weights are set to the mixing weights.</returns>
    /// <exception cref="ArgumentException">No model, a weight count that differs from the model count, bad weights, or models that differ in architecture or columns.</exception>
    public static HyperDpoRankingTransformer Mix(MLContext mlContext, IReadOnlyList<HyperDpoRankingTransformer> models, IReadOnlyList<float> weights)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
            throw new ArgumentException("A soup needs at least one model.", nameof(models));
        var mix = ObjectiveWeights.Normalize(weights, models.Count, nameof(weights));
        var first = models[0].ScoringModel;
        for (int i = 1; i < models.Count; i++)
        {
            var other = models[i].ScoringModel;
            if (other.FeatureColumnName != first.FeatureColumnName || other.FeatureCount != first.FeatureCount)
                throw new ArgumentException($"Model {i} reads '{other.FeatureColumnName}' ({other.FeatureCount} values); model 0 reads '{first.FeatureColumnName}' ({first.FeatureCount}).", nameof(models));
            if (!other.Objectives.SequenceEqual(first.Objectives))
                throw new ArgumentException($"Model {i} has the objectives {string.Join(", ", other.Objectives)}; model 0 has {string.Join(", ", first.Objectives)}.", nameof(models));
            if (!ReferenceEquals(other.Reference, first.Reference) || other.ReferenceScoreColumnName != first.ReferenceScoreColumnName)
                throw new ArgumentException($"Model {i} has a different reference model from model 0; a soup mixes networks over one reference.", nameof(models));
        }

        var states = models.Select(m => m.ScoringModel.Network.Module.state_dict()).ToList();
        var network = first.Network.EmptyCopy();
        using (no_grad())
        {
            var target = network.Module.state_dict();
            foreach (var (name, tensor) in target)
            {
                for (int i = 0; i < states.Count; i++)
                    if (!states[i].TryGetValue(name, out var source) || !source.shape.SequenceEqual(tensor.shape))
                        throw new ArgumentException($"Model {i} has no parameter '{name}' of shape [{string.Join(", ", tensor.shape)}]; a soup needs networks of one architecture (same hidden sizes and conditioning).", nameof(models));
                using var scope = NewDisposeScope();
                var sum = zeros_like(tensor);
                for (int i = 0; i < states.Count; i++)
                {
                    // An explicit Scalar, kept until the native call has returned (see KeptAlive.AdamW in the library).
                    using var weight = mix[i].ToScalar();
                    sum.add_(states[i][name].to(tensor.device), alpha: weight);
                }
                tensor.copy_(sum);
            }
        }
        network.Module.to(first.Device);
        network.Module.eval();
        var model = new ConditionedScoringModel(network, first.Device, first.FeatureColumnName, first.Objectives, first.Reference, first.ReferenceScoreColumnName, first.GroupColumnName,
            first.TemperatureRange, first.ReferenceInputs, first.ReferenceReadsWeights);
        var objectiveWeights = mix.Length == first.Objectives.Count ? mix : models[0].ObjectiveWeights.ToArray();
        return new HyperDpoRankingTransformer((IHostEnvironment)mlContext, model, objectiveWeights, report: null, temperature: models[0].Temperature);
    }
}
