using System.Diagnostics;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Evaluation;
using Microsoft.ML.HyperDpo.Language.Generation;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using Microsoft.ML.HyperDpo.Language.Training;

namespace Microsoft.ML.HyperDpo.Language.Demo;

/// <summary>
/// The end-to-end CPU demo on the qa-feedback file: split 400/100, pre-train a tiny GPT-2 on the training questions'
/// text, align it on the objectives with Hyper Prompt Tuning (one fit) and with DPO-LS (one fit per grid weight), a
/// prompt soup and weights-as-text, evaluate every front on the held-out questions, test steerability of generation,
/// and time the KV cache.
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
        var total = Stopwatch.StartNew();
        if (options.Threads is int threads)
            TorchSharp.torch.set_num_threads(threads);
        var objectives = options.Objectives.Where(o => o != QaFeedbackReader.HumanObjective).Select(ResponseObjectives.Get).ToList();
        var lists = ResponseObjectives.Apply(QaFeedbackReader.Read(dataPath), objectives);
        var split = PreferenceSplit.Create(lists, options.HeldOut, PreferenceSplit.DefaultSeed + options.Seed);

        var corpus = LanguageModelPretrainer.CorpusOf(split.Training);
        var tokenizer = LanguageTokenizer.BuildCompact(corpus, options.VocabularySize);
        var config = new Gpt2Config
        {
            VocabularySize = tokenizer.VocabularySize, ContextLength = options.ContextLength, EmbeddingSize = options.EmbeddingSize, Layers = options.Layers, Heads = options.Heads,
        };
        var model = new Gpt2LanguageModel(config, options.Seed, options.Device);
        var clock = Stopwatch.StartNew();
        double lastTokensPerSecond = 0;
        double pretrainingLoss = LanguageModelPretrainer.Pretrain(model, tokenizer, corpus, options.Pretraining with { Seed = options.Seed },
            new InlineProgress<PretrainingProgress>(p =>
            {
                lastTokensPerSecond = p.TokensPerSecond;
                progress?.Report(new DemoProgress("pre-training", p.Step, p.Steps, p.Loss));
            }), cancellationToken);
        double pretrainingSeconds = clock.Elapsed.TotalSeconds;

        var alignment = LanguageAlignmentTrainer.Copy(options.Alignment, PromptConditioning.HyperPrompt, null, options.Seed);
        alignment.Objectives = options.Objectives;
        var encoder = new ResponseEncoder(tokenizer, alignment.MaxPromptTokens, alignment.MaxResponseTokens);
        var reference = new ReferenceLogProbabilities(model, encoder);
        progress?.Report(new DemoProgress("reference log-probabilities", 0, 1));
        reference.Get(split.Training);
        reference.Get(split.HeldOut);

        int k = options.Objectives.Count;
        var grid = SimplexLattice.Points(k, options.GridDivisions);
        int s = options.StepsPerFit;
        int oneShotSteps = 2 * s;
        var methods = new List<MethodResult>();

        AlignedLanguageModel Train(string stage, LanguageAlignmentOptions o) =>
            LanguageAlignmentTrainer.Fit(model, tokenizer, split.Training, o, reference,
                new InlineProgress<AlignmentProgress>(p => progress?.Report(new DemoProgress(stage, p.Step, p.Steps, p.Loss))), cancellationToken);
        MethodResult Evaluate(string method, int fits, double seconds, IEnumerable<(float[], AlignedLanguageModel)> models)
        {
            progress?.Report(new DemoProgress($"{method}: held-out front", 0, 1));
            return new MethodResult(method, fits, seconds, HeldOutFront.Evaluate(method, split.HeldOut, models));
        }

        // An untimed warm-up fit, so that the first timed method does not pay for just-in-time compilation and the allocator's growth.
        var warmUp = LanguageAlignmentTrainer.Copy(alignment, PromptConditioning.HyperPrompt, null, options.Seed);
        warmUp.Steps = 3;
        Train("warm-up", warmUp);

        clock.Restart();
        var hptOptions = LanguageAlignmentTrainer.Copy(alignment, PromptConditioning.HyperPrompt, null, options.Seed);
        hptOptions.Steps = oneShotSteps;
        var hpt = Train(Hpt, hptOptions);
        double hptSeconds = clock.Elapsed.TotalSeconds;
        methods.Add(Evaluate(Hpt, 1, hptSeconds, grid.Select(w => (w, hpt))));
        double alignmentTokens = split.Training.Average(l => l.Responses.Sum(r => encoder.EncodePrompt(ResponseEncoder.PromptText(l.Prompt)).Length + encoder.EncodeResponse(r).Length + alignment.PromptLength));
        double alignmentTokensPerSecond = alignmentTokens * alignment.ListsPerStep * oneShotSteps / hptSeconds;

        clock.Restart();
        var perWeight = new List<(float[], AlignedLanguageModel)>();
        foreach (var w in grid)
        {
            var o = LanguageAlignmentTrainer.Copy(alignment, PromptConditioning.None, w, options.Seed);
            o.Steps = s;
            perWeight.Add((w, Train($"{DpoLs} w = ({string.Join(", ", w.Select(v => v.ToString("0.##")))})", o)));
        }
        methods.Add(Evaluate(DpoLs, grid.Count, clock.Elapsed.TotalSeconds, perWeight));

        clock.Restart();
        var soupOptions = LanguageAlignmentTrainer.Copy(alignment, PromptConditioning.None, null, options.Seed);
        soupOptions.Steps = s;
        var soup = LanguageAlignmentTrainer.FitPromptSoup(model, tokenizer, split.Training, soupOptions, reference,
            new InlineProgress<AlignmentProgress>(p => progress?.Report(new DemoProgress(Soup, p.Step, p.Steps, p.Loss))), cancellationToken);
        methods.Add(Evaluate(Soup, k, clock.Elapsed.TotalSeconds, grid.Select(w => (w, soup))));

        clock.Restart();
        var textOptions = LanguageAlignmentTrainer.Copy(alignment, PromptConditioning.WeightsAsText, null, options.Seed);
        textOptions.Steps = oneShotSteps;
        var text = Train(WeightsAsText, textOptions);
        methods.Add(Evaluate(WeightsAsText, 1, clock.Elapsed.TotalSeconds, grid.Select(w => (w, text))));

        var (steerability, examples) = Steer(hpt, split.HeldOut, objectives, options, progress, cancellationToken);
        progress?.Report(new DemoProgress("KV-cache speed", 0, 1));
        var speed = MeasureSpeed(hpt, split.HeldOut[0].Prompt, options.SpeedTokens);
        return new AlignmentDemoResult(options.Objectives, config, split.Training.Count, split.HeldOut.Count, pretrainingSeconds, pretrainingLoss, lastTokensPerSecond,
            alignmentTokensPerSecond, methods, steerability, examples, speed, Process.GetCurrentProcess().PeakWorkingSet64, total.Elapsed.TotalSeconds);
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
            var ownValues = heldOut.Select((l, q) => objective.Score(answers[own][q], l)).ToArray();
            var otherValues = heldOut.Select((l, q) => objective.Score(answers[other][q], l)).ToArray();
            int wins = ownValues.Zip(otherValues).Count(p => p.First > p.Second), losses = ownValues.Zip(otherValues).Count(p => p.First < p.Second);
            results.Add(new SteerabilityResult(objective.Name, model.Objectives[other], ownValues.Average(), otherValues.Average(), wins, losses,
                heldOut.Count - wins - losses, SignTest.TwoSidedPValue(wins, losses)));
        }
        return (results, examples);
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

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order.</summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
