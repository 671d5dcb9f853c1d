using System.Diagnostics;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Cli.Language.Demo;

/// <summary>
/// The end-to-end CPU demo on the qa-feedback file, repeated for <see cref="AlignmentDemoOptions.Seeds"/> seeds: split
/// 400/100, pre-train a tiny GPT-2 on the training questions' text, align it on the objectives with Hyper Prompt Tuning
/// (one fit), DPO-LS (one fit per grid weight), a prompt soup and weights-as-text, each method given the same number of
/// optimiser steps, and evaluate every front on the held-out questions, its hypervolume measured from chance agreement.
/// The first seed's HPT model is then tested for steerability of generation, answers greedily at every grid weight, and
/// times the KV cache.
/// </summary>
public static class AlignmentDemo
{
    /// <summary>The method names, as in reports.</summary>
    public const string Hpt = "HPT", DpoLs = "DPO-LS", Soup = "Prompt soup", WeightsAsText = "Weights as text";

    /// <summary>Runs the demo.</summary>
    /// <param name="dataPath">The qa-feedback JSON file.</param>
    /// <param name="options">Settings; <see cref="AlignmentDemoOptions.Default"/> is the demo's.</param>
    /// <param name="progress">Receives the stages as they advance.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public static AlignmentDemoResult Run(string dataPath, AlignmentDemoOptions options, IProgress<DemoProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var total = Stopwatch.StartNew();
        if (options.Threads is int threads)
            TorchSharp.torch.set_num_threads(threads);
        var objectives = options.Objectives.Where(o => o != QaFeedbackReader.HumanObjective).Select(ResponseObjectives.Get).ToList();
        var lists = ResponseObjectives.Apply(QaFeedbackReader.Read(dataPath), objectives);
        var runs = new List<SeedRun>();
        SeedState? first = null;
        for (int i = 0; i < options.Seeds; i++)
        {
            var state = RunSeed(lists, options, options.Seed + i, warmUp: i == 0, progress, cancellationToken);
            runs.Add(state.Run);
            first ??= state;
        }
        var summary = Summarize(runs);

