namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>The few plots the samples draw.</summary>
public static class Plots
{
    /// <summary>Rows of images (each row a list of images of the given width), stacked top to bottom.</summary>
    public static void ImageRows(float[][][] rows, int imageWidth, int count, string path, int scale = 6)
    {
        int height = rows[0][0].Length / imageWidth, cellW = imageWidth * scale + 4, cellH = height * scale + 4;
        var canvas = new Canvas(count * cellW + 4, rows.Length * cellH + 4);
        for (int r = 0; r < rows.Length; r++)
            for (int i = 0; i < Math.Min(count, rows[r].Length); i++)
                canvas.Image(rows[r][i], imageWidth, 4 + i * cellW, 4 + r * cellH, scale);
        canvas.Save(path);
    }

    /// <summary>Side-by-side histograms over a shared range, log-scaled counts.</summary>
    public static void Histograms(IReadOnlyList<(string Name, float[] Values)> series, string path, int bins = 40)
    {
        float max = series.Max(s => s.Values.Max()), min = Math.Min(0, series.Min(s => s.Values.Min()));
        const int panelW = 320, panelH = 200, margin = 10;
        var canvas = new Canvas(series.Count * (panelW + margin) + margin, panelH + 2 * margin);
        for (int s = 0; s < series.Count; s++)
        {
            var counts = new int[bins];
            foreach (var v in series[s].Values) counts[Math.Min(bins - 1, (int)((v - min) / (max - min + 1e-9f) * bins))]++;
            double top = Math.Log(1 + counts.Max());
            int left = margin + s * (panelW + margin);
            for (int b = 0; b < bins; b++)
            {
                int h = (int)(Math.Log(1 + counts[b]) / top * (panelH - 2));
                for (int x = 0; x < panelW / bins - 1; x++)
                    for (int y = 0; y < h; y++)
                        canvas.Set(left + b * (panelW / bins) + x, margin + panelH - 1 - y, Canvas.Palette[s]);
            }
            for (int x = 0; x < panelW; x++) canvas.Set(left + x, margin + panelH, (0, 0, 0));
        }
        canvas.Save(path);
    }

    /// <summary>A 2-d scatter, one colour per category (category 0 drawn grey when there are more than ten).</summary>
    public static void Scatter(IReadOnlyList<float[]> points, IReadOnlyList<int> categories, string path, int size = 480)
    {
        float minX = points.Min(p => p[0]), maxX = points.Max(p => p[0]), minY = points.Min(p => p[1]), maxY = points.Max(p => p[1]);
        var canvas = new Canvas(size, size);
        const int margin = 12;
        for (int i = 0; i < points.Count; i++)
        {
            int x = margin + (int)((points[i][0] - minX) / (maxX - minX + 1e-9f) * (size - 2 * margin));
            int y = size - margin - (int)((points[i][1] - minY) / (maxY - minY + 1e-9f) * (size - 2 * margin));
            var colour = categories[i] == 0 && categories.Max() >= Canvas.Palette.Length ? ((byte)190, (byte)190, (byte)190) : Canvas.Palette[categories[i] % Canvas.Palette.Length];
            canvas.Dot(x, y, 2, colour);
        }
        canvas.Save(path);
    }
}
