using System.CommandLine;
using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Demo;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Persistence;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;
using Spectre.Console;

namespace Microsoft.ML.HyperDpo.Cli.Language;

/// <summary><c>hyperdpo pretrain</c>, <c>hyperdpo align</c> and <c>hyperdpo generate</c>: multi-objective alignment of a GPT-2-architecture language model.</summary>
internal static class LanguageCommands
{
    private const string DemoCommand = "hyperdpo align --data ../shared/data/qa-feedback-finegrainedrlhf/dev_feedback.json --demo";

    /// <summary>Preference lists from a qa-feedback JSON file or a JSON Lines file of the library's format, with the computed objectives added.</summary>
    private static IReadOnlyList<PreferenceList> LoadLists(string path, IEnumerable<string> objectives)
    {
        var lists = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? PreferenceListFile.Read(path) : QaFeedbackReader.Read(path);
        var computed = objectives.Where(o => lists.Count > 0 && !lists[0].Scores.ContainsKey(o)).Select(ResponseObjectives.Get);
        return ResponseObjectives.Apply(lists, computed);
    }

    private static string[] SplitList(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static System.CommandLine.Command Pretrain()
    {
        var data = new Option<string>("--data") { Description = "qa-feedback JSON or preference JSON Lines file: its training split's prompts, responses and contexts are the text.", Required = true };
        var output = new Option<string>("--output") { Description = "Checkpoint directory to write (config.json, model.safetensors, vocabulary.json).", Required = true };
        var heldOut = new Option<int>("--held-out") { Description = "Lists held out of the text (the split align uses).", DefaultValueFactory = _ => 100 };
        var vocabulary = new Option<int>("--vocabulary") { Description = "Compact vocabulary size.", DefaultValueFactory = _ => 4096 };
        var width = new Option<int>("--width") { Description = "Embedding width.", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => 2 };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => 4 };
        var context = new Option<int>("--context") { Description = "Context length.", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 500 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var command = new System.CommandLine.Command("pretrain", "Pre-train a tiny GPT-2-architecture language model on the text of a preference file (the training split only).")
        {
            data, output, heldOut, vocabulary, width, layers, heads, context, steps, seed,
        };
        command.SetAction(r =>
        {
            CliPaths.RequireOutputDirectory(r.GetValue(output), "--output");
            var lists = LoadLists(r.GetValue(data)!, Array.Empty<string>());
            var split = PreferenceSplit.Create(lists, r.GetValue(heldOut), PreferenceSplit.DefaultSeed + r.GetValue(seed));
            var corpus = LanguageModelPretrainer.CorpusOf(split.Training);
            var tokenizer = LanguageTokenizer.BuildCompact(corpus, r.GetValue(vocabulary));
            var model = new Gpt2LanguageModel(new Gpt2Config
            {
                VocabularySize = tokenizer.VocabularySize, ContextLength = r.GetValue(context), EmbeddingSize = r.GetValue(width), Layers = r.GetValue(layers), Heads = r.GetValue(heads),
            }, r.GetValue(seed));
            double loss = 0;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
            {
                var task = ctx.AddTask("pre-training", maxValue: r.GetValue(steps));
                loss = LanguageModelPretrainer.Pretrain(model, tokenizer, corpus, new PretrainingOptions { Steps = r.GetValue(steps), Seed = r.GetValue(seed) },
                    new InlineProgress<PretrainingProgress>(p =>
                    {
                        task.Value = p.Step;
                        task.Description = $"pre-training, loss {p.Loss:F2}, {p.TokensPerSecond:F0} tokens/s";
                    }), Interruption.Observe());
            });
            Gpt2Checkpoint.Save(r.GetValue(output)!, model, tokenizer);
            AnsiConsole.MarkupLine($"Final loss {loss:F3} nats/token; saved to [bold]{Markup.Escape(r.GetValue(output)!)}[/].");
            return 0;
        });
        return command;
    }

