using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// Row-at-a-time scoring for <c>mlContext.Model.CreatePredictionEngine</c>: the input row's columns plus Score,
/// computed when asked for and cached for the current row.
/// </summary>
internal sealed class ScoringRowMapper : IRowToRowMapper
{
    private readonly ConditionedScoringModel _model;
    private readonly ObjectiveWeightSource _weights;
    private readonly DataViewSchema.Column? _weightColumn;
    private readonly DataViewSchema.Column? _temperatureColumn;
    private readonly IRowToRowMapper? _reference;

    public ScoringRowMapper(DataViewSchema inputSchema, ConditionedScoringModel model, ObjectiveWeightSource weights, string scoreColumnName)
    {
        model.CheckFeatures(inputSchema);
        _weightColumn = weights.Check(inputSchema, model.Objectives);
        _temperatureColumn = weights.CheckTemperature(inputSchema);
        _model = model;
        _weights = weights;
        InputSchema = inputSchema;
        OutputSchema = ScoreColumnView.OutputSchema(inputSchema, scoreColumnName);
        if (model.ReferenceFor(weights) is { } reference)
        {
            if (!reference.IsRowToRowMapper)
                throw new InvalidOperationException("The reference model cannot score one row at a time, so this HyperDPO model cannot either; use Transform on a data view.");
            _reference = reference.GetRowToRowMapper(inputSchema);
            _ = _reference.OutputSchema[model.ReferenceScoreColumnName];
        }
    }

    public DataViewSchema InputSchema { get; }
    public DataViewSchema OutputSchema { get; }

    public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns)
    {
        var needed = new HashSet<int>(dependingColumns.Where(c => c.Index < InputSchema.Count).Select(c => c.Index));
        if (dependingColumns.Any(c => c.Index == OutputSchema.Count - 1))
        {
            needed.Add(InputSchema[_model.FeatureColumnName].Index);
            if (_weightColumn is { } w) needed.Add(w.Index);
            if (_temperatureColumn is { } t) needed.Add(t.Index);
            if (_reference is not null)
                foreach (var c in _reference.GetDependencies(new[] { _reference.OutputSchema[_model.ReferenceScoreColumnName] }))
                    needed.Add(c.Index);
        }
        return needed.OrderBy(i => i).Select(i => InputSchema[i]);
    }

    public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
        new ScoredRow(this, input, activeColumns.Select(c => c.Index).ToHashSet());

    private sealed class ScoredRow : DataViewRow
    {
        private readonly ScoringRowMapper _parent;
        private readonly DataViewRow _input;
        private readonly HashSet<int> _active;
        private readonly ValueGetter<VBuffer<float>>? _features;
        private readonly DataViewRow? _referenceRow;
        private readonly ValueGetter<VBuffer<float>>? _referenceScore;
        private VBuffer<float> _referenceBuffer;
        private readonly ValueGetter<VBuffer<float>>? _weightGetter;
        private readonly ValueGetter<float>? _temperatureGetter;
        private readonly float[] _row;
        private readonly float[] _rowWeights;
        private readonly float[] _score = new float[1];
        private readonly float[] _referenceValue;
        private readonly ManagedScorer.Workspace _workspace;
        private VBuffer<float> _buffer;
        private VBuffer<float> _weightBuffer;
        private long _scoredPosition = -1;

        public ScoredRow(ScoringRowMapper parent, DataViewRow input, HashSet<int> active)
        {
            _parent = parent;
            _input = input;
            _active = active;
            _row = new float[parent._model.FeatureCount];
            _rowWeights = parent._weights.FixedWeights is null ? new float[parent._model.ConditionWidth] : parent._weights.FixedCondition(parent._model);
            _workspace = parent._model.Scorer.CreateWorkspace(1);
            _referenceValue = new float[parent._model.Objectives.Count];
            if (active.Contains(parent.OutputSchema.Count - 1))
            {
                _features = input.GetGetter<VBuffer<float>>(input.Schema[parent._model.FeatureColumnName]);
                if (parent._weightColumn is { } w) _weightGetter = input.GetGetter<VBuffer<float>>(w);
                if (parent._temperatureColumn is { } t) _temperatureGetter = input.GetGetter<float>(t);
                if (parent._reference is not null)
                {
                    var column = parent._reference.OutputSchema[parent._model.ReferenceScoreColumnName];
                    _referenceRow = parent._reference.GetRow(input, new[] { column });
                    _referenceScore = _referenceRow.GetGetter<VBuffer<float>>(column);
                }
            }
        }

        public override DataViewSchema Schema => _parent.OutputSchema;
        public override long Position => _input.Position;
        public override long Batch => _input.Batch;
        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (column.Index < _parent.InputSchema.Count)
                return _input.GetGetter<TValue>(_input.Schema[column.Index]);
            if (typeof(TValue) != typeof(float) || _features is null)
                throw new InvalidOperationException($"Column '{column.Name}' is an inactive or Single column; a getter of {typeof(TValue).Name} was asked for.");
            ValueGetter<float> getter = (ref float value) => value = Compute();
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        private float Compute()
        {
            // Prediction engines reuse one row object and move its position; a new position means a new input.
            if (_scoredPosition != _input.Position || _input.Position < 0)
            {
                _features!(ref _buffer);
                _parent._model.ReadFeatures(_buffer, _row, _input.Position);
                if (_weightGetter is not null) _parent._weights.ReadRow(_parent._model, _weightGetter, ref _weightBuffer, _temperatureGetter, _rowWeights, _input.Position);
                if (_referenceScore is not null)
                {
                    _referenceScore(ref _referenceBuffer);
                    ColumnChecks.CopyVector(_referenceBuffer, _parent._model.ReferenceScoreColumnName, _referenceValue, _input.Position);
                }
                _parent._model.Score(_row, 1, _referenceScore is null ? ReadOnlySpan<float>.Empty : _referenceValue, _rowWeights, _score, _workspace);
                _scoredPosition = _input.Position;
            }
            return _score[0];
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _referenceRow?.Dispose();
            base.Dispose(disposing);
        }
    }
}
