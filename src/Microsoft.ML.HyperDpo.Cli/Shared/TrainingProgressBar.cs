using System.Globalization;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli;

/// <summary>A HyperDPO fit shown as a progress bar, fed by the trainer's per-epoch progress records.</summary>
internal static class TrainingProgressBar
{
    /// <summary>Fits with a progress bar fed by the trainer's per-epoch progress records.</summary>
    public static HyperDpoRankingTransformer Fit(MLContext ml, HyperDpoRankingTrainer.Options options, RankingDataSets data)
    {
        HyperDpoRankingTransformer? model = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask("Training HyperDPO", maxValue: options.Optimiser.NumberOfEpochs);
                var caller = options.Runtime.Progress;
                options.Runtime.Progress = new ProgressBar(task, caller);
                try
                {
                    model = ml.Ranking.Trainers.HyperDpo(options).Fit(data.Train, data.Validation);
                }
                finally
                {
                    options.Runtime.Progress = caller;
                }
                if (model?.TrainingReport is { } report && report.Epochs.Count < options.Optimiser.NumberOfEpochs)
                    task.Description = Markup.Escape($"Training HyperDPO: stopped early after epoch {report.Epochs.Count} (kept epoch {report.BestEpoch})");
                task.Value = task.MaxValue;
            });
        return model!;
    }

    /// <summary>Moves the bar and shows the epoch's figures as each record arrives (on the training thread).</summary>
    private sealed class ProgressBar(ProgressTask task, IProgress<TrainingProgress>? next) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            var e = value.Epoch;
            task.Value = e.Epoch;
            string validation = e.ValidationScore is double v
                ? string.Create(CultureInfo.InvariantCulture, $", validation {value.ValidationMetric} {v:F4}{(value.IsBestSoFar ? " (best so far)" : "")}")
                : "";
            task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"Training HyperDPO: loss {e.MeanLoss:F4}{validation}"));
            next?.Report(value);
        }
    }
}
