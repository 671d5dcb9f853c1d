using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// The lazy output of <see cref="HyperDpoRankingTransformer.Transform"/> and <see cref="WeightedScoreTransformer.Transform"/>:
/// every input column passed through plus a Single score column. Nothing is computed until a cursor asks for the
/// score, and then rows are scored in blocks of <see cref="BlockRows"/>, one managed forward pass per block (with
/// per-row weights, one weight vector per row of the block).
/// </summary>
internal sealed class ScoredDataView : ScoreColumnView
{
    internal const int BlockRows = 1024;
    private readonly ConditionedScoringModel _model;
    private readonly ObjectiveWeightSource _weights;

    public ScoredDataView(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumnName)
        : base(input, scoreColumnName)
    {
        model.CheckFeatures(input.Schema);
        weights.Check(input.Schema, model.Objectives);
        weights.CheckTemperature(input.Schema);
        _model = model;
        _weights = weights;
    }

    protected override IScorer CreateScorer(IDataView input) => new BlockScorer(input, _model, _weights);

    /// <summary>
    /// Reads features (and reference scores and weights) through its own cursor over the input, a block ahead of the pass-through
    /// cursor; both visit the rows in the same order because neither is shuffled.
    /// </summary>
    private sealed class BlockScorer : IScorer
    {
        private readonly ConditionedScoringModel _model;
        private readonly ObjectiveWeightSource _weights;
        private readonly DataViewRowCursor _cursor;
        private readonly ValueGetter<VBuffer<float>> _features;
        private readonly ValueGetter<VBuffer<float>>? _reference;
        private VBuffer<float> _referenceBuffer;
        private readonly ValueGetter<VBuffer<float>>? _weightGetter;
        private readonly ValueGetter<float>? _temperatureGetter;
        private readonly float[] _featureBlock;
        private readonly float[] _referenceBlock;
        private readonly float[] _weightBlock;
        private readonly float[] _scores;
        private readonly int _blockRows;
        private readonly ManagedScorer.Workspace _workspace;
        private VBuffer<float> _buffer;
        private VBuffer<float> _weightBuffer;
        private long _blockStart = -1;
        private int _blockCount;

        public BlockScorer(IDataView input, ConditionedScoringModel model, ObjectiveWeightSource weights)
        {
            _model = model;
            _weights = weights;
            // A small input (one request's documents) gets blocks of its own size: the working memory of a full
            // block is megabytes, allocated per cursor.
            _blockRows = (int)Math.Clamp(input.GetRowCount() ?? BlockRows, 1, BlockRows);
            _scores = new float[_blockRows];
            _workspace = model.Scorer.CreateWorkspace(_blockRows);
            var read = ScoringCursor.Open(input, model, weights, groups: false);
            (_cursor, _features, _reference, _weightGetter, _temperatureGetter) = (read.Cursor, read.Features, read.Reference, read.Weights, read.Temperature);
            _weightBlock = _weightGetter is null ? weights.FixedCondition(model) : new float[_blockRows * model.ConditionWidth];
            _featureBlock = new float[_blockRows * model.FeatureCount];
            _referenceBlock = new float[model.Reference is null ? 0 : _blockRows * model.Objectives.Count];
        }

        public float ScoreAt(long position)
        {
            if (position < _blockStart || position >= _blockStart + _blockCount)
                ReadBlockAt(position);
            return _scores[position - _blockStart];
        }

        private void ReadBlockAt(long position)
        {
            // Cursors only move forward: rows whose score nobody asked for are skipped, never re-read.
            _blockStart = position;
            _blockCount = 0;
            int f = _model.FeatureCount;
            while (_blockCount < _blockRows && _cursor.MoveNext())
            {
                if (_cursor.Position < position) continue;
                _features(ref _buffer);
                var row = _featureBlock.AsSpan(_blockCount * f, f);
                _model.ReadFeatures(_buffer, row, _cursor.Position);
                if (_weightGetter is not null)
                {
                    int c = _model.ConditionWidth;
                    _weights.ReadRow(_model, _weightGetter, ref _weightBuffer, _temperatureGetter, _weightBlock.AsSpan(_blockCount * c, c), _cursor.Position);
                }
                if (_reference is not null)
                {
                    int k = _model.Objectives.Count;
                    _reference(ref _referenceBuffer);
                    ColumnChecks.CopyVector(_referenceBuffer, _model.ReferenceScoreColumnName, _referenceBlock.AsSpan(_blockCount * k, k), _cursor.Position);
                }
                _blockCount++;
            }
            var weights = _weightGetter is null ? _weightBlock : _weightBlock.AsSpan(0, _blockCount * _model.ConditionWidth);
            _model.Score(_featureBlock, _blockCount, _referenceBlock.AsSpan(0, _model.Reference is null ? 0 : _blockCount * _model.Objectives.Count), weights, _scores, _workspace);
        }

        public void Dispose() => _cursor.Dispose();
    }
}
