using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;
using static TorchSharp.torch;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The lazy output of a listwise (transformer) model's <c>Transform</c>: every input column passed through plus a Single score
/// column. The scorer reads the rows group by group (the model's group column), buffers whole groups up to about
/// <see cref="BlockRows"/> rows and scores them in one forward pass, each group as one list at one weight vector.
/// </summary>
/// <remarks>
/// A group's rows must be contiguous: a group key seen again after another group is an error that names the column, key and
/// row (sort the data by the group column first). With a weights column, every row of a group must carry the same weights.
/// </remarks>
internal sealed class GroupScoredDataView : ScoreColumnView
{
    internal const int BlockRows = 1024;
    private readonly ConditionedScoringModel _model;
    private readonly ObjectiveWeightSource _weights;

    public GroupScoredDataView(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumnName)
        : base(input, scoreColumnName)
    {
        model.CheckFeatures(input.Schema);
        weights.Check(input.Schema, model.Objectives);
        weights.CheckTemperature(input.Schema);
        ColumnChecks.GroupKey(input.Schema, model.GroupColumnName);
        _model = model;
        _weights = weights;
    }

    protected override IScorer CreateScorer(IDataView input) => new GroupScorer(input, _model, _weights);

    /// <summary>Reads and scores whole groups through its own cursor, ahead of the pass-through cursor (same order: neither shuffles).</summary>
    private sealed class GroupScorer : IScorer
    {
        private readonly ConditionedScoringModel _model;
        private readonly ObjectiveWeightSource _weights;
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly Func<ulong> _group;
        private readonly ValueGetter<VBuffer<float>>? _reference;
        private VBuffer<float> _referenceBuffer;
        private readonly ValueGetter<VBuffer<float>>? _weightGetter;
        private readonly ValueGetter<float>? _temperatureGetter;
        private readonly HashSet<ulong> _finished = new();
        private readonly List<float> _featureBlock = new();
        private readonly List<float> _referenceBlock = new();
        private readonly List<float> _conditionBlock = new();
        private readonly List<int> _lengths = new();
        private readonly float[] _row;
        private readonly float[] _rowWeights;
        private VBuffer<float> _buffer;
        private VBuffer<float> _weightBuffer;
        private float[] _scores = Array.Empty<float>();
        private long _blockStart;
        private bool _pending;
        private bool _exhausted;
        private ulong _currentGroup;
        private bool _hasGroup;

        public GroupScorer(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights)
        {
            _model = model;
            _weights = weights;
            var read = ScoringCursor.Open(input, model, weights, groups: true);
            (_cursor, _features, _group, _reference, _weightGetter, _temperatureGetter) =
                (read.Cursor, read.Features, read.Group!, read.Reference, read.Weights, read.Temperature);
            _row = new float[model.FeatureCount];
            _rowWeights = new float[model.ConditionWidth];
        }

        public float ScoreAt(long position)
        {
            if (position < _blockStart)
                throw new InvalidOperationException("Rows of a listwise HyperDPO model's output are read in order.");
            while (position >= _blockStart + _scores.Length)
            {
                _blockStart += _scores.Length;
                ReadBlock();
                if (_scores.Length == 0)
                    throw new InvalidOperationException($"Row {position} is past the end of the data.");
            }
            return _scores[position - _blockStart];
        }

        /// <summary>Reads whole groups until the block holds at least <see cref="BlockRows"/> rows or the data ends, and scores them.</summary>
        private void ReadBlock()
        {
            _featureBlock.Clear();
            _referenceBlock.Clear();
            _conditionBlock.Clear();
            _lengths.Clear();
            int rows = 0;
            while (!_exhausted)
            {
                if (!_pending)
                {
                    if (!_cursor.MoveNext())
                    {
                        _exhausted = true;
                        break;
                    }
                    _pending = true;
                }
                ulong group = _group();
                long position = _cursor.Position;
                if (group == 0)
                    throw new InvalidOperationException($"Group column '{_model.GroupColumnName}' has a missing key at row {position}; a listwise HyperDPO model scores each row within its group.");
                bool changes = !_hasGroup || group != _currentGroup;
                if (changes)
                {
                    if (rows >= BlockRows) break;   // the pending row starts the next block
                    if (_hasGroup) _finished.Add(_currentGroup);
                    if (_finished.Contains(group))
                        throw new InvalidOperationException($"Group column '{_model.GroupColumnName}' has the group {group} again at row {position}, after other groups. " +
                            "A listwise (Transformer) HyperDPO model scores each group as a whole, so the rows of a group must be contiguous: sort the data by the group column first.");
                    _currentGroup = group;
                    _hasGroup = true;
                }
                bool newGroup = changes || _lengths.Count == 0;
                if (newGroup) _lengths.Add(0);
                _features(ref _buffer);
                _model.ReadFeatures(_buffer, _row, position);
                _featureBlock.AddRange(_row);
                if (_weightGetter is not null)
                {
                    _weights.ReadRow(_model, _weightGetter, ref _weightBuffer, _temperatureGetter, _rowWeights, position);
                    if (newGroup) _conditionBlock.AddRange(_rowWeights);
                    else if (!_rowWeights.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_conditionBlock)[^_rowWeights.Length..]))
                        throw new InvalidOperationException($"The objective weights change within group {group} at row {position}. A listwise (Transformer) HyperDPO model scores a group at one trade-off: give every row of a group the same weights (and temperature).");
                }
                if (_reference is not null)
                {
                    // The reference soup at this row's trade-off: r_w = sum_k w_k r_k over the K standardised reference scores.
                    _reference(ref _referenceBuffer);
                    var w = _weightGetter is null ? _weights.FixedWeights! : _rowWeights;
                    float r = 0;
                    int j = 0;
                    foreach (float value in _referenceBuffer.DenseValues()) r += w[j++] * value;
                    _referenceBlock.Add(r);
                    // A network that reads the reference scores gets them after the row's features.
                    if (_model.ReferenceInputs) _featureBlock.AddRange(_referenceBuffer.DenseValues());
                }
                _lengths[^1]++;
                rows++;
                _pending = false;
            }
            _scores = Score(rows);
        }

        private float[] Score(int rows)
        {
            if (rows == 0) return Array.Empty<float>();
            var network = _model.Listwise!;
            var device = _model.Device;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var conditions = _weightGetter is null
                ? tensor(_weights.FixedCondition(_model), new long[] { 1, _model.ConditionWidth }, device: device)
                : tensor(_conditionBlock.ToArray(), new long[] { _lengths.Count, _model.ConditionWidth }, device: device);
            var features = tensor(_featureBlock.ToArray(), new long[] { rows, network.FeatureCount }, device: device);
            var scores = network.ScoreGroups(features, conditions, _lengths.ToArray()).cpu().data<float>().ToArray();
            for (int i = 0; i < _referenceBlock.Count; i++) scores[i] += _referenceBlock[i];
            return scores;
        }

        public void Dispose() => _cursor.Dispose();
    }
}
