using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-defaults</c>: the study behind the training defaults (tie handling, loss normalisation, schedule, truncation),
/// on validation data only: MQ2008 Fold1 trained on S1-S3 and measured on its validation part S4 (relevance with PageRank, and with
/// URL length), and the synthetic long lists (<see cref="SyntheticRankingDataOptions.LongLists"/>) trained on their training split and
/// measured on their validation split. No test part is read. Per variant of the options: the hypervolume of the validation front,
/// each objective's NDCG@10 at its own corner against the single-objective FastTree model's, and the monotonicity check of
/// <see cref="CornerChecks"/>. Writes its own section of docs/benchmarks.md, after every data set.
/// </summary>
internal static class DefaultsStudyCommand
{
    private const string Section = "benchmark-defaults";

    /// <summary>The variants run when none is given: the previous defaults, then one change at a time, then the combinations.</summary>
    private static readonly string[] DefaultVariants =
    {
        "ties=random,norm=sum,epochs=30",
        "ties=grouped,norm=sum,epochs=30",
        "ties=random,norm=per-document,epochs=30",
        "ties=grouped,norm=per-document,epochs=30",
        "ties=random,norm=sum,epochs=15",
        "ties=random,norm=sum,epochs=30,schedule=constant",
        "ties=random,norm=sum,epochs=30,topk=10",
        "ties=grouped,norm=per-document,epochs=15",
    };

    private static readonly (string Key, string Title, string? Objectives)[] DataSets =
    {
        ("pagerank", "MQ2008 Fold1, validation part S4: relevance vs. PageRank (feature 41, higher)", "label,feature:41:higher:PageRank"),
        ("urllength", "MQ2008 Fold1, validation part S4: relevance vs. URL length (feature 45, lower)", "label,feature:45:lower:UrlLength"),
        ("long-lists", "Synthetic long lists (SyntheticRankingDataOptions.LongLists), validation split: Relevance vs. Quality", null),
    };

    public static System.CommandLine.Command Create()
    {
        var mq2008 = BenchmarkOptions.Mq2008("Folder with MQ2008's S1.txt..S5.txt (only S1-S4 are read).");
        var data = new Option<string>("--data") { Description = "Data sets, comma-separated, from: pagerank, urllength, long-lists.", DefaultValueFactory = _ => "pagerank,urllength,long-lists" };
        var variants = new Option<string[]>("--variant")
        {
            Description = "One variant of the trainer options, e.g. 'ties=grouped,norm=per-document,epochs=15' (keys: ties=random|grouped, " +
                "norm=sum|per-document, epochs=N, schedule=cosine|constant, topk=N|full, beta=X, refbeta=X (References.Beta), lr=X); repeat for several. Unset keys keep the trainer's defaults. " +
                "Default: the built-in list.",
        };
        var reference = new Option<bool>("--on-lambdamart") { Description = "Study HyperDPO on LambdaMART (FastTree references) instead of reference-free HyperDPO." };
        var seed = SharedOptions.Seed("Seed of every fit.");
        var benchmarks = SharedOptions.BenchmarksPage("Also write the tables as the 'benchmark-defaults' section of this Markdown file (e.g. docs/benchmarks.md).");
        var command = new System.CommandLine.Command(Section,
            "The study behind the training defaults, on validation data only (MQ2008 Fold1's S4, the long lists' validation split): hypervolume, corners, monotonicity per variant.")
        {
            mq2008, data, variants, reference, seed, benchmarks,
        };
        command.SetAction(r =>
        {
            CliPaths.RequireOutputFile(r.GetValue(benchmarks), "--benchmarks");
            var specs = r.GetValue(variants) is { Length: > 0 } given ? given : DefaultVariants;
            var keys = r.GetValue(data)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (string key in keys.Where(k => DataSets.All(d => d.Key != k)))
                throw new ArgumentException($"--data: unknown data set '{key}'; choose from {string.Join(", ", DataSets.Select(d => d.Key))}.");
            return Run(r.GetValue(mq2008)!, DataSets.Where(d => keys.Contains(d.Key)).ToList(), specs.Select(Variant.Parse).ToList(),
                r.GetValue(reference), r.GetValue(seed), r.GetValue(benchmarks));
        });
        return command;
    }