    public static System.CommandLine.Command Align()
    {
        var data = new Option<string>("--data") { Description = "qa-feedback JSON file, or a preference JSON Lines file.", Required = true };
        var demo = new Option<bool>("--demo") { Description = "Run the whole CPU demo: pre-train, align with HPT and the baselines, evaluate, generate; write the report." };
        var small = new Option<bool>("--small") { Description = "With --demo: the small configuration (a minute or two; for CI)." };
        var model = new Option<string?>("--model") { Description = "Without --demo: the base model's checkpoint directory (hyperdpo pretrain, or a Hugging Face GPT-2 directory)." };
        var output = new Option<string?>("--output") { Description = "Without --demo: directory to save the aligned model to." };
        var objectives = new Option<string>("--objectives") { Description = "Objectives, comma-separated: conciseness, grounding, correctness, human.", DefaultValueFactory = _ => "conciseness,grounding" };
        var steps = new Option<int>("--steps") { Description = "Without --demo: training steps.", DefaultValueFactory = _ => 240 };
        var promptLength = new Option<int>("--prompt-length") { Description = "Soft-prompt length m.", DefaultValueFactory = _ => 8 };
        var beta = new Option<float>("--beta") { Description = "DPO temperature beta.", DefaultValueFactory = _ => 0.1f };
        var loraRank = new Option<int>("--lora-rank") { Description = "Rank of low-rank adapters on the attention projections (0: prompt only).", DefaultValueFactory = _ => 0 };
        var heldOut = new Option<int>("--held-out") { Description = "Held-out lists.", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed.", DefaultValueFactory = _ => 0 };
        var benchmarks = new Option<string>("--benchmarks") { Description = "With --demo: Markdown file whose 'align' section is written.", DefaultValueFactory = _ => "docs/benchmarks.md" };
        var plot = new Option<string>("--plot") { Description = "With --demo: PNG of the held-out fronts.", DefaultValueFactory = _ => "docs/align/front.png" };
        var threads = new Option<int>("--threads") { Description = "TorchSharp threads (the demo's default, 1, avoids oversubscribing a shared machine; 0: TorchSharp's own).", DefaultValueFactory = _ => 1 };
        var command = new System.CommandLine.Command("align", "Align a language model on several objectives with Hyper Prompt Tuning (listwise multi-objective DPO); --demo runs the whole CPU demo.")
        {
            data, demo, small, model, output, objectives, steps, promptLength, beta, loraRank, heldOut, seed, benchmarks, plot, threads,
        };
        command.SetAction(r =>
        {
            string dataPath = r.GetValue(data)!;
            var names = SplitList(r.GetValue(objectives)!);
            if (r.GetValue(demo))
            {
                if (!r.GetValue(small)) CliPaths.RequireOutputFile(r.GetValue(benchmarks), "--benchmarks");
                CliPaths.RequireOutputFile(r.GetValue(plot), "--plot");
                return RunDemo(dataPath, names, r.GetValue(small), r.GetValue(seed), r.GetValue(threads), r.GetValue(benchmarks)!, r.GetValue(plot)!);
            }
            CliPaths.RequireOutputDirectory(r.GetValue(output), "--output");
            string modelDir = r.GetValue(model) ?? throw new ArgumentException("--model is required without --demo (a checkpoint directory from 'hyperdpo pretrain').");
            string outputDir = r.GetValue(output) ?? throw new ArgumentException("--output is required without --demo.");
            var (baseModel, tokenizer) = Gpt2Checkpoint.Load(modelDir);
            var split = PreferenceSplit.Create(LoadLists(dataPath, names), r.GetValue(heldOut), PreferenceSplit.DefaultSeed + r.GetValue(seed));
            var options = new LanguageAlignmentOptions
            {
                Objectives = names, Steps = r.GetValue(steps), PromptLength = r.GetValue(promptLength), Beta = r.GetValue(beta), LoraRank = r.GetValue(loraRank),
                Seed = r.GetValue(seed), LearningRate = 1e-2f,
            };
            AlignedLanguageModel aligned = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
            {
                var task = ctx.AddTask("aligning", maxValue: options.Steps);
                aligned = LanguageAlignmentTrainer.Fit(baseModel, tokenizer, split.Training, options, new InlineProgress<AlignmentProgress>(p =>
                {
                    task.Value = p.Step;
                    task.Description = $"aligning, loss {p.Loss:F3}, accuracy " + string.Join(" / ", p.Objectives.Select(o => $"{o.Objective} {o.RankingAccuracy:F2}"));
                }), Interruption.Observe());
            });
            AlignedModelFile.Save(outputDir, aligned);
            AnsiConsole.MarkupLine($"Aligned model saved to [bold]{Markup.Escape(outputDir)}[/].");
            return 0;
        });
        return command;
    }

