using System.Diagnostics;
using Microsoft.ML.HyperDpo.Language.Data;
using Microsoft.ML.HyperDpo.Language.Modeling;
using Microsoft.ML.HyperDpo.Language.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Language.Training;

/// <summary>Options of <see cref="LanguageModelPretrainer"/>.</summary>
public sealed record PretrainingOptions
{
    /// <summary>Number of optimisation steps.</summary>
    public int Steps { get; init; } = 600;

    /// <summary>Sequences per step.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Tokens per training sequence (at most the model's context length).</summary>
    public int SequenceLength { get; init; } = 128;

    /// <summary>Peak AdamW learning rate (linear warm-up over the first 5% of steps, then cosine decay to a tenth).</summary>
    public float LearningRate { get; init; } = 3e-3f;

    /// <summary>AdamW weight decay.</summary>
    public float WeightDecay { get; init; } = 0.01f;

    /// <summary>Seed of the initialisation-independent choices (which windows of the text each step reads).</summary>
    public int Seed { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid option.</summary>
    /// <param name="contextLength">The model's context length.</param>
    public void Validate(int contextLength)
    {
        if (Steps < 1) throw new ArgumentException($"PretrainingOptions.Steps must be at least 1; got {Steps}.", nameof(Steps));
        if (BatchSize < 1) throw new ArgumentException($"PretrainingOptions.BatchSize must be at least 1; got {BatchSize}.", nameof(BatchSize));
        if (SequenceLength < 2 || SequenceLength > contextLength)
            throw new ArgumentException($"PretrainingOptions.SequenceLength must be between 2 and the context length {contextLength}; got {SequenceLength}.", nameof(SequenceLength));
        if (!(LearningRate > 0) || !float.IsFinite(LearningRate)) throw new ArgumentException($"PretrainingOptions.LearningRate must be positive; got {LearningRate}.", nameof(LearningRate));
        if (!(WeightDecay >= 0)) throw new ArgumentException($"PretrainingOptions.WeightDecay must be 0 or positive; got {WeightDecay}.", nameof(WeightDecay));
    }
}

/// <summary>One pre-training step's figures.</summary>
/// <param name="Step">1-based step number.</param>
/// <param name="Steps">Total steps.</param>
/// <param name="Loss">Mean next-token cross-entropy of the step's batch (nats per token).</param>
/// <param name="TokensPerSecond">Training tokens per second so far.</param>
/// <param name="Elapsed">Time since pre-training began.</param>
public sealed record PretrainingProgress(int Step, int Steps, double Loss, double TokensPerSecond, TimeSpan Elapsed);

/// <summary>Pre-trains a causal language model on plain text with the next-token loss (for the tiny in-project model; real GPT-2 weights can be loaded instead).</summary>
public static class LanguageModelPretrainer
{
    /// <summary>
    /// Pre-training text from preference lists: each list's context (passages), and its prompt with each response and the
    /// reference answer, written in the alignment template. Pass only training lists: nothing held out should be read.
    /// </summary>
    /// <param name="lists">The training lists.</param>
    public static IReadOnlyList<string> CorpusOf(IEnumerable<PreferenceList> lists) =>
        lists.SelectMany(l => l.Responses.Concat(l.Reference is null ? Array.Empty<string>() : new[] { l.Reference })
                .Select(answer => $"{ResponseEncoder.PromptText(l.Prompt)} {answer}")
                .Prepend(l.Context ?? ""))
            .Where(text => text.Length > 0)
            .ToList();

