using System.Globalization;
using Microsoft.ML.Data;

namespace Microsoft.ML.HyperDpo;

/// <summary>
/// Loads learning-to-rank files in the LETOR / SVMlight format
/// (<c>label qid:N i:v i:v ... #comment</c>, one document per line) as one <see cref="IDataView"/>,
/// through ML.NET's own SVMlight loader, after checking the text so that no malformed token is
/// silently dropped or misread.
/// </summary>
/// <remarks>
/// <para><b>Input and output columns</b></para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type and meaning</description></listheader>
/// <item><term><c>Label</c></term><description><see cref="float"/>: the relevance grade (first token of the line).</description></item>
/// <item><term><c>Weight</c></term><description><see cref="float"/>: the <c>cost:</c> token, 1 where absent (ML.NET's convention).</description></item>
/// <item><term><c>GroupId</c></term><description>key (<see cref="ulong"/> raw type): the query; ML.NET stores <c>qid + 1</c>, so qid 0 is key 1 and 0 never occurs (it would mean "missing").</description></item>
/// <item><term><c>Comment</c></term><description>text: everything after the first <c>#</c> of the line (e.g. MQ2008's <c>docid = GX...</c>), empty where absent.</description></item>
/// <item><term><c>Features</c></term><description>known-size vector of <see cref="float"/> of length <c>featureCount</c>; feature id <c>N</c> of the file is slot <c>N - 1</c>; ids that a line leaves out are 0. Every value is handed out in dense form.</description></item>
/// </list>
/// <para><b>What this adds to <c>mlContext.Data.LoadFromSvmLightFile</c></b> (checked against Microsoft.ML 5.0.1):</para>
/// <list type="number">
/// <item><description>Several files are read as one view, in the given order (e.g. S1, S2, S3 as one training set), by giving ML.NET's loader an <see cref="IMultiStreamSource"/> of exact paths (ML.NET's <see cref="MultiFileSource"/> would also expand <c>*</c>, <c>?</c> and <c>+</c> in a path).</description></item>
/// <item><description>The feature count is found by a scan of all the files (or taken from <c>featureCount</c>) and passed to ML.NET together with <c>zeroBased: false</c>, instead of ML.NET inferring it.</description></item>
/// <item><description>ML.NET's loader builds each feature vector with one buffer shared by all threads, and its cursors run that code on two or more threads: on MQ2008 an ordinary cursor over <c>Features</c> fails at random with "Duplicate keys found in dataset", "Destination is too short" or an <see cref="ArgumentOutOfRangeException"/>, and can mix values of different rows. The view returned here reads ML.NET's loader through a single cursor (a cursor set of size one), so that code runs on one thread.</description></item>
/// <item><description>ML.NET hands out mostly-zero rows as sparse buffers (1,649 of the 2,933 rows of MQ2008 S1); this view hands out every <c>Features</c> value densely.</description></item>
/// <item><description>Every data line is checked first, and the first problem is reported as an <see cref="InvalidDataException"/> naming the file, the line number, the token and what was expected. ML.NET itself would, for the same lines: read an unparsable label as NaN; keep a line without <c>qid:</c> or with a negative or unparsable qid under the missing key; silently skip a token without <c>:</c>, a feature whose value does not parse (<c>3:abc</c>) and any feature whose index exceeds the feature count; keep <c>NaN</c>, <c>?</c> and overflowing values (<c>1e40</c> becomes infinity); ignore <c>sid:</c>; let a repeated <c>qid:</c> or <c>cost:</c> overwrite the earlier one; and fail without naming file or line on index 0, a non-numeric index or a repeated index.</description></item>
/// <item><description>A missing file is a <see cref="FileNotFoundException"/> naming it, raised before anything is read.</description></item>
/// </list>
/// <para>Every file must hold at least one data line, and each query's lines must be consecutive (across the files of one call too):
/// an empty file, or a query whose lines start again after another query's, is an <see cref="InvalidDataException"/> naming the file (and the line).</para>
/// <para>Lines that are empty, blank, or start with <c>#</c> after trimming white space are comments and are skipped, as ML.NET does. Tokens are separated by spaces or tabs.
/// A valid line has a label, exactly one <c>qid:N</c> (N a non-negative integer), at most one <c>cost:w</c>, and feature tokens <c>i:v</c> with distinct integer ids 1 &lt;= i &lt;= featureCount
/// and finite decimal values (digits, sign, point and exponent only). Feature ids go up to <see cref="MaxFeatureCount"/>, and a line may hold up to
/// <see cref="MaxLineLength"/> characters: a longer one (a file without line breaks) is refused as soon as it passes the limit, naming the file and line.</para>
/// <para>The view cannot shuffle (ML.NET's loader cannot either) and reports its row count, known from the scan.</para>
/// </remarks>
public static class LetorTextLoader
{
    /// <summary>Name of the relevance-grade column.</summary>
    public const string LabelColumnName = "Label";