    private static int RunDemo(string dataPath, string[] objectives, bool small, int seed, int threads, string benchmarks, string plotPath)
    {
        var options = (small ? AlignmentDemoOptions.Small : AlignmentDemoOptions.Default) with { Objectives = objectives, Seed = seed, Threads = threads > 0 ? threads : null };
        AlignmentDemoResult result = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            var tasks = new Dictionary<string, ProgressTask>();
            result = AlignmentDemo.Run(dataPath, options, new InlineProgress<DemoProgress>(p =>
            {
                if (!tasks.TryGetValue(p.Stage, out var task))
                {
                    foreach (var open in tasks.Values) open.Value = open.MaxValue;
                    tasks[p.Stage] = task = ctx.AddTask(Markup.Escape(p.Stage), maxValue: Math.Max(1, p.Total));
                }
                task.Value = p.Done;
                if (p.Loss is double loss) task.Description = Markup.Escape($"{p.Stage}, loss {loss:F3}");
            }), Interruption.Observe());
            foreach (var open in tasks.Values) open.Value = open.MaxValue;
        });
        // Files first: a display problem must not lose a run's figures.
        AlignReport.WritePlot(result, plotPath);
        if (!small)
        {
            string link = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(benchmarks))!, Path.GetFullPath(plotPath)).Replace('\\', '/');
            BenchmarkReport.WriteSection(benchmarks, "align", AlignReport.Markdown(result, DemoCommand, link));
            AnsiConsole.MarkupLine($"Section 'align' written to [bold]{Markup.Escape(benchmarks)}[/]; plot [bold]{Markup.Escape(plotPath)}[/].");
        }
        else
            AnsiConsole.MarkupLine($"Small configuration: plot [bold]{Markup.Escape(plotPath)}[/]; docs/benchmarks.md is left alone.");
        AlignReport.Print(result);
        return 0;
    }

    public static System.CommandLine.Command Generate()
    {
        var model = new Option<string>("--model") { Description = "Aligned model directory (hyperdpo align --output).", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The question.", Required = true };
        var weights = new Option<string?>("--weights") { Description = "Objective weights, comma-separated, summing to 1 (default: equal)." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most new tokens.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0: greedy.", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens; 0: all.", DefaultValueFactory = _ => 0 };
        var beta = new Option<float?>("--beta") { Description = "Temperature conditioning (models trained with a beta range)." };
        var seed = new Option<int>("--seed") { Description = "Sampling seed.", DefaultValueFactory = _ => 0 };
        var command = new System.CommandLine.Command("generate", "Generate an answer with an aligned language model at chosen objective weights.")
        {
            model, prompt, weights, maxTokens, temperature, topK, beta, seed,
        };
        command.SetAction(r =>
        {
            var aligned = AlignedModelFile.Load(r.GetValue(model)!);
            int k = aligned.Objectives.Count;
            var w = r.GetValue(weights) is string text
                ? NumberList.Parse(text, "--weights")
                : Enumerable.Repeat(1f / k, k).ToArray();
            var options = new GenerationOptions { MaxNewTokens = r.GetValue(maxTokens), Temperature = r.GetValue(temperature), TopK = r.GetValue(topK), Seed = r.GetValue(seed) };
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(string.Join(", ", aligned.Objectives.Select((o, i) => $"{o} {w.ElementAtOrDefault(i)}")))}[/]");
            Console.WriteLine(aligned.Generate(r.GetValue(prompt)!, w, options, r.GetValue(beta)));
            return 0;
        });
        return command;
    }
}
