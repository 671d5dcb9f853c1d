using ScottPlot;
using SkiaSharp;

namespace Microsoft.ML.HyperDpo.Comparison;

/// <summary>
/// Draws the fronts of a comparison as a PNG: every objective pair's NDCG@k (mean over splits, weight by weight), HyperDPO as a
/// curve through its grid weights, every other method as points. One panel for two objectives; for K &gt;= 3 one panel per pair of
/// objectives (the pairwise projections of the K-dimensional fronts), laid out in a grid, where HyperDPO's curve runs along the
/// weights that mix only that pair and its other lattice points are small unconnected markers.
/// </summary>
/// <remarks>Renders with ScottPlot 5 on SkiaSharp, headless (no display needed on Linux).</remarks>
public static class FrontPlot
{
    private const int PanelWidth = 640, PanelHeight = 480;

    private static readonly MarkerShape[] Shapes =
    {
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.Cross,
    };

    /// <summary>Writes the plot to <paramref name="path"/> (PNG).</summary>
    /// <param name="result">The comparison.</param>
    /// <param name="path">The PNG file to write; its folder is created.</param>
    /// <param name="curveMethod">The key of the method drawn as a curve. Default "hyperdpo".</param>
    public static void Write(ComparisonResult result, string path, string curveMethod = FrontMethodKeys.HyperDpo)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var pairs = new List<(int X, int Y)>();
        for (int i = 0; i < result.Objectives.Count; i++)
            for (int j = i + 1; j < result.Objectives.Count; j++)
                pairs.Add((i, j));
        int columns = pairs.Count == 1 ? 1 : pairs.Count <= 4 ? 2 : 3;
        int rows = (pairs.Count + columns - 1) / columns;

        using var surface = SKSurface.Create(new SKImageInfo(columns * PanelWidth, rows * PanelHeight))
            ?? throw new InvalidOperationException("SkiaSharp could not create a drawing surface.");
        surface.Canvas.Clear(SKColors.White);
        for (int p = 0; p < pairs.Count; p++)
        {
            byte[] panel = Panel(result, pairs[p].X, pairs[p].Y, curveMethod, legend: p == 0);
            using var bitmap = SKBitmap.Decode(panel);
            surface.Canvas.DrawBitmap(bitmap, p % columns * PanelWidth, p / columns * PanelHeight);
        }
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Microsoft.ML.HyperDpo.Persistence.AtomicFile.Write(path, png.SaveTo);
    }

    private static bool OnEdge(float[] weights, int x, int y) => weights.Where((_, i) => i != x && i != y).All(w => w == 0f);

    private static byte[] Panel(ComparisonResult result, int x, int y, string curveMethod, bool legend)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        int k = result.NdcgAt;
        for (int m = 0; m < result.Summaries.Count; m++)
        {
            var summary = result.Summaries[m];
            bool curve = summary.Key == curveMethod;
            // The curve is the pair's own trade-off: the weights on the simplex edge between objectives x and y. The rest of a
            // K >= 3 lattice projects to points inside the panel, drawn unconnected.
            var edge = summary.MeanProfile.Points.Where(p => curve && OnEdge(p.Weights, x, y)).OrderByDescending(p => p.Weights[x]).ToList();
            var rest = summary.MeanProfile.Points.Except(edge).ToList();
            if (edge.Count > 0)
            {
                var line = plot.Add.Scatter(edge.Select(p => p.Ndcg[x][k - 1]).ToArray(), edge.Select(p => p.Ndcg[y][k - 1]).ToArray(), palette.GetColor(m));
                line.LegendText = summary.Method;
                line.MarkerShape = Shapes[m % Shapes.Length];
                line.LineWidth = 2.5f;
                line.MarkerSize = 5;
            }
            if (rest.Count > 0)
            {
                var points = plot.Add.Scatter(rest.Select(p => p.Ndcg[x][k - 1]).ToArray(), rest.Select(p => p.Ndcg[y][k - 1]).ToArray(), palette.GetColor(m));
                points.LegendText = edge.Count > 0 ? "" : summary.Method;
                points.MarkerShape = Shapes[m % Shapes.Length];
                points.LineWidth = 0;
                points.MarkerSize = curve ? 4 : 8;
            }
        }
        plot.XLabel($"{result.Objectives[x]} NDCG@{k}");
        plot.YLabel($"{result.Objectives[y]} NDCG@{k}");
        string over = result.Splits.Count == 1 ? result.Splits[0] : $"mean of {result.Splits.Count} splits";
        plot.Title($"{result.Objectives[x]} vs {result.Objectives[y]} ({over})");
        if (legend) plot.ShowLegend(Alignment.LowerLeft);
        else plot.HideLegend();
        return plot.GetImageBytes(PanelWidth, PanelHeight, ImageFormat.Png);
    }
}