    /// <summary>Name of the per-row weight column (the <c>cost:</c> token, 1 where absent).</summary>
    public const string WeightColumnName = "Weight";

    /// <summary>Name of the query key column.</summary>
    public const string GroupIdColumnName = "GroupId";

    /// <summary>Name of the trailing-comment column.</summary>
    public const string CommentColumnName = "Comment";

    /// <summary>Name of the feature vector column.</summary>
    public const string FeaturesColumnName = "Features";

    /// <summary>
    /// The largest feature id (and feature count) accepted: rows are handed out densely, so an id in the billions
    /// (a typo, or a corrupt file) would otherwise ask for gigabytes per row. Public learning-to-rank sets have at
    /// most a few hundred features.
    /// </summary>
    public const int MaxFeatureCount = 65_536;

    /// <summary>
    /// The longest line accepted, in characters (16 Mi): a line is read into memory whole, so a file without newlines (a
    /// disk image, <c>/dev/zero</c>, a wrong path) is refused once a line passes this length instead of being read to its end.
    /// A line of <see cref="MaxFeatureCount"/> features in full precision is about 1.6 million characters.
    /// </summary>
    public const int MaxLineLength = 16 * 1024 * 1024;

    private static readonly char[] TokenSeparators = [' ', '\t'];

    /// <summary>
    /// Reads one or more LETOR / SVMlight ranking files as one data view, in the given order; the feature
    /// count is the largest feature id found in the files.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="paths">The files, read one after the other (a query may go on at the top of the next file, but not start again later).</param>
    /// <returns>A view with the columns <c>Label</c>, <c>Weight</c>, <c>GroupId</c>, <c>Comment</c> and <c>Features</c> (see the remarks of <see cref="LetorTextLoader"/>).</returns>
    /// <exception cref="ArgumentException">No path was given, or a path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A data line is malformed, a file holds no data line, or a query's lines are not consecutive.</exception>
    public static IDataView LoadLetorFiles(this DataOperationsCatalog catalog, params string[] paths)
        => LoadLetorFiles(catalog, featureCount: null, paths);

    /// <summary>
    /// Reads one or more LETOR / SVMlight ranking files as one data view, in the given order, with a given
    /// feature count (e.g. 46 for LETOR 4.0, 136 for MSLR-WEB) or, if <paramref name="featureCount"/> is
    /// null, the largest feature id found in the files.
    /// </summary>
    /// <param name="catalog">The data catalog, <c>mlContext.Data</c>.</param>
    /// <param name="featureCount">The length of the <c>Features</c> vector; a feature id above it is an error. Null: the largest id in the files.</param>
    /// <param name="paths">The files, read one after the other (a query may go on at the top of the next file, but not start again later).</param>
    /// <returns>A view with the columns <c>Label</c>, <c>Weight</c>, <c>GroupId</c>, <c>Comment</c> and <c>Features</c> (see the remarks of <see cref="LetorTextLoader"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="featureCount"/> is less than 1.</exception>
    /// <exception cref="ArgumentException">No path was given, or a path is null or empty.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A data line is malformed, a feature id exceeds <paramref name="featureCount"/>, a file holds no data line, a query's lines are not consecutive, or (with no <paramref name="featureCount"/>) the files hold no feature token.</exception>
    public static IDataView LoadLetorFiles(this DataOperationsCatalog catalog, int? featureCount, params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Length == 0)
            throw new ArgumentException("Give at least one LETOR file path.", nameof(paths));
        if (featureCount is < 1 or > MaxFeatureCount)
            throw new ArgumentOutOfRangeException(nameof(featureCount), featureCount, $"The feature count must be from 1 to {MaxFeatureCount} (or null, to take the largest feature id in the files).");

        var fullPaths = new string[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            if (string.IsNullOrEmpty(paths[i]))
                throw new ArgumentException($"Path number {i} of the LETOR file list is null or empty.", nameof(paths));
            fullPaths[i] = Path.GetFullPath(paths[i]);
            if (!File.Exists(fullPaths[i]))
                throw new FileNotFoundException($"LETOR file '{paths[i]}' does not exist (full path '{fullPaths[i]}').", fullPaths[i]);
        }

        long rows = 0;
        int maxIndex = 0;
        // One query order for all the files: they are read as one view, in which a query must be one run of rows.
        var queries = new QueryOrder();
        foreach (string path in fullPaths)
        {
            var (fileRows, fileMax) = ScanFile(path, featureCount, queries);
            rows += fileRows;
            maxIndex = Math.Max(maxIndex, fileMax);
        }

