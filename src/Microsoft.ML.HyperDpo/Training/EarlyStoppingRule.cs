namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Early stopping on a validation figure (higher is better): remembers the best epoch, and says to stop once
/// <see cref="HyperDpoRankingTrainer.ValidationOptions.EarlyStoppingPatience"/> epochs in a row did not beat it (0: never).
/// </summary>
internal sealed class EarlyStoppingRule
{
    private readonly int _patience;
    private int _sinceBest;

    public EarlyStoppingRule(int patience) => _patience = patience;

    /// <summary>The epoch with the best figure so far (0 before any).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>The best figure so far.</summary>
    public double BestScore { get; private set; } = double.NegativeInfinity;

    /// <summary>Records <paramref name="epoch"/>'s figure; true when it is strictly better than every earlier one.</summary>
    public bool Observe(int epoch, double score)
    {
        if (score > BestScore)
        {
            BestScore = score;
            BestEpoch = epoch;
            _sinceBest = 0;
            return true;
        }
        _sinceBest++;
        return false;
    }

    /// <summary>True when the last <c>patience</c> epochs brought no improvement.</summary>
    public bool ShouldStop => _patience > 0 && _sinceBest >= _patience;
}
