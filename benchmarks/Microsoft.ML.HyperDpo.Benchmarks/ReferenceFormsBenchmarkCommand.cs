using System.CommandLine;
using System.Globalization;
using System.Text;
using Microsoft.ML.HyperDpo.Comparison;
using Microsoft.ML.HyperDpo.Cli;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Benchmarks;

/// <summary>
/// <c>benchmark-reference-forms</c>: the three ways the loss can see FastTree references (<see cref="ReferenceForm"/>),
/// each at a few values of beta, as "HyperDPO on LambdaMART" fits them (the trainer fits the references), measured on validation
/// data only: MQ2008 Fold1 trains on S1-S3 and validates on S4 (early stopping and measurement; S5, the test part, is never read),
/// or the long-list synthetic data's own validation split. Per variant: the validation hypervolume over the FastTree score soup's,
/// each objective's corner over the single-objective FastTree model's, the largest rise along the grid and the fit time.
/// Writes one section of docs/benchmarks.md per set of objectives.
/// </summary>
internal static class ReferenceFormsBenchmarkCommand
{
    private const string Section = "benchmark-reference-forms";

    public static System.CommandLine.Command Create()
    {
        var mq2008 = BenchmarkOptions.Mq2008("Folder with MQ2008's S1.txt..S5.txt (Fold1's S1-S4 are read).");
        var objectives = new Option<string>("--objectives")
        {
            Description = "The objectives, e.g. 'label,feature:41:higher:PageRank', or 'long-lists' for the synthetic long-list data.",
            DefaultValueFactory = _ => "label,feature:41:higher:PageRank",
        };
        var betas = SharedOptions.Numbers("--betas", "Values of beta to try for every form, comma-separated.", "1,5,20");
        var folds = new Option<int>("--reference-folds") { Description = "References.Folds of the residual and extra-inputs forms (out-of-fold reference scores); the extra-inputs form also runs once with in-sample scores at beta 5.", DefaultValueFactory = _ => 5 };
        var forms = new Option<string>("--forms") { Description = $"Forms to run, comma-separated, from: {string.Join(", ", Enum.GetNames<ReferenceForm>())}.", DefaultValueFactory = _ => string.Join(",", Enum.GetNames<ReferenceForm>()) };
        var seed = SharedOptions.Seed("Seed of every fit.");
        var benchmarks = SharedOptions.BenchmarksPage("Also write the table as a section of this Markdown file (e.g. docs/benchmarks.md).");
        var command = new System.CommandLine.Command("benchmark-reference-forms",
            "Compare the reference forms (implicit reward, residual, extra inputs) of HyperDPO on LambdaMART on validation data: hypervolume over the FastTree score soup, corners over FastTree.")
        {
            mq2008, objectives, forms, betas, folds, seed, benchmarks,
        };
        command.SetAction(r => Run(r.GetValue(mq2008)!, r.GetValue(objectives)!, ParseForms(r.GetValue(forms)!), NumberList.Parse(r.GetValue(betas)!, "--betas", positive: true), r.GetValue(folds),
            r.GetValue(seed), r.GetValue(benchmarks)));
        return command;
    }

    private static ReferenceForm[] ParseForms(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => Enum.TryParse<ReferenceForm>(t, ignoreCase: true, out var form) && Enum.IsDefined(form)
            ? form : throw new ArgumentException($"--forms: '{t}' is not one of {string.Join(", ", Enum.GetNames<ReferenceForm>())}."))
        .Distinct().ToArray() is { Length: > 0 } forms ? forms : throw new ArgumentException("--forms names no form.");

    /// <summary>One variant: a form, beta and reference folds, run as "HyperDPO on LambdaMART" under its own key.</summary>
    private sealed class Variant(ReferenceForm form, float beta, int referenceFolds) : FrontMethod
    {
        private readonly HyperDpoOnLambdaMart _method = new(() => new HyperDpoRankingTrainer.Options
        {
            References = { Form = form, Beta = beta, Folds = referenceFolds },
        });

        public ReferenceForm Form => form;
        public float Beta => beta;
        public int ReferenceFolds => referenceFolds;
        public override string Name => string.Create(CultureInfo.InvariantCulture, $"{form}, beta {beta}, reference folds {referenceFolds}");
        public override string Key => string.Create(CultureInfo.InvariantCulture, $"{form}-{beta}-{referenceFolds}").ToLowerInvariant();
        public override int FitCount(int objectives, int gridPoints) => _method.FitCount(objectives, gridPoints);
        public override FittedFront Fit(FrontFitContext context) => _method.Fit(context);
    }

