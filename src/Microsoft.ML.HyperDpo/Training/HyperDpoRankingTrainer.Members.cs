using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Modeling;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

public sealed partial class HyperDpoRankingTrainer
{
    /// <summary>Seed step between the members of a weight average (<see cref="OptimiserOptions.EnsembleSize"/>): member i draws from seed + i times this.</summary>
    internal const int MemberSeedStep = 1000;

    /// <summary>
    /// The network of a fit: one <see cref="TrainingLoop"/> run, or, with <see cref="OptimiserOptions.EnsembleSize"/> above 1 or
    /// <see cref="ValidationOptions.RefitOnValidationData"/>, the weight average of several members, each refitted on the training and validation
    /// lists when asked (<paramref name="resumed"/>: the interrupted fit a single run continues). Returns the network, the report and the last run's optimiser state.
    /// </summary>
    private (IRankingNetwork Model, TrainingReport Report, byte[] OptimizerState) TrainNetwork(Options o, ListwiseDataset train, ListwiseDataset? validation,
        Device device, int seed, Func<ListwiseDataset, IRankingNetwork> createNetwork, byte[]? optimizerState, Action<int, int, IRankingNetwork, byte[], byte[]>? checkpoint, IChannel channel, ResumedFit? resumed)
    {
        var loop = new TrainingLoop(o, _host, channel, resumed);
        bool refit = o.Validation.RefitOnValidationData && validation is not null;
        if (o.Optimiser.EnsembleSize == 1 && !refit)
            return loop.Run(train, validation, device, seed, () => createNetwork(train), optimizerState, checkpoint);

        var joined = refit ? train.Concat(validation!) : null;
        var members = new List<IRankingNetwork>();
        var reports = new List<TrainingReport>();
        byte[] lastOptimizerState = Array.Empty<byte>();
        for (int i = 0; i < o.Optimiser.EnsembleSize; i++)
        {
            int memberSeed = unchecked(seed + MemberSeedStep * i);
            var (network, report, state) = loop.Run(train, validation, device, memberSeed, () => createNetwork(train), null, initSeed: seed);
            if (refit && report.BestEpoch > 0)
            {
                // The refit starts as the first fit started (the feature standardisation fitted on all its lists) and runs the epochs that fit chose.
                network.Module.Dispose();
                var (again, refitReport, refitState) = loop.Run(joined!, null, device, memberSeed, () => createNetwork(joined!), null, stopAfterEpochs: report.BestEpoch, initSeed: seed);
                channel.Info(MessageSensitivity.None, $"HyperDPO: refitted on {joined!.ListCount} training and validation lists for {report.BestEpoch} epochs.");
                (network, state) = (again, refitState);
                report = report with
                {
                    TrainingTime = report.TrainingTime + refitReport.TrainingTime,
                    DocumentsProcessed = report.DocumentsProcessed + refitReport.DocumentsProcessed,
                    PaddedDocumentsProcessed = report.PaddedDocumentsProcessed + refitReport.PaddedDocumentsProcessed,
                    OptimiserSteps = report.OptimiserSteps + refitReport.OptimiserSteps,
                    RefitEpochs = report.BestEpoch,
                };
            }
            members.Add(network);
            reports.Add(report);
            lastOptimizerState = state;
        }
        var kept = members[0];
        if (members.Count > 1)
        {
            AverageInto(kept, members);
            foreach (var m in members.Skip(1)) m.Module.Dispose();
        }
        double? keptScore = null;
        if (validation is not null && members.Count > 1)
            keptScore = KeepAverageOrReference(o, kept, train, validation, device, channel);
        var first = reports[0];
        var combined = first with
        {
            TrainingTime = TimeSpan.FromTicks(reports.Sum(r => r.TrainingTime.Ticks)),
            DocumentsProcessed = reports.Sum(r => r.DocumentsProcessed),
            PaddedDocumentsProcessed = reports.Sum(r => r.PaddedDocumentsProcessed),
            OptimiserSteps = reports.Sum(r => r.OptimiserSteps),
            MemberBestEpochs = members.Count > 1 ? reports.Select(r => r.BestEpoch).ToArray() : Array.Empty<int>(),
            KeptValidationScore = keptScore,
        };
        return (kept, combined, lastOptimizerState);
    }

    /// <summary>Sets <paramref name="target"/>'s parameters to the mean of <paramref name="members"/>' (which include it); buffers are the same in every member.</summary>
    private static void AverageInto(IRankingNetwork target, IReadOnlyList<IRankingNetwork> members)
    {
        using var noGrad = no_grad();
        var sources = members.Skip(1).Select(m => m.Module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter)).ToArray();
        using var share = (1.0 / members.Count).ToScalar();
        foreach (var (name, parameter) in target.Module.named_parameters())
        {
            foreach (var source in sources) parameter.add_(source[name]);
            parameter.mul_(share);
        }
    }

    /// <summary>
    /// Measures the averaged network on the validation data; with a reference, keeps the reference alone (g = 0) when that scores higher,
    /// so that the average, like one fit, never ends below the reference there. Returns the kept model's validation figure.
    /// </summary>
    private double KeepAverageOrReference(Options o, IRankingNetwork averaged, ListwiseDataset train, ListwiseDataset validation, Device device, IChannel channel)
    {
        using var generator = new Generator(0, device);
        using var weights = TrainingWeights.Create(o, train.ObjectiveCount, generator, device);
        using var evaluator = new ValidationEvaluator(validation, weights.ValidationGrid, o.Validation.EvaluationTruncation, device, o.Loss.TemperatureRange,
            checkCancelled: () => MlNetInternals.ThrowIfCanceled(_host));
        averaged.Module.eval();
        double score = weights.ValidationFigure(evaluator.Measure(averaged));
        channel.Info(MessageSensitivity.None, $"HyperDPO: the average of {o.Optimiser.EnsembleSize} fits scores {score:F4} on the validation data ({weights.FigureName}).");
        if (!train.HasReference) return score;
        var soup = averaged.EmptyCopy();
        soup.Module.to(device);
        soup.Module.load_state_dict(averaged.Module.state_dict());
        soup.ZeroOutput();
        soup.Module.eval();
        double reference = weights.ValidationFigure(evaluator.Measure(soup));
        if (reference > score)
        {
            channel.Info(MessageSensitivity.None, $"HyperDPO: the reference alone scores higher ({reference:F4}); keeping it.");
            averaged.ZeroOutput();
            score = reference;
        }
        soup.Module.Dispose();
        return score;
    }
}
