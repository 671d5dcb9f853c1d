using Microsoft.ML.HyperDpo.Data;
using Microsoft.ML.HyperDpo.Evaluation;
using Microsoft.ML.HyperDpo.Modeling;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Scores a validation set at every point of a weight lattice and measures per-objective NDCG@k, the figure
/// early stopping follows.
/// </summary>
internal sealed class ValidationEvaluator : IDisposable
{
    /// <summary>Rows scored per forward pass unless told otherwise; the activations of one pass (a few tensors of rows x hidden
    /// width under no_grad) are a fixed overhead of about 200 MB at this size.</summary>
    public const int DefaultRowsPerForward = 65536;
    private readonly ListwiseDataset _data;
    private readonly IReadOnlyList<float[]> _grid;
    private readonly int _truncation;
    private readonly Tensor _features;
    private readonly List<(int FirstList, int Lists)> _chunks;
    private readonly float[]? _temperatureRange;
    private readonly Action? _checkCancelled;

    // temperatureRange: the trained range of a temperature-conditioned network (measured at a given temperature), else null.
    // checkCancelled: throws once the fit is cancelled; called before each forward pass, so that a large validation set does not
    // delay a cancellation by a whole measurement.
    public ValidationEvaluator(ListwiseDataset data, IReadOnlyList<float[]> grid, int truncation, Device device, float[]? temperatureRange = null,
        int rowsPerForward = DefaultRowsPerForward, Action? checkCancelled = null)
    {
        _temperatureRange = temperatureRange;
        _checkCancelled = checkCancelled;
        _data = data;
        _grid = grid;
        _truncation = truncation;
        _features = frombuffer(data.Features, ScalarType.Float32).reshape(data.RowCount, data.FeatureCount).to(device);
        _chunks = Chunks(data, rowsPerForward);
    }

    /// <summary>Runs of whole lists of about <paramref name="rowsPerForward"/> rows (at least one list each): (first list, list count).</summary>
    private static List<(int FirstList, int Lists)> Chunks(ListwiseDataset data, int rowsPerForward)
    {
        var chunks = new List<(int, int)>();
        int first = 0;
        for (int list = 0; list < data.ListCount; list++)
            if (list > first && data.ListStarts[list + 1] - data.ListStarts[first] > rowsPerForward)
            {
                chunks.Add((first, list - first));
                first = list;
            }
        if (data.ListCount > first) chunks.Add((first, data.ListCount - first));
        return chunks;
    }

    /// <summary>
    /// [grid point][objective] NDCG@k of the model (in eval mode) at each grid weight; a temperature-conditioned model at the
    /// temperature <paramref name="temperature"/> (null: the middle of its range).
    /// </summary>
    public double[][] Measure(IRankingNetwork model, float? temperature = null)
    {
        float beta = temperature ?? (_temperatureRange is null ? 0f : ConditionVector.MiddleTemperature(_temperatureRange));
        var result = new double[_grid.Count][];
        var scores = new float[_data.RowCount];
        using var noGrad = no_grad();
        for (int p = 0; p < _grid.Count; p++)
        {
            foreach (var (firstList, lists) in _chunks)
            {
                _checkCancelled?.Invoke();
                using var scope = NewDisposeScope();
                int start = _data.ListStarts[firstList], count = _data.ListStarts[firstList + lists] - start;
                var lengths = Enumerable.Range(firstList, lists).Select(_data.ListLength).ToArray();
                var w = ConditionVector.Of(tensor(_grid[p], device: _features.device).unsqueeze(0), beta, _temperatureRange);
                var s = model.ScoreRows(_features.narrow(0, start, count), w, lengths).cpu();
                s.data<float>().CopyTo(scores, start);
            }
            if (_data.HasReference && model is ConditionedScorer { ReweightedObjectives: > 0 } reweighting)
                ReweightedReference(reweighting, _grid[p], beta, scores);
            else if (_data.HasReference)
            {
                var reference = _data.ReferenceAt(_grid[p]);
                for (int r = 0; r < scores.Length; r++) scores[r] += reference[r];
            }
            result[p] = new double[_data.ObjectiveCount];
            for (int k = 0; k < _data.ObjectiveCount; k++)
            {
                int objective = k;
                result[p][k] = ListNdcg.Mean(scores, row => _data.Label(row, objective), _data.ListStarts, _truncation);
            }
        }
        return result;
    }

    /// <summary>Adds the re-weighted reference term sum_k w_k (1 + tanh a_k(x, w)) r_k at <paramref name="weights"/> to <paramref name="scores"/>.</summary>
    private void ReweightedReference(ConditionedScorer network, float[] weights, float beta, float[] scores)
    {
        int k = _data.ObjectiveCount;
        foreach (var (firstList, lists) in _chunks)
        {
            _checkCancelled?.Invoke();
            using var scope = NewDisposeScope();
            int start = _data.ListStarts[firstList], count = _data.ListStarts[firstList + lists] - start;
            var c = ConditionVector.Of(tensor(weights, device: _features.device).unsqueeze(0), beta, _temperatureRange);
            var r = tensor(_data.ReferenceScores.AsSpan(start * k, count * k).ToArray(), new long[] { count, k }).to(_features.device);
            var term = network.ReweightedReference(_features.narrow(0, start, count), c, r).cpu().data<float>();
            for (int i = 0; i < count; i++) scores[start + i] += term[i];
        }
    }

    /// <summary>The single figure early stopping maximises.</summary>
    public static double Summarize(double[][] ndcg, EarlyStoppingMetric metric) => metric switch
    {
        EarlyStoppingMetric.MeanNdcg => ndcg.Average(point => point.Average()),
        EarlyStoppingMetric.Hypervolume => Hypervolume.Compute(ndcg),
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "Unknown early-stopping metric."),
    };

    public void Dispose() => _features.Dispose();
}
