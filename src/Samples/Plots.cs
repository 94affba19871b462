using ScottPlot;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>The plots the samples draw, with ScottPlot: titles, labelled axes and legends.</summary>
public static class Plots
{
    private static readonly IPalette Palette = new ScottPlot.Palettes.Category10();

    private static void Save(Plot plot, string path, int width = 720, int height = 480)
    {
        plot.SavePng(path, width, height);
        Console.WriteLine($"Wrote {path}.");
    }

    /// <summary>Rows of images (each row a list of images of the given width) as one picture with square pixels, a
    /// title and each row's name on the left: greyscale, or, for <paramref name="signed"/> images (tangent directions),
    /// a diverging scale centred on 0 with a colour bar.</summary>
    public static void ImageRows(float[][][] rows, string[] rowNames, int imageWidth, int count, string title, string path, bool signed = false)
    {
        int height = rows[0][0].Length / imageWidth, cellW = imageWidth + 1, cellH = height + 1;
        var pixels = new double[rows.Length * cellH, count * cellW];
        for (int y = 0; y < pixels.GetLength(0); y++) for (int x = 0; x < pixels.GetLength(1); x++) pixels[y, x] = double.NaN;
        for (int r = 0; r < rows.Length; r++)
            for (int i = 0; i < Math.Min(count, rows[r].Length); i++)
                for (int p = 0; p < rows[r][i].Length; p++)
                    pixels[r * cellH + p / imageWidth, i * cellW + p % imageWidth] = rows[r][i][p];
        var plot = new Plot();
        var map = plot.Add.Heatmap(pixels);
        map.NaNCellColor = Colors.White;
        if (signed)
        {
            double largest = rows.SelectMany(r => r).SelectMany(i => i).Max(v => Math.Abs(v));
            map.Colormap = new ScottPlot.Colormaps.Balance();
            map.ManualRange = new ScottPlot.Range(-largest, largest);
            plot.Add.ColorBar(map);
        }
        else map.Colormap = new ScottPlot.Colormaps.GrayscaleReversed();
        plot.Title(title, size: 14);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        // Heatmap rows count up from the bottom: the first row of images is at the top.
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, rows.Length).Select(r => (double)(rows.Length - 1 - r) * cellH + height / 2.0).ToArray(), rowNames);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        // Wide enough for the title; tall enough for the images at the same scale, plus the title and margins.
        int width = Math.Max(Math.Max(360, 40 * count + (signed ? 220 : 140)), 8 * title.Length + 60);
        double pixel = (width - (signed ? 220.0 : 140.0)) / (count * cellW);
        Save(plot, path, width, Math.Max(200, (int)(pixel * rows.Length * cellH) + 110));
    }

    /// <summary>Overlaid histograms over a shared range, one colour and legend entry per series.</summary>
    public static void Histograms(IReadOnlyList<(string Name, float[] Values)> series, string title, string xLabel, string path, int bins = 40, double? marker = null, string? markerName = null, string yLabel = "rows")
    {
        double min = series.Min(s => s.Values.Min()), max = series.Max(s => s.Values.Max());
        var plot = new Plot();
        for (int s = 0; s < series.Count; s++)
        {
            var histogram = ScottPlot.Statistics.Histogram.WithBinCount(bins, min, max + 1e-9 * Math.Max(1, Math.Abs(max)));
            histogram.AddRange(series[s].Values.Select(v => (double)v));
            var colour = Palette.GetColor(s).WithAlpha(0.55);
            // Bins holds each bin's left edge; a bar is centred on its position.
            var bars = plot.Add.Bars(histogram.Bins.Select(b => b + histogram.FirstBinSize / 2), histogram.Counts.Select(c => (double)c));
            foreach (var bar in bars.Bars) (bar.Size, bar.FillColor, bar.LineWidth) = (histogram.FirstBinSize, colour, 0);
            bars.Color = colour;
            bars.LegendText = $"{series[s].Name} ({series[s].Values.Length})";
        }
        if (marker is { } x)
        {
            var line = plot.Add.VerticalLine(x, 2, Colors.Black, LinePattern.Dashed);
            line.LegendText = markerName ?? "";
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>A 2-d scatter, one colour and legend entry per category; category 0 is drawn grey when it is named
    /// <paramref name="noneName"/> (e.g. SAUCIE's unclustered cells).</summary>
    public static void Scatter(IReadOnlyList<float[]> points, IReadOnlyList<int> categories, Func<int, string> categoryName, string title, string xLabel, string yLabel, string path, string? noneName = null)
        => Save(ScatterPlot(points, categories, categoryName, title, xLabel, yLabel, noneName), path, 820, 520);

    /// <summary>The scatter inside a labelled polygon (AAnet's simplex: its vertices are the archetypes), at one scale on both axes.</summary>
    public static void ScatterInPolygon(IReadOnlyList<float[]> points, IReadOnlyList<int> categories, Func<int, string> categoryName, (double X, double Y, string Label)[] vertices, string title, string path)
    {
        var plot = ScatterPlot(points, categories, categoryName, title, "", "", null);
        var outline = plot.Add.Polygon(vertices.Select(v => new Coordinates(v.X, v.Y)).ToArray());
        (outline.FillColor, outline.LineColor, outline.LineWidth) = (Colors.Transparent, Colors.Black, 1.5f);
        double cy = vertices.Average(v => v.Y), span = vertices.Max(v => v.X) - vertices.Min(v => v.X);
        foreach (var (x, y, label) in vertices)
        {
            // Each label above or below its vertex, away from the centre, inside the picture.
            var text = plot.Add.Text(label, x, y + (y > cy ? 0.05 : -0.05) * span);
            (text.LabelFontSize, text.LabelBold, text.LabelAlignment) = (14, true, Alignment.MiddleCenter);
        }
        plot.Axes.SetLimits(vertices.Min(v => v.X) - 0.2 * span, vertices.Max(v => v.X) + 0.2 * span, vertices.Min(v => v.Y) - 0.12 * span, vertices.Max(v => v.Y) + 0.12 * span);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        plot.Axes.Frameless();
        Save(plot, path, 820, 640);
    }

    private static Plot ScatterPlot(IReadOnlyList<float[]> points, IReadOnlyList<int> categories, Func<int, string> categoryName, string title, string xLabel, string yLabel, string? noneName)
    {
        var plot = new Plot();
        foreach (var group in Enumerable.Range(0, points.Count).GroupBy(i => categories[i]).OrderBy(g => g.Key))
        {
            var xs = group.Select(i => (double)points[i][0]).ToArray();
            var ys = group.Select(i => (double)points[i][1]).ToArray();
            var dots = plot.Add.ScatterPoints(xs, ys);
            bool none = noneName is not null && group.Key == 0;
            dots.Color = none ? Colors.Gray.WithAlpha(0.6) : Palette.GetColor(noneName is null ? group.Key : group.Key - 1);
            dots.MarkerSize = 4;
            dots.LegendText = $"{(none ? noneName : categoryName(group.Key))} ({group.Count()})";
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>The training and validation loss of each epoch, with the kept epoch marked; on a log scale when every
    /// loss is positive, so the late epochs' gains show.</summary>
    public static void LossCurve(IReadOnlyList<EpochMetrics> history, int keptEpoch, string title, string path)
    {
        var plot = new Plot();
        var epochs = history.Select(e => (double)e.Epoch).ToArray();
        bool log = history.All(e => e.TrainLoss > 0 && e.ValidationLoss is null or > 0);
        double[] Scale(IEnumerable<double> losses) => losses.Select(l => log ? Math.Log10(l) : l).ToArray();
        var train = plot.Add.Scatter(epochs, Scale(history.Select(e => e.TrainLoss)));
        train.LegendText = "training";
        if (history.All(e => e.ValidationLoss is not null))
        {
            var validation = plot.Add.Scatter(epochs, Scale(history.Select(e => e.ValidationLoss!.Value)));
            validation.LegendText = "validation";
        }
        if (log)
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => Math.Pow(10, y).ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            };
        var kept = plot.Add.VerticalLine(keptEpoch, 1, Colors.Gray, LinePattern.Dashed);
        kept.LegendText = $"kept (epoch {keptEpoch})";
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(log ? "loss (mean per feature, log scale)" : "loss (mean per feature)");
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>A ROC curve against the diagonal of chance.</summary>
    public static void Roc(double[] scores, bool[] positive, string title, string path)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ToArray();
        int positives = positive.Count(p => p), negatives = scores.Length - positives;
        var (fpr, tpr) = (new List<double> { 0 }, new List<double> { 0 });
        int tp = 0, fp = 0;
        foreach (var i in order)
        {
            if (positive[i]) tp++; else fp++;
            fpr.Add((double)fp / negatives);
            tpr.Add((double)tp / positives);
        }
        var plot = new Plot();
        var curve = plot.Add.Scatter(fpr.ToArray(), tpr.ToArray());
        curve.MarkerSize = 0;
        curve.LegendText = title;
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LinePattern = LinePattern.Dotted;
        chance.Color = Colors.Gray;
        chance.LegendText = "chance";
        plot.Title("ROC curve");
        plot.XLabel("false positive rate");
        plot.YLabel("true positive rate");
        plot.Axes.SetLimits(0, 1, 0, 1.02);
        plot.ShowLegend(Alignment.LowerRight);
        Save(plot, path, 520, 480);
    }
}