    /// <summary>
    /// Perplexity exp(mean next-token cross-entropy) of the model on texts it did not train on: the texts joined by
    /// end-of-text as in <see cref="Pretrain"/>, cut into consecutive windows of <paramref name="sequenceLength"/> + 1
    /// tokens (the last, shorter one included), every token after a window's first predicted once.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="texts">Held-out text.</param>
    /// <param name="sequenceLength">Tokens per window (at most the model's context length).</param>
    public static double Perplexity(Gpt2LanguageModel model, LanguageTokenizer tokenizer, IEnumerable<string> texts, int sequenceLength)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (sequenceLength < 1 || sequenceLength > model.Config.ContextLength)
            throw new ArgumentException($"The sequence length must be between 1 and the context length {model.Config.ContextLength}; got {sequenceLength}.", nameof(sequenceLength));
        var stream = Stream(tokenizer, texts);
        if (stream.Count < 2)
            throw new ArgumentException($"The held-out text has {stream.Count} tokens; at least 2 are needed.", nameof(texts));
        using var noGrad = torch.no_grad();
        model.eval();
        double total = 0;
        long predicted = 0;
        for (int start = 0; start + 1 < stream.Count; start += sequenceLength)
        {
            using var scope = torch.NewDisposeScope();
            int length = Math.Min(sequenceLength, stream.Count - 1 - start);
            var window = torch.tensor(stream.GetRange(start, length + 1).ToArray(), device: model.Device).unsqueeze(0);
            var logits = model.LogitsOfTokens(window[.., ..length]);
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]).to(ScalarType.Float64), window[.., 1..].reshape(-1), reduction: nn.Reduction.Sum).item<double>();
            predicted += length;
        }
        return Math.Exp(total / predicted);
    }

    /// <summary>The texts' token ids, each text followed by end-of-text.</summary>
    private static List<long> Stream(LanguageTokenizer tokenizer, IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(texts);
        var stream = new List<long>();
        foreach (string text in texts)
        {
            stream.AddRange(tokenizer.Encode(text).Select(i => (long)i));
            stream.Add(tokenizer.EndOfText);
        }
        return stream;
    }

    /// <summary>Trains every parameter of <paramref name="model"/> on random windows of the texts, joined by end-of-text.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="tokenizer">Its tokenizer.</param>
    /// <param name="texts">The training text.</param>
    /// <param name="options">Options.</param>
    /// <param name="progress">Receives one record per step.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <returns>The mean loss of the last tenth of the steps.</returns>
    public static double Pretrain(Gpt2LanguageModel model, LanguageTokenizer tokenizer, IEnumerable<string> texts, PretrainingOptions options,
        IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(model.Config.ContextLength);
        var stream = Stream(tokenizer, texts);
        int length = options.SequenceLength;
        if (stream.Count < length + 1)
            throw new ArgumentException($"The training text has {stream.Count} tokens; at least {length + 1} are needed for sequences of {length}.", nameof(texts));
        // The token stream stays in host memory; each step's windows move to the model's device.
        var all = torch.tensor(stream.ToArray(), device: torch.CPU);
        var device = model.Device;
        var random = new Random(options.Seed);
        var optimizer = new KeptAlive.AdamW(model.parameters(), lr: options.LearningRate, weight_decay: options.WeightDecay);
        int warmup = Math.Max(1, options.Steps / 20);
        var clock = Stopwatch.StartNew();
        var recent = new List<double>();
        model.train();
        for (int step = 1; step <= options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            double progressFraction = (double)(step - warmup) / Math.Max(1, options.Steps - warmup);
            double rate = step <= warmup
                ? options.LearningRate * step / warmup
                : options.LearningRate * (0.1 + 0.9 * 0.5 * (1 + Math.Cos(Math.PI * progressFraction)));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;

            var starts = Enumerable.Range(0, options.BatchSize).Select(_ => random.Next(stream.Count - length)).ToArray();
            var windows = torch.stack(starts.Select(s => all[s..(s + length + 1)]).ToArray()).to(device);
            var input = windows[.., ..length];
            var target = windows[.., 1..];
            var logits = model.LogitsOfTokens(input);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[2]), target.reshape(-1));
            optimizer.zero_grad();
            loss.backward();
            nn.utils.clip_grad_norm_(model.parameters(), 1.0);
            optimizer.step();
            double value = loss.item<float>();
            if (step > options.Steps - Math.Max(1, options.Steps / 10)) recent.Add(value);
            progress?.Report(new PretrainingProgress(step, options.Steps, value, (double)step * options.BatchSize * length / clock.Elapsed.TotalSeconds, clock.Elapsed));
        }
        model.eval();
        return recent.Average();
    }
}
