using Microsoft.ML.Data;
using Microsoft.ML.HyperDpo.Data;

namespace Microsoft.ML.HyperDpo.Scoring;

/// <summary>
/// A lazy view that passes every input column through and appends one Single score column, computed only when a
/// cursor asks for it. Subclasses say how rows are scored (<see cref="CreateScorer"/>): row blocks for row-wise models,
/// whole groups for listwise ones.
/// </summary>
internal abstract class ScoreColumnView : IDataView
{
    private readonly IDataView _input;

    protected ScoreColumnView(IDataView input, string scoreColumnName)
    {
        _input = input;
        Schema = OutputSchema(input.Schema, scoreColumnName);
    }

    /// <summary>The input's columns followed by the Single score column.</summary>
    public static DataViewSchema OutputSchema(DataViewSchema input, string scoreColumnName)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        builder.AddColumn(scoreColumnName, NumberDataViewType.Single);
        return builder.ToSchema();
    }

    /// <summary>
    /// Reads the input through its own cursor, ahead of the pass-through cursor, and scores the row at a position; both
    /// cursors visit the rows in the same order because neither is shuffled.
    /// </summary>
    protected interface IScorer : IDisposable
    {
        float ScoreAt(long position);
    }

    /// <summary>A scorer over <paramref name="input"/>, created only for cursors that read the score.</summary>
    protected abstract IScorer CreateScorer(IDataView input);

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToList();
        int scoreIndex = Schema.Count - 1;
        var passThrough = _input.GetRowCursor(needed.Where(c => c.Index < scoreIndex).Select(c => _input.Schema[c.Index]).ToList());
        var scorer = needed.Any(c => c.Index == scoreIndex) ? CreateScorer(_input) : null;
        return new Cursor(Schema, passThrough, scorer, needed.Select(c => c.Index).ToHashSet());
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        new[] { GetRowCursor(columnsNeeded, rand) };

    private sealed class Cursor : PassThroughCursor
    {
        private readonly DataViewSchema _schema;
        private readonly IScorer? _scorer;
        private readonly HashSet<int> _active;

        public Cursor(DataViewSchema schema, DataViewRowCursor input, IScorer? scorer, HashSet<int> active) : base(input)
        {
            _schema = schema;
            _scorer = scorer;
            _active = active;
        }

        public override DataViewSchema Schema => _schema;
        public override bool IsColumnActive(DataViewSchema.Column column) => _active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!IsColumnActive(column))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when this cursor was created.");
            if (column.Index < Schema.Count - 1)
                return Input.GetGetter<TValue>(Input.Schema[column.Index]);
            return As<TValue, float>(column, (ref float value) => value = _scorer!.ScoreAt(Input.Position));
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _scorer?.Dispose();
            base.Dispose(disposing);
        }
    }
}