        var hpt = first!.Hpt;
        var (steerability, examples) = Steer(hpt, first.Split.HeldOut, objectives, options, progress, cancellationToken);
        progress?.Report(new DemoProgress("greedy answers at every grid weight", 0, 1));
        var answers = GreedyAnswers(hpt, first.Split.HeldOut.Take(options.AnsweredQuestions).ToList(), SimplexLattice.Points(options.Objectives.Count, options.GridDivisions),
            objectives, options.Greedy);
        var greedySteerability = CornerSignTests(answers, objectives, options.Objectives);
        progress?.Report(new DemoProgress("KV-cache speed", 0, 1));
        var speed = MeasureSpeed(hpt, first.Split.HeldOut[0].Prompt, options.SpeedTokens);
        return new AlignmentDemoResult(options.Objectives, first.Config, first.Split.Training.Count, first.Split.HeldOut.Count, first.PretrainingSeconds, runs[0].PretrainingLoss,
            first.PretrainingTokensPerSecond, first.AlignmentTokensPerSecond, runs[0].Methods, steerability, examples, speed, Process.GetCurrentProcess().PeakWorkingSet64,
            total.Elapsed.TotalSeconds)
        {
            Seeds = runs,
            Summary = summary,
            Answers = answers,
            GreedySteerability = greedySteerability,
            HptValidationFraction = options.HptValidationFraction,
            LikelihoodWeight = options.Alignment.LikelihoodWeight,
        };
    }

    /// <summary>
    /// Per method (in the first run's order, found by name in every run), its held-out hypervolume, training time and
    /// steps over the seeds, each with a mean and a Student-t interval.
    /// </summary>
    public static List<MethodSummary> Summarize(IReadOnlyList<SeedRun> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("No seed ran.", nameof(runs));
        MethodResult In(SeedRun run, string method) => run.Methods.FirstOrDefault(m => m.Method == method)
            ?? throw new ArgumentException($"Seed {run.Seed} has no result for {method}.", nameof(runs));
        return runs[0].Methods.Select(m => new MethodSummary(m.Method, m.Fits, m.Steps,
            SeedInterval.Of(runs.Select(r => In(r, m.Method).Front.Hypervolume).ToList()),
            SeedInterval.Of(runs.Select(r => In(r, m.Method).TrainingSeconds).ToList()))
        {
            StepsTaken = SeedInterval.Of(runs.Select(r => (double)In(r, m.Method).Steps).ToList()),
        }).ToList();
    }

    /// <summary>What the first seed leaves for the generation tests beside its figures.</summary>
    private sealed record SeedState(SeedRun Run, AlignedLanguageModel Hpt, PreferenceSplit Split, Gpt2Config Config, double PretrainingSeconds,
        double PretrainingTokensPerSecond, double AlignmentTokensPerSecond);

    /// <summary>One seed: split, vocabulary, pre-training, the lengths, and every method's fit and held-out front.</summary>
    private static SeedState RunSeed(IReadOnlyList<PreferenceList> lists, AlignmentDemoOptions options, int seed, bool warmUp, IProgress<DemoProgress>? progress,
        CancellationToken cancellationToken)
    {
        string tag = options.Seeds > 1 ? $"seed {seed}: " : "";
        var split = PreferenceSplit.Create(lists, options.HeldOut, PreferenceSplit.DefaultSeed + seed);
        var corpus = LanguageModelPretrainer.CorpusOf(split.Training);
        var tokenizer = LanguageTokenizer.BuildCompact(corpus, options.VocabularySize);
        int promptLength = options.Alignment.PromptLength;
        int context = options.ContextLength ?? ContextFromData(tokenizer, split.Training, promptLength, options.Objectives);
        var config = new Gpt2Config
        {
            VocabularySize = tokenizer.VocabularySize, ContextLength = context, EmbeddingSize = options.EmbeddingSize, Layers = options.Layers, Heads = options.Heads,
        };
        var model = new Gpt2LanguageModel(config, seed, options.Device);
        var clock = Stopwatch.StartNew();
        double lastTokensPerSecond = 0;
        double pretrainingLoss = LanguageModelPretrainer.Pretrain(model, tokenizer, corpus, options.Pretraining with { Seed = seed },
            new SynchronousProgress<PretrainingProgress>(p =>
            {
                lastTokensPerSecond = p.TokensPerSecond;
                progress?.Report(new DemoProgress(tag + "pre-training", p.Step, p.Steps, p.Loss));
            }), cancellationToken);
        double pretrainingSeconds = clock.Elapsed.TotalSeconds;
        progress?.Report(new DemoProgress(tag + "held-out perplexity", 0, 1));
        double perplexity = LanguageModelPretrainer.Perplexity(model, tokenizer, LanguageModelPretrainer.CorpusOf(split.HeldOut), options.Pretraining.SequenceLength);
        var baseAnswers = split.HeldOut.Take(options.BaseAnsweredQuestions).Select(l => new BaseAnswer(l.Prompt, BaseModelAnswer(model, tokenizer, l.Prompt, options.Greedy))).ToList();

        var alignment = LanguageAlignmentTrainer.Copy(options.Alignment, PromptConditioning.HyperPrompt, null, seed);
        alignment.Objectives = options.Objectives;
        // Lengths from the training lists, measured with the weights written in, so that no method's prompt or response is cut
        // where the context has room.
        var lengths = TokenBudget.FromData(tokenizer, split.Training, alignment.PromptLength, config.ContextLength, options.Objectives);
        lengths.ApplyTo(alignment);
        var encoder = new ResponseEncoder(tokenizer, alignment.MaxPromptTokens, alignment.MaxResponseTokens);
        var reference = new ReferenceLogProbabilities(model, encoder);
        progress?.Report(new DemoProgress(tag + "reference log-probabilities", 0, 1));
        reference.Get(split.Training);
        reference.Get(split.HeldOut);

        int k = options.Objectives.Count;
        var grid = SimplexLattice.Points(k, options.GridDivisions);
        int budget = options.StepsPerMethod;
        var methods = new List<MethodResult>();

        int stepsTaken = 0;
        AlignedLanguageModel Train(string stage, LanguageAlignmentOptions o)
        {
            stepsTaken = 0;
            return LanguageAlignmentTrainer.Fit(model, tokenizer, split.Training, o, reference, new SynchronousProgress<AlignmentProgress>(p =>
            {
                stepsTaken++;
                progress?.Report(new DemoProgress(tag + stage, p.Step, p.Steps, p.Loss));
            }), cancellationToken);
        }
        MethodResult Evaluate(string method, int fits, double seconds, IEnumerable<(float[], AlignedLanguageModel)> models, int? steps = null)
        {
            progress?.Report(new DemoProgress($"{tag}{method}: held-out front", 0, 1));
            return new MethodResult(method, fits, steps ?? budget, seconds, HeldOutFront.Evaluate(method, split.HeldOut, models));
        }
        LanguageAlignmentOptions With(PromptConditioning conditioning, float[]? weights, int steps)
        {
            var o = LanguageAlignmentTrainer.Copy(alignment, conditioning, weights, seed);
            o.Steps = steps;
            return o;
        }

        if (warmUp)
            // An untimed warm-up fit, so that the first timed method does not pay for just-in-time compilation and the allocator's growth.
            Train("warm-up", With(PromptConditioning.HyperPrompt, null, 3));

        clock.Restart();
        // HPT starts at the prompt soup, its per-objective prompts trained within its budget: half the steps train one prompt
        // per objective at its corner, the other half the whole map, with early stopping on held-out training lists.
        var hptOptions = With(PromptConditioning.HyperPrompt, null, budget / 2);
        hptOptions.SoupStartSteps = budget / (2 * k);
        hptOptions.ValidationFraction = options.HptValidationFraction;
        var hpt = Train(Hpt, hptOptions);
        double hptSeconds = clock.Elapsed.TotalSeconds;
        // Early stopping may end the fit before its budget: the steps it took are reported.
        methods.Add(Evaluate(Hpt, 1, hptSeconds, grid.Select(w => (w, hpt)), stepsTaken));
        double alignmentTokens = split.Training.Average(l => l.Responses.Sum(r => encoder.EncodePrompt(ResponseEncoder.PromptText(l.Prompt)).Length + encoder.EncodeResponse(r).Length + alignment.PromptLength));
        double alignmentTokensPerSecond = alignmentTokens * alignment.ListsPerStep * stepsTaken / hptSeconds;

        clock.Restart();
        var perWeight = new List<(float[], AlignedLanguageModel)>();
        foreach (var w in grid)
            perWeight.Add((w, Train($"{DpoLs} w = ({string.Join(", ", w.Select(v => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)))})",
                With(PromptConditioning.None, w, budget / grid.Count))));
        methods.Add(Evaluate(DpoLs, grid.Count, clock.Elapsed.TotalSeconds, perWeight));

        clock.Restart();
        var soup = LanguageAlignmentTrainer.FitPromptSoup(model, tokenizer, split.Training, With(PromptConditioning.None, null, budget / k), reference,
            new SynchronousProgress<AlignmentProgress>(p => progress?.Report(new DemoProgress(tag + Soup, p.Step, p.Steps, p.Loss))), cancellationToken);
        methods.Add(Evaluate(Soup, k, clock.Elapsed.TotalSeconds, grid.Select(w => (w, soup))));

        clock.Restart();
        var text = Train(WeightsAsText, With(PromptConditioning.WeightsAsText, null, budget));
        methods.Add(Evaluate(WeightsAsText, 1, clock.Elapsed.TotalSeconds, grid.Select(w => (w, text))));

        return new SeedState(new SeedRun(seed, methods, lengths, pretrainingLoss) { HeldOutPerplexity = perplexity, BaseAnswers = baseAnswers }, hpt, split, config, pretrainingSeconds, lastTokensPerSecond, alignmentTokensPerSecond);
    }

    /// <summary>The pre-trained base model's answer to a question written in the alignment template, without a soft prompt.</summary>
    internal static string BaseModelAnswer(Gpt2LanguageModel model, LanguageTokenizer tokenizer, string question, GenerationOptions options)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var ids = tokenizer.Encode(ResponseEncoder.PromptText(question)).Select(i => (long)i).ToArray();
        using var noGrad = TorchSharp.torch.no_grad();
        var prefix = model.EmbedTokens(TorchSharp.torch.tensor(ids, device: model.Device).unsqueeze(0));
        var suppressed = tokenizer.UnknownId is int unknown ? new[] { unknown } : Array.Empty<int>();
        return tokenizer.Decode(TextGenerator.Generate(model, prefix, tokenizer.EndOfText, options, suppressed)).Trim();
    }

    /// <summary>The context that holds the soft prompt, the longest prompt (weights written in) and the longest response of the lists.</summary>
    private static int ContextFromData(LanguageTokenizer tokenizer, IReadOnlyList<PreferenceList> lists, int promptLength, IReadOnlyList<string> objectives)
    {
        var unbounded = TokenBudget.FromData(tokenizer, lists, promptLength, int.MaxValue, objectives);
        return promptLength + unbounded.LongestPrompt + unbounded.LongestResponse;
    }

    /// <summary>
    /// Greedy answers to fixed held-out questions at every grid weight, in one padded batch, each scored by every computed objective.
    /// </summary>
    internal static List<GreedyAnswer> GreedyAnswers(AlignedLanguageModel model, IReadOnlyList<PreferenceList> questions, IReadOnlyList<float[]> grid,
        IReadOnlyList<IResponseObjective> computed, GenerationOptions greedy)
    {
        var pairs = questions.SelectMany(q => grid.Select(w => (Question: q, Weights: w))).ToList();
        if (pairs.Count == 0) return new List<GreedyAnswer>();
        var texts = model.Generate(pairs.Select(p => p.Question.Prompt).ToList(), pairs.Select(p => p.Weights).ToList(), greedy);
        return pairs.Select((p, i) => new GreedyAnswer(p.Question.Prompt, p.Weights, texts[i],
            computed.ToDictionary(o => o.Name, o => o.Score(texts[i], p.Question)))).ToList();
    }

    /// <summary>
    /// Generates an answer to every held-out question at each objective's corner (same sampling seed per question) and
    /// compares each computed objective's value at its own corner with the next objective's corner.
    /// </summary>
    private static (List<SteerabilityResult>, List<GeneratedExample>) Steer(AlignedLanguageModel model, IReadOnlyList<PreferenceList> heldOut,
        IReadOnlyList<IResponseObjective> computed, AlignmentDemoOptions options, IProgress<DemoProgress>? progress, CancellationToken cancellationToken)
    {
        int k = model.Objectives.Count;
        var answers = new string[k][];
        var examples = new List<GeneratedExample>();
        for (int c = 0; c < k; c++)
        {
            var corner = new float[k];
            corner[c] = 1;
            answers[c] = new string[heldOut.Count];
            for (int q = 0; q < heldOut.Count; q++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                progress?.Report(new DemoProgress($"generating at the {model.Objectives[c]} corner", q, heldOut.Count));
                answers[c][q] = model.Generate(heldOut[q].Prompt, corner, options.Generation with { Seed = options.Seed * 1000 + q });
                if (q < 2) examples.Add(new GeneratedExample(heldOut[q].Prompt, corner, answers[c][q]));
            }
        }
        var results = new List<SteerabilityResult>();
        foreach (var objective in computed)
        {
            int own = model.Objectives.ToList().IndexOf(objective.Name);
            if (own < 0 || k < 2) continue;
            int other = (own + 1) % k;
            results.Add(Compare(objective.Name, model.Objectives[other], heldOut.Select((l, q) => objective.Score(answers[own][q], l)).ToArray(),
                heldOut.Select((l, q) => objective.Score(answers[other][q], l)).ToArray()));
        }
        return (results, examples);
    }

    /// <summary>An objective's values question by question at its own corner against another corner, with the two-sided sign test.</summary>
    internal static SteerabilityResult Compare(string objective, string otherCorner, double[] ownValues, double[] otherValues)
    {
        int wins = ownValues.Zip(otherValues).Count(p => p.First > p.Second), losses = ownValues.Zip(otherValues).Count(p => p.First < p.Second);
        return new SteerabilityResult(objective, otherCorner, ownValues.Average(), otherValues.Average(), wins, losses, ownValues.Length - wins - losses,
            SignTest.TwoSidedPValue(wins, losses));
    }

    /// <summary>
    /// The greedy answers' sign tests: per computed objective, its score of the answer at its own corner against the
    /// answer at the next objective's corner, question by question.
    /// </summary>
    public static List<SteerabilityResult> CornerSignTests(IReadOnlyList<GreedyAnswer> answers, IReadOnlyList<IResponseObjective> computed, IReadOnlyList<string> objectives)
    {
        var results = new List<SteerabilityResult>();
        int k = objectives.Count;
        if (k < 2) return results;
        IEnumerable<GreedyAnswer> At(int corner) => answers.Where(a => a.Weights[corner] == 1f);
        foreach (var objective in computed)
        {
            int own = objectives.ToList().IndexOf(objective.Name);
            if (own < 0) continue;
            int other = (own + 1) % k;
            // The answers come question by question, so the corners' answers pair up in order.
            var pairs = At(own).Zip(At(other), (o, t) => (Own: o, Other: t)).ToList();
            if (pairs.Any(p => p.Own.Question != p.Other.Question))
                throw new ArgumentException("The greedy answers at the two corners are not for the same questions in the same order.", nameof(answers));
            if (pairs.Count == 0) continue;
            results.Add(Compare(objective.Name, objectives[other], pairs.Select(p => p.Own.Scores[objective.Name]).ToArray(),
                pairs.Select(p => p.Other.Scores[objective.Name]).ToArray()));
        }
        return results;
    }

    /// <summary>Times greedy generation of <paramref name="tokens"/> new tokens with and without the cache (median of three, after a warm-up).</summary>
    internal static GenerationSpeed MeasureSpeed(AlignedLanguageModel model, string prompt, int tokens)
    {
        var weights = Enumerable.Repeat(1f / model.Objectives.Count, model.Objectives.Count).ToArray();
        var options = new GenerationOptions { MaxNewTokens = tokens, StopAtEndOfText = false };
        double Median(bool cache)
        {
            model.GenerateTokens(prompt, weights, options with { UseCache = cache, MaxNewTokens = 4 });
            var times = Enumerable.Range(0, 3).Select(_ =>
            {
                var watch = Stopwatch.StartNew();
                int produced = model.GenerateTokens(prompt, weights, options with { UseCache = cache }).Length;
                if (produced != tokens)
                    throw new InvalidOperationException($"The speed test produced {produced} tokens instead of {tokens}: the context is too short.");
                return watch.Elapsed.TotalSeconds;
            }).OrderBy(t => t).ToList();
            return times[1];
        }
        return new GenerationSpeed(tokens, Median(cache: true), Median(cache: false));
    }
}