        int size = featureCount ?? maxIndex;
        if (size == 0)
            throw new InvalidDataException(
                $"The LETOR files {string.Join(", ", fullPaths.Select(p => $"'{p}'"))} hold no feature token, so the feature count cannot be inferred; pass featureCount explicitly.");

        var source = new ExactFileSource(fullPaths);
        var loader = catalog.CreateSvmLightLoader(numberOfRows: null, inputSize: size, zeroBased: false, dataSample: null);
        return new SingleCursorDenseView(loader.Load(source), FeaturesColumnName, rows);
    }

    /// <summary>
    /// The largest feature id in the files, after checking every data line: the feature count to pass to
    /// <see cref="LoadLetorFiles(DataOperationsCatalog, int?, string[])"/> so that separately loaded sets (train, validation, test) agree.
    /// </summary>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A data line is malformed, a file holds no data line, or a query's lines are not consecutive within a file.</exception>
    public static int FeatureCount(params string[] paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        int max = 0;
        foreach (string path in paths)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"LETOR file '{path}' does not exist.", path);
            max = Math.Max(max, ScanFile(Path.GetFullPath(path), null, new QueryOrder()).MaxIndex);
        }
        return max;
    }

    /// <summary>
    /// Checks every data line of one file, and that its queries continue <paramref name="queries"/> as runs of consecutive lines;
    /// returns its data-line count and its largest feature id.
    /// </summary>
    private static (long Rows, int MaxIndex) ScanFile(string path, int? featureCount, QueryOrder queries)
    {
        long rows = 0;
        int maxIndex = 0;
        int lineNumber = 0;
        var seen = new HashSet<uint>();
        foreach (string line in Lines(path))
        {
            lineNumber++;
            // Same comment rule as ML.NET's loader: trim with char.IsWhiteSpace, then empty or '#' is not a row.
            string text = line.Trim();
            if (text.Length == 0 || text[0] == '#')
                continue;
            rows++;
            int hash = text.IndexOf('#');
            string body = hash < 0 ? text : text[..hash];
            string[] tokens = body.Split(TokenSeparators, StringSplitOptions.RemoveEmptyEntries);

            if (!TryParseFiniteNumber(tokens[0], out _))
                throw BadLine(path, lineNumber, tokens[0], "the label is not a finite decimal number", "a label such as 0, 1 or 2 as the first token");

            bool hasQid = false, hasCost = false;
            seen.Clear();
            for (int t = 1; t < tokens.Length; t++)
            {
                string token = tokens[t];
                // ML.NET splits at the last ':', so do the same.
                int colon = token.LastIndexOf(':');
                if (colon < 0)
                    throw BadLine(path, lineNumber, token, "the token has no ':'", "'qid:<id>', 'cost:<weight>' or '<feature id>:<value>'");
                string key = token[..colon];
                string value = token[(colon + 1)..];
                switch (key)
                {
                    case "qid":
                        if (hasQid)
                            throw BadLine(path, lineNumber, token, "a second qid on the line", "exactly one 'qid:<id>' per line");
                        if (!IsDigits(value) || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long qid))
                            throw BadLine(path, lineNumber, token, "the query id is not a non-negative integer", $"'qid:<id>' with 0 <= id <= {long.MaxValue}");
                        queries.Add(qid, path, lineNumber);
                        hasQid = true;
                        break;
                    case "cost":
                        if (hasCost)
                            throw BadLine(path, lineNumber, token, "a second cost on the line", "at most one 'cost:<weight>' per line");
                        if (!TryParseFiniteNumber(value, out _))
                            throw BadLine(path, lineNumber, token, "the weight is not a finite decimal number", "'cost:<weight>'");
                        hasCost = true;
                        break;
                    case "sid":
                        throw BadLine(path, lineNumber, token, "slack ids ('sid:') are not supported (ML.NET's loader ignores them)", "'qid:<id>', 'cost:<weight>' or '<feature id>:<value>'");
                    default:
                        if (!IsDigits(key) || !uint.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out uint index))
                            throw BadLine(path, lineNumber, token, $"the feature id '{key}' is not a positive integer", "'<feature id>:<value>' with a 1-based integer id");
                        if (index == 0)
                            throw BadLine(path, lineNumber, token, "feature id 0 (LETOR feature ids start at 1)", "'<feature id>:<value>' with a 1-based integer id");
                        if (index > (uint)(featureCount ?? MaxFeatureCount))
                        {
                            var beyond = BadLine(path, lineNumber, token, $"feature id {index} is beyond the feature count {featureCount ?? MaxFeatureCount}{(featureCount is null ? ", the most this loader supports" : "")}", $"feature ids from 1 to {featureCount ?? MaxFeatureCount}");
                            beyond.Data[FeatureIdBeyondCount] = index;
                            throw beyond;
                        }
                        if (!seen.Add(index))
                            throw BadLine(path, lineNumber, token, $"feature id {index} appears twice on the line", "each feature id at most once per line");
                        if (!TryParseFiniteNumber(value, out _))
                            throw BadLine(path, lineNumber, token, $"the value '{value}' of feature {index} is not a finite decimal number", "'<feature id>:<value>' with a value such as 0.25, -3 or 1.5e-3");
                        maxIndex = Math.Max(maxIndex, (int)index);
                        break;
                }
            }
            if (!hasQid)
                throw new InvalidDataException($"LETOR file '{path}', line {lineNumber}: the line has no 'qid:<id>' token; expected '<label> qid:<id> <feature id>:<value> ... [#comment]'.");
        }
        if (rows == 0)
            throw new InvalidDataException($"LETOR file '{path}' holds no data line (it is empty, or holds only blank and comment lines); expected lines '<label> qid:<id> <feature id>:<value> ... [#comment]'.");
        return (rows, maxIndex);
    }

    /// <summary>
    /// The queries met so far, so that a query whose lines start again after another query's is refused where it is read:
    /// ML.NET's rankers and evaluators read a query as one run of consecutive rows, and would otherwise take its two runs
    /// for two queries (or fail later, far from the file).
    /// </summary>
    private sealed class QueryOrder
    {
        private readonly Dictionary<long, (string Path, int Line)> _firstLines = new();
        private long _current = -1;

        public void Add(long qid, string path, int lineNumber)
        {
            if (qid == _current) return;
            if (_firstLines.TryGetValue(qid, out var first))
                throw new InvalidDataException(
                    $"LETOR file '{path}', line {lineNumber}, token 'qid:{qid}': query {qid} starts again after other queries (its first line is line {first.Line} of '{first.Path}'); " +
                    "expected each query's documents on consecutive lines (sort the file by qid, keeping each query's lines together).");
            _firstLines.Add(qid, (path, lineNumber));
            _current = qid;
        }
    }

    /// <summary>
    /// The lines of <paramref name="path"/>, split as <see cref="StreamReader.ReadLine"/> does (LF, CR or CRLF), but with no line
    /// longer than <see cref="MaxLineLength"/>: a longer one is refused as soon as it passes the limit, naming the file and line.
    /// </summary>
    private static IEnumerable<string> Lines(string path)
    {
        using var reader = new StreamReader(path);
        var buffer = new char[64 * 1024];
        var line = new System.Text.StringBuilder();
        int lineNumber = 1;
        bool afterCr = false;
        int read;
        while ((read = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int start = 0;
            if (afterCr && buffer[0] == '\n') start = 1;   // the LF of a CRLF split between two reads
            afterCr = false;
            while (start < read)
            {
                int end = buffer.AsSpan(start, read - start).IndexOfAny('\r', '\n');
                int count = end < 0 ? read - start : end;
                if (line.Length + count > MaxLineLength)
                    throw new InvalidDataException($"LETOR file '{path}', line {lineNumber}: the line is longer than {MaxLineLength:N0} characters, the most this loader reads " +
                        "(a file without line breaks, such as a disk image or a device, is not a LETOR file); expected one document per line.");
                line.Append(buffer, start, count);
                if (end < 0) break;
                int at = start + end;
                yield return line.ToString();
                line.Clear();
                lineNumber++;
                start = at + 1;
                if (buffer[at] == '\r')
                {
                    if (start < read && buffer[start] == '\n') start++;
                    else if (start == read) afterCr = true;
                }
            }
        }
        if (line.Length > 0) yield return line.ToString();
    }

    /// <summary>
    /// The <see cref="Exception.Data"/> key (its value: the id) that marks the error of a feature id beyond the feature count, so
    /// that a caller that knows where the count came from (a flag, a model) can add that to the message without reading the message.
    /// </summary>
    internal const string FeatureIdBeyondCount = "Microsoft.ML.HyperDpo.FeatureIdBeyondCount";

    private static InvalidDataException BadLine(string path, int lineNumber, string token, string problem, string expected)
        => new($"LETOR file '{path}', line {lineNumber}, token '{token}': {problem}; expected {expected}.");

    private static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    /// <summary>
    /// A decimal number made only of digits, sign, point and exponent (so that ML.NET's own parser reads it
    /// the same way), and finite as a float.
    /// </summary>
    private static bool TryParseFiniteNumber(string s, out float value)
    {
        value = 0;
        if (s.Length == 0 || !s.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or '.' or 'e' or 'E'))
            return false;
        return float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && float.IsFinite(value);
    }
}
