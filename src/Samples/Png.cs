using System.IO.Compression;
using System.Buffers.Binary;

namespace Microsoft.ML.Autoencoders.Samples;

/// <summary>A small RGB canvas written as PNG with the framework's zlib: the samples' plots need no native graphics library.</summary>
public sealed class Canvas
{
    private readonly byte[] _rgb;

    public Canvas(int width, int height, byte background = 255)
    {
        Width = width;
        Height = height;
        _rgb = Enumerable.Repeat(background, width * height * 3).ToArray();
    }

    public int Width { get; }
    public int Height { get; }

    public void Set(int x, int y, (byte R, byte G, byte B) color)
    {
        if (x < 0 || y < 0 || x >= Width || y >= Height) return;
        int i = (y * Width + x) * 3;
        (_rgb[i], _rgb[i + 1], _rgb[i + 2]) = color;
    }

    /// <summary>Draws a grey image (values in [0, 1], 1 = black ink) with each pixel as a scale × scale block.</summary>
    public void Image(float[] pixels, int imageWidth, int left, int top, int scale)
    {
        for (int p = 0; p < pixels.Length; p++)
        {
            byte v = (byte)(255 - Math.Clamp(pixels[p], 0f, 1f) * 255);
            for (int dy = 0; dy < scale; dy++)
                for (int dx = 0; dx < scale; dx++)
                    Set(left + p % imageWidth * scale + dx, top + p / imageWidth * scale + dy, (v, v, v));
        }
    }

    /// <summary>A filled square dot.</summary>
    public void Dot(int x, int y, int radius, (byte, byte, byte) color)
    {
        for (int dy = -radius; dy <= radius; dy++)
            for (int dx = -radius; dx <= radius; dx++)
                Set(x + dx, y + dy, color);
    }

    public void Save(string path)
    {
        using var file = File.Create(path);
        file.Write(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < Height; y++)
            {
                z.WriteByte(0); // no filter
                z.Write(_rgb, y * Width * 3, Width * 3);
            }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", Array.Empty<byte>());
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var buffer = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        s.Write(buffer);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Crc32(typed));
        s.Write(buffer);
    }

    private static readonly uint[] CrcTable = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        return c;
    }).ToArray();

    private static uint Crc32(byte[] data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (var b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    /// <summary>Distinct colours for categories.</summary>
    public static readonly (byte, byte, byte)[] Palette =
    {
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    };
}