    private static int Run(string folder, string objectives, ReferenceForm[] forms, float[] betas, int referenceFolds, int seed, string? benchmarks)
    {
        CliPaths.RequireOutputFile(benchmarks, "--benchmarks");
        var ml = new MLContext(seed);
        string[] labels;
        string description;
        ComparisonSplit split;
        if (objectives.Trim().Equals("long-lists", StringComparison.OrdinalIgnoreCase))
        {
            var data = SyntheticRankingData.GenerateSplits(ml, SyntheticRankingDataOptions.LongLists(seed));
            labels = new[] { SyntheticRankingData.RelevanceColumnName, SyntheticRankingData.QualityColumnName };
            description = "synthetic long lists (`SyntheticRankingDataOptions.LongLists`), trained on its training split, measured on its validation split";
            split = new ComparisonSplit("long-lists validation", data.Train, data.Validation, data.Validation!);
        }
        else
        {
            var (train, valid, _) = Mq2008Folds.Files(folder, 1);
            var specs = ObjectiveSpec.ParseList(objectives);
            var data = RankingDataSets.FromLetor(ml, train, valid, Array.Empty<string>(), specs);
            labels = data.Objectives;
            description = $"MQ2008 Fold1, trained on S1-S3, early stopping and measurement on S4 (objectives `{objectives}`)";
            split = new ComparisonSplit("Fold1 S4", data.Train, data.Validation, data.Validation!);
        }

        // The implicit-reward loss never reads the training rows' reference scores, so out-of-fold fits would change nothing there.
        var variants = new List<Variant>();
        foreach (var form in forms)
            variants.AddRange(betas.Select(b => new Variant(form, b, form == ReferenceForm.ImplicitReward ? 0 : referenceFolds)));
        if (referenceFolds >= 2 && forms.Contains(ReferenceForm.ExtraInputs)) variants.Add(new Variant(ReferenceForm.ExtraInputs, 5f, 0));
        var soup = new LambdaMartScoreSoup(LambdaMartLibrary.FastTree);
        var options = new ParetoComparisonOptions { LabelColumnNames = labels, Methods = variants.Cast<FrontMethod>().Append(soup).ToList(), Seed = seed };
        var progress = new SynchronousProgress<ComparisonProgress>(p =>
        {
            if (p.Done == p.Total) AnsiConsole.MarkupLine(Markup.Escape($"{p.Method}: done"));
        });
        var result = ParetoComparison.Run(ml, new List<ComparisonSplit> { split }, options, progress);

        string markdown = Markdown(result, variants, soup.Key, $"{ReportHeader.WrittenBy(Program.Run)}. {description}", labels);
        if (benchmarks is not null)
            BenchmarkReport.Publish(benchmarks, $"{Section} {string.Join("-", labels)}", markdown);
        else
            AnsiConsole.WriteLine(markdown);
        return 0;
    }

    private static string Markdown(ComparisonResult result, IReadOnlyList<Variant> variants, string soupKey, string description, string[] labels)
    {
        var inv = CultureInfo.InvariantCulture;
        var checks = CornerChecks.Of(result, soupKey).ToDictionary(c => c.Key);
        var soup = result.SummaryByKey(soupKey)!;
        var md = new StringBuilder();
        md.AppendLine($"## Reference forms on validation data: {string.Join(" vs. ", labels)} (`benchmark-reference-forms`)");
        md.AppendLine();
        md.AppendLine($"{description}. \"HyperDPO on LambdaMART\" (FastTree references fitted by the trainer, default options otherwise) in each " +
            "`References.Form` and beta; reference folds: `References.Folds` (0: the references' in-sample scores on the training rows). " +
            "Hypervolume of the NDCG@10 front over the weight lattice (reference point at the origin) against the FastTree score soup's on the same data; " +
            "corners: each objective's NDCG@10 at its own corner against the single-objective FastTree model's; rise: the largest rise of an objective's " +
            "NDCG@10 as its weight falls by one grid step. Fit time includes the reference fits, on a shared, busy machine (compare within this table only).");
        md.AppendLine();
        md.AppendLine(string.Create(inv, $"FastTree score soup: hypervolume {soup.Hypervolume.Mean:F4}; corners {string.Join(" / ", checks[soupKey].CornerNdcg.Select(c => c.ToString("F4", inv)))}."));
        md.AppendLine();
        md.AppendLine($"| form | beta | reference folds | hypervolume | / soup | corners / FastTree ({string.Join(" / ", labels)}) | largest rise | fit (s) |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var v in variants)
        {
            var s = result.SummaryByKey(v.Key)!;
            var c = checks[v.Key];
            md.AppendLine(string.Create(inv,
                $"| {v.Form} | {v.Beta} | {v.ReferenceFolds} | {s.Hypervolume.Mean:F4} | {s.Hypervolume.Mean / soup.Hypervolume.Mean:F3}x | {string.Join(" / ", c.CornerRatio!.Select(x => x.ToString("F3", inv) + "x"))} | {c.WorstRise:F4} | {s.TrainingSeconds.Mean:F1} |"));
        }
        return md.ToString();
    }
}