    /// <summary>One setting of the studied options; null fields keep the trainer's defaults.</summary>
    private sealed record Variant(string Spec, TieHandling? Ties, LossNormalization? Normalization, int? Epochs, LearningRateSchedule? Schedule,
        int? TopK, bool FullList, float? Beta, float? ReferenceBeta, float? LearningRate)
    {
        public static Variant Parse(string spec)
        {
            var v = new Variant(spec, null, null, null, null, null, false, null, null, null);
            foreach (string pair in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
                string value = kv.Length == 2 ? kv[1] : throw Bad(spec, pair);
                v = kv[0] switch
                {
                    "ties" => v with { Ties = value switch { "random" => TieHandling.RandomOrder, "grouped" => TieHandling.Grouped, _ => throw Bad(spec, pair) } },
                    "norm" => v with { Normalization = value switch { "sum" => LossNormalization.Sum, "per-document" => LossNormalization.PerDocument, _ => throw Bad(spec, pair) } },
                    "epochs" => v with { Epochs = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int e) && e > 0 ? e : throw Bad(spec, pair) },
                    "schedule" => v with { Schedule = value switch { "cosine" => LearningRateSchedule.WarmupCosine, "constant" => LearningRateSchedule.Constant, _ => throw Bad(spec, pair) } },
                    "topk" => value == "full" ? v with { TopK = null, FullList = true }
                        : v with { TopK = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k > 0 ? k : throw Bad(spec, pair) },
                    "beta" => v with { Beta = float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float b) && b > 0 ? b : throw Bad(spec, pair) },
                    "refbeta" => v with { ReferenceBeta = float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float rb) && rb > 0 ? rb : throw Bad(spec, pair) },
                    "lr" => v with { LearningRate = float.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out float l) && l > 0 ? l : throw Bad(spec, pair) },
                    _ => throw Bad(spec, pair),
                };
            }
            return v;
        }

        private static ArgumentException Bad(string spec, string pair) => new(
            $"--variant '{spec}': '{pair}' is not one of ties=random|grouped, norm=sum|per-document, epochs=N, schedule=cosine|constant, topk=N|full, beta=X, refbeta=X, lr=X.");

        public HyperDpoRankingTrainer.Options Options()
        {
            var o = new HyperDpoRankingTrainer.Options();
            if (Ties is { } t) o.Loss.Ties = t;
            if (Normalization is { } n) o.Loss.Normalization = n;
            if (Epochs is { } e) o.Optimiser.NumberOfEpochs = e;
            if (Schedule is { } s) o.Optimiser.LearningRateSchedule = s;
            if (TopK is not null || FullList) o.Loss.TopK = TopK;
            if (Beta is { } b) o.Loss.Beta = b;
            if (ReferenceBeta is { } rb) o.References.Beta = rb;
            if (LearningRate is { } l) o.Optimiser.LearningRate = l;
            return o;
        }

        /// <summary>Every studied setting as it is in the fit (defaults filled in).</summary>
        public string Resolved()
        {
            var o = Options();
            return string.Create(CultureInfo.InvariantCulture,
                $"{o.Loss.Ties}, {o.Loss.Normalization}, {o.Optimiser.NumberOfEpochs} epochs, {o.Optimiser.LearningRateSchedule}, top-k {(o.Loss.TopK is int k ? k.ToString(CultureInfo.InvariantCulture) : "full")}, beta {o.Loss.Beta} (with references {o.References.Beta}), lr {o.Optimiser.LearningRate}");
        }
    }

    /// <summary>A method of <see cref="FrontMethods.All"/> shown under the variant's own key and name.</summary>
    private sealed class Named(string key, string name, FrontMethod inner) : FrontMethod
    {
        public override string Name => name;
        public override string Key => key;
        public override int FitCount(int objectives, int gridPoints) => inner.FitCount(objectives, gridPoints);
        public override FittedFront Fit(FrontFitContext context) => inner.Fit(context);
    }

    private static int Run(string folder, List<(string Key, string Title, string? Objectives)> dataSets, List<Variant> variants, bool onLambdaMart,
        int seed, string? benchmarks)
    {
        string baseKey = onLambdaMart ? FrontMethodKeys.HyperDpoOnLambdaMart : FrontMethodKeys.HyperDpo;
        var methods = variants.Select((v, i) => (FrontMethod)new Named($"v{i + 1}", v.Resolved(),
                FrontMethods.All(v.Options).Single(m => m.Key == baseKey)))
            .Append(FrontMethods.All().Single(m => m.Key == FrontMethodKeys.FastTreeSoup)).ToList();
        var done = new List<(string Title, ComparisonResult Result)>();
        foreach (var set in dataSets)
        {
            var ml = new MLContext(seed);
            string[] labels;
            ComparisonSplit split;
            if (set.Objectives is { } objectives)
            {
                var (train, valid, _) = Mq2008Folds.Files(folder, 1);
                var specs = ObjectiveSpec.ParseList(objectives);
                var d = RankingDataSets.FromLetor(ml, train, valid, Array.Empty<string>(), specs);
                labels = d.Objectives;
                split = new ComparisonSplit("Fold1-S4", d.Train, d.Validation, d.Validation!);
            }
            else
            {
                var d = SyntheticRankingData.GenerateSplits(ml, SyntheticRankingDataOptions.LongLists(seed));
                labels = new[] { SyntheticRankingData.RelevanceColumnName, SyntheticRankingData.QualityColumnName };
                split = new ComparisonSplit("long-lists validation", d.Train, d.Validation, d.Validation);
            }
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(set.Title)}[/]");
            var progress = new SynchronousProgress<ComparisonProgress>(p => { if (p.Done == p.Total) AnsiConsole.MarkupLine(Markup.Escape($"  {p.Method}: done")); });
            var result = ParetoComparison.Run(ml, new[] { split }, new ParetoComparisonOptions { LabelColumnNames = labels, Methods = methods, Seed = seed }, progress);
            done.Add((set.Title, result));
            string markdown = Markdown(done, onLambdaMart, seed);
            AnsiConsole.WriteLine(Table(set.Title, result));
            if (benchmarks is not null)
                BenchmarkReport.WriteSection(benchmarks, Section, markdown);
        }
        return 0;
    }

    private static string Table(string title, ComparisonResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        var checks = CornerChecks.Of(result);
        double soup = result.SummaryByKey(FrontMethodKeys.FastTreeSoup)!.Hypervolume.Mean;
        var md = new StringBuilder();
        md.AppendLine($"### {title}").AppendLine();
        md.AppendLine($"| variant (ties, loss normalisation, epochs, schedule, truncation, beta, learning rate) | validation hypervolume | / FastTree score soup's | " +
            $"{string.Join(" | ", result.Objectives.Select(o => $"{o} at its corner"))} | largest rise | rises > {CornerChecks.Tolerance.ToString(inv)} | training, s |");
        md.AppendLine("|---|---|---|" + string.Concat(result.Objectives.Select(_ => "---|")) + "---|---|---|");
        foreach (var s in result.Summaries)
        {
            var c = checks.Single(x => x.Key == s.Key);
            var corners = c.CornerNdcg.Select((n, j) => string.Create(inv, $"{n:F4} ({c.CornerRatio?[j] ?? double.NaN:F3}x)"));
            md.AppendLine(string.Create(inv, $"| {s.Method} | {s.Hypervolume.Mean:F4} | {s.Hypervolume.Mean / soup:F3}x | {string.Join(" | ", corners)} | {c.WorstRise:F4} | {c.Rises} | {s.TrainingSeconds.Mean:F1} |"));
        }
        return md.ToString();
    }

    private static string Markdown(List<(string Title, ComparisonResult Result)> done, bool onLambdaMart, int seed)
    {
        var md = new StringBuilder();
        md.AppendLine("## Choosing the training defaults on validation data (benchmark-defaults)").AppendLine();
        md.AppendLine(ReportHeader.WrittenBy(Program.Run) + ", a shared, busy machine: compare times within a table only.");
        md.AppendLine();
        md.AppendLine($"{(onLambdaMart ? "HyperDPO on LambdaMART (FastTree references)" : "Reference-free HyperDPO")}, one fit per variant and seed {seed}; every other option at its default. " +
            "Only validation data is read: MQ2008 Fold1 is trained on S1-S3, stops early on S4 and is measured on S4; the long lists are trained on their training split and " +
            "stop early on and are measured on their validation split. Corners: each objective's NDCG@10 at its own corner against the FastTree model trained on that objective " +
            "alone (the score soup's corner); largest rise and rises: the monotonicity check along the weight grid (see the compare section).");
        md.AppendLine();
        foreach (var (title, result) in done)
            md.AppendLine(Table(title, result));
        return md.ToString();
    }
}
