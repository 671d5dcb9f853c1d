using System.CommandLine;
using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Cli.Language.Demo;
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
    /// <summary>Preference lists from a qa-feedback JSON file or a JSON Lines file of the library's format, with the computed objectives added.</summary>
    private static IReadOnlyList<PreferenceList> LoadLists(string path, IEnumerable<string> objectives)
    {
        var lists = path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? PreferenceListFile.Read(path) : QaFeedbackReader.Read(path);
        var computed = objectives.Where(o => lists.Count > 0 && !lists[0].Scores.ContainsKey(o)).Select(ResponseObjectives.Get);
        return ResponseObjectives.Apply(lists, computed);
    }

    private static string[] SplitList(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// <c>--held-out</c> of pretrain and align, declared once: both split the lists with it and <c>--seed</c>, so a base model
    /// pre-trained with the same two values never saw the text align evaluates on.
    /// </summary>
    private static Option<int> HeldOut() => new("--held-out")
    {
        Description = "Preference lists held out: pretrain leaves them out of its text, align evaluates on them (the same lists for the same --held-out and --seed).",
        DefaultValueFactory = _ => 100,
    };

    public static System.CommandLine.Command Pretrain()
    {
        var data = new Option<string>("--data") { Description = "qa-feedback JSON or preference JSON Lines file: its training split's prompts, responses and contexts are the text.", Required = true };
        var output = new Option<string>("--output") { Description = "Checkpoint directory to write (config.json, model.safetensors, vocabulary.json).", Required = true };
        var heldOut = HeldOut();
        var vocabulary = new Option<int>("--vocabulary") { Description = "Compact vocabulary size.", DefaultValueFactory = _ => 4096 };
        var width = new Option<int>("--width") { Description = "Embedding width.", DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { Description = "Transformer blocks.", DefaultValueFactory = _ => 2 };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", DefaultValueFactory = _ => 4 };
        var context = new Option<int>("--context") { Description = "Context length.", DefaultValueFactory = _ => 256 };
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 500 };
        var seed = SharedOptions.Seed("Seed.", defaultValue: 0);
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
                    new SynchronousProgress<PretrainingProgress>(p =>
                    {
                        task.Value = p.Step;
                        task.Description = $"pre-training, loss {p.Loss:F2}, {p.TokensPerSecond:F0} tokens/s";
                    }), Interruption.Observe());
            });
            Gpt2Checkpoint.Save(r.GetValue(output)!, model, tokenizer);
            // The held-out lists' text was never read by the tokenizer or the training: its perplexity says how the model generalises.
            string heldOutText = split.HeldOut.Count == 0 ? "no lists held out"
                : $"held-out perplexity {LanguageModelPretrainer.Perplexity(model, tokenizer, LanguageModelPretrainer.CorpusOf(split.HeldOut), new PretrainingOptions().SequenceLength).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} ({split.HeldOut.Count} lists)";
            AnsiConsole.MarkupLine($"Final loss {loss:F3} nats/token, {Markup.Escape(heldOutText)}; saved to [bold]{Markup.Escape(r.GetValue(output)!)}[/].");
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
        var heldOut = HeldOut();
        var seed = SharedOptions.Seed("Seed (with --demo: of the first run; the others take the next seeds).", defaultValue: 0);
        var seeds = new Option<int?>("--seeds") { Description = "With --demo: independent runs (seeds S, S + 1, ...), each its own split, pre-training and fits; default 3, 1 with --small." };
        var benchmarks = SharedOptions.BenchmarksPage("With --demo (not --small): also write the summary as the 'align' section of this Markdown file (its other sections are kept).");
        var plot = new Option<string>("--plot") { Description = "With --demo: PNG of the held-out fronts.", DefaultValueFactory = _ => "align-front.png" };
        var threads = new Option<int?>("--threads") { Description = "TorchSharp's intra-op threads; default: 1 with --demo (more threads than free cores slow a shared machine down), TorchSharp's own otherwise; 0: TorchSharp's own." };
        var device = new Option<string>("--device") { Description = "Where the model runs: cpu, cuda or cuda:N (CUDA needs a CUDA build of TorchSharp).", DefaultValueFactory = _ => "cpu" };
        var learningRate = new Option<float>("--learning-rate") { Description = "AdamW learning rate of the soft prompt (and adapters).", DefaultValueFactory = _ => 1e-2f };
        var likelihoodWeight = new Option<float>("--likelihood-weight")
        {
            Description = "Coefficient of the RPO-style likelihood term (LanguageAlignmentOptions.LikelihoodWeight): the w-weighted mean token NLL of each objective's best response, added to the loss of every method; 0: off.",
            DefaultValueFactory = _ => AlignmentDemoOptions.Default.Alignment.LikelihoodWeight,
        };
        var command = new System.CommandLine.Command("align", "Align a language model on several objectives with Hyper Prompt Tuning (listwise multi-objective DPO); --demo runs the whole CPU demo.")
        {
            data, demo, small, model, output, objectives, steps, promptLength, beta, loraRank, heldOut, seed, seeds, benchmarks, plot, threads, device, learningRate, likelihoodWeight,
        };
        command.SetAction(r =>
        {
            // Flags first: a bad value is an error before anything is read or trained.
            var where = ParseDevice(r.GetValue(device)!);
            float rate = r.GetValue(learningRate);
            if (!(rate > 0) || !float.IsFinite(rate))
                throw new ArgumentException($"--learning-rate must be a positive number; got {rate.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            float likelihood = r.GetValue(likelihoodWeight);
            if (LanguageAlignmentOptions.LikelihoodWeightProblem(likelihood) is string problem)
                throw new ArgumentException($"--likelihood-weight {problem}");
            bool isDemo = r.GetValue(demo);
            int threadCount = r.GetValue(threads) ?? (isDemo ? 1 : 0);
            if (threadCount < 0)
                throw new ArgumentException($"--threads must be 0 (TorchSharp's own) or positive; got {threadCount}.");
            if (r.GetValue(seeds) is int runs && (runs < 1 || !isDemo))
                throw new ArgumentException(isDemo ? $"--seeds must be at least 1; got {runs}." : "--seeds goes with --demo (a single fit takes --seed).");
            string dataPath = r.GetValue(data)!;
            var names = SplitList(r.GetValue(objectives)!);
            if (isDemo)
            {
                if (r.GetValue(small) && r.GetValue(benchmarks) is not null)
                    throw new ArgumentException("--benchmarks goes with the full demo: the --small configuration's figures are not written to a benchmarks page.");
                CliPaths.RequireOutputFile(r.GetValue(benchmarks), "--benchmarks");
                CliPaths.RequireOutputFile(r.GetValue(plot), "--plot");
                return RunDemo(dataPath, names, r.GetValue(small), r.GetValue(seed), r.GetValue(seeds), threadCount, where, rate, likelihood, r.GetValue(benchmarks), r.GetValue(plot)!);
            }
            CliPaths.RequireOutputDirectory(r.GetValue(output), "--output");
            string modelDir = r.GetValue(model) ?? throw new ArgumentException("--model is required without --demo (a checkpoint directory from 'hyperdpo pretrain').");
            string outputDir = r.GetValue(output) ?? throw new ArgumentException("--output is required without --demo.");
            if (threadCount > 0)
                TorchSharp.torch.set_num_threads(threadCount);
            var (baseModel, tokenizer) = Gpt2Checkpoint.Load(modelDir, where);
            var split = PreferenceSplit.Create(LoadLists(dataPath, names), r.GetValue(heldOut), PreferenceSplit.DefaultSeed + r.GetValue(seed));
            var options = new LanguageAlignmentOptions
            {
                Objectives = names, Steps = r.GetValue(steps), PromptLength = r.GetValue(promptLength), Beta = r.GetValue(beta), LoraRank = r.GetValue(loraRank),
                Seed = r.GetValue(seed), LearningRate = rate, LikelihoodWeight = likelihood,
            };
            var budget = TokenBudget.FromData(tokenizer, split.Training, options.PromptLength, baseModel.Config.ContextLength);
            budget.ApplyTo(options);
            AnsiConsole.MarkupLine(Markup.Escape($"Lengths from the training lists: {budget.Describe()}."));
            // Read back from TorchSharp and the model, so that the line shows what the run really uses.
            AnsiConsole.MarkupLine(Markup.Escape($"Aligning on {baseModel.Device}, {TorchSharp.torch.get_num_threads()} TorchSharp threads, learning rate {options.LearningRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}, likelihood weight {options.LikelihoodWeight.ToString(System.Globalization.CultureInfo.InvariantCulture)}."));
            AlignedLanguageModel aligned = null!;
            AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
            {
                var task = ctx.AddTask("aligning", maxValue: options.Steps);
                aligned = LanguageAlignmentTrainer.Fit(baseModel, tokenizer, split.Training, options, new SynchronousProgress<AlignmentProgress>(p =>
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

    /// <summary>The device a --device value names; an error naming the flag when it is not one, or when CUDA is not available.</summary>
    internal static TorchSharp.torch.Device ParseDevice(string text)
    {
        string value = text.Trim().ToLowerInvariant();
        if (value == "cpu")
            return TorchSharp.torch.CPU;
        int index = 0;
        bool cuda = value == "cuda" || (value.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(value["cuda:".Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index));
        if (!cuda)
            throw new ArgumentException($"--device: '{text}' is not a device; expected cpu, cuda or cuda:N.");
        if (!TorchSharp.torch.cuda.is_available())
            throw new ArgumentException($"--device {text}: CUDA is not available to TorchSharp (this build uses the CPU backend, or there is no GPU and driver); use --device cpu.");
        if (index >= TorchSharp.torch.cuda.device_count())
            throw new ArgumentException($"--device {text}: there are {TorchSharp.torch.cuda.device_count()} CUDA devices (cuda:0 to cuda:{TorchSharp.torch.cuda.device_count() - 1}).");
        return new TorchSharp.torch.Device(TorchSharp.DeviceType.CUDA, index);
    }

    private static int RunDemo(string dataPath, string[] objectives, bool small, int seed, int? seeds, int threads, TorchSharp.torch.Device device, float learningRate, float likelihoodWeight, string? benchmarks, string plotPath)
    {
        var defaults = small ? AlignmentDemoOptions.Small : AlignmentDemoOptions.Default;
        var alignment = LanguageAlignmentTrainer.Copy(defaults.Alignment, defaults.Alignment.Conditioning, defaults.Alignment.FixedWeights, defaults.Alignment.Seed);
        alignment.LearningRate = learningRate;
        alignment.LikelihoodWeight = likelihoodWeight;
        var options = defaults with { Objectives = objectives, Seed = seed, Seeds = seeds ?? defaults.Seeds, Threads = threads > 0 ? threads : null, Device = device, Alignment = alignment };
        AlignmentDemoResult result = null!;
        AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).Start(ctx =>
        {
            var tasks = new Dictionary<string, ProgressTask>();
            result = AlignmentDemo.Run(dataPath, options, new SynchronousProgress<DemoProgress>(p =>
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
        if (benchmarks is not null)
        {
            string link = Path.GetRelativePath(Path.GetDirectoryName(Path.GetFullPath(benchmarks))!, Path.GetFullPath(plotPath)).Replace('\\', '/');
            BenchmarkReport.WriteSection(benchmarks, "align", AlignReport.Markdown(result, ReportHeader.Command("hyperdpo"), link));
            AnsiConsole.MarkupLine($"Section 'align' written to [bold]{Markup.Escape(benchmarks)}[/]; plot [bold]{Markup.Escape(plotPath)}[/].");
        }
        else
            AnsiConsole.MarkupLine($"Plot [bold]{Markup.Escape(plotPath)}[/].");
        AlignReport.Print(result);
        return 0;
    }

    public static System.CommandLine.Command Generate()
    {
        var model = new Option<string>("--model") { Description = "Aligned model directory (hyperdpo align --output).", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "The question.", Required = true };
        var weights = SharedOptions.Numbers("--weights", "Objective weights, comma-separated, summing to 1 (default: equal).");
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most new tokens.", DefaultValueFactory = _ => 64 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0: greedy.", DefaultValueFactory = _ => 0f };
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens; 0: all.", DefaultValueFactory = _ => 0 };
        var noRepeat = new Option<int>("--no-repeat-ngram") { Description = "Never generate a token that would repeat an n-gram of the generated tokens (GenerationOptions.NoRepeatNgramSize); 0: off.", DefaultValueFactory = _ => 0 };
        var beta = new Option<float?>("--beta") { Description = "Temperature conditioning (models trained with a beta range)." };
        var seed = SharedOptions.Seed("Sampling seed.", defaultValue: 0);
        var device = new Option<string>("--device") { Description = "Where the model runs: cpu, cuda or cuda:N.", DefaultValueFactory = _ => "cpu" };
        var command = new System.CommandLine.Command("generate", "Generate an answer with an aligned language model at chosen objective weights.")
        {
            model, prompt, weights, maxTokens, temperature, topK, noRepeat, beta, seed, device,
        };
        command.SetAction(r =>
        {
            // The flags are read before the model is loaded, so that a bad value costs no load.
            var given = r.GetValue(weights) is string text ? NumberList.Parse(text, "--weights") : null;
            int ngram = r.GetValue(noRepeat);
            if (ngram < 0)
                throw new ArgumentException($"--no-repeat-ngram must be 0 (off) or positive; got {ngram}.");
            var aligned = AlignedModelFile.Load(r.GetValue(model)!, ParseDevice(r.GetValue(device)!));
            int k = aligned.Objectives.Count;
            var w = given ?? Enumerable.Repeat(1f / k, k).ToArray();
            var options = new GenerationOptions { MaxNewTokens = r.GetValue(maxTokens), Temperature = r.GetValue(temperature), TopK = r.GetValue(topK), NoRepeatNgramSize = ngram, Seed = r.GetValue(seed) };
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(string.Join(", ", aligned.Objectives.Select((o, i) => $"{o} {w.ElementAtOrDefault(i)}")))}[/]");
            Console.WriteLine(aligned.Generate(r.GetValue(prompt)!, w, options, r.GetValue(beta)));
            return 0;
        });
        return command;
    }
}
