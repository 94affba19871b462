using System.IO.MemoryMappedFiles;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>Rows of Single read once from an <see cref="IDataView"/> for training: appended while reading, then read
/// back by position (docs/conventions.md#data-in-training).</summary>
internal abstract class RowStore(int size) : IDisposable
{
    public int Size => size;
    public int Count { get; protected set; }

    public abstract void Append(ReadOnlySpan<float> row);

    /// <summary>Called once after the last row.</summary>
    public virtual void Complete() { }

    public abstract void Read(int row, Span<float> destination);

    public virtual void Dispose() { }

    /// <summary>Every row, row-major, in one array.</summary>
    public float[] ToArray()
    {
        var values = new float[(long)Count * Size];
        for (int r = 0; r < Count; r++) Read(r, values.AsSpan(r * Size, Size));
        return values;
    }
}

/// <summary>Rows in memory, in blocks of about 4 MB: growing never copies what was read, so the peak is the values
/// plus one block.</summary>
internal sealed class MemoryRows(int size) : RowStore(size)
{
    private readonly int _blockRows = Math.Max(1, (1 << 20) / size);
    private readonly List<float[]> _blocks = new();

    public override void Append(ReadOnlySpan<float> row)
    {
        if (Count % _blockRows == 0) _blocks.Add(new float[_blockRows * Size]);
        row.CopyTo(_blocks[^1].AsSpan(Count % _blockRows * Size, Size));
        Count++;
    }

    public override void Read(int row, Span<float> destination) => _blocks[row / _blockRows].AsSpan(row % _blockRows * Size, Size).CopyTo(destination);
}

/// <summary>Rows in a file of their own (Single, row-major), memory-mapped once read, deleted on Dispose: memory does
/// not grow with the row count, and data larger than memory can train.</summary>
internal sealed unsafe class DiskRows : RowStore
{
    private readonly string _path;
    private FileStream? _writer;
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private byte* _start;

    public DiskRows(int size, string? directory) : base(size)
    {
        _path = Path.Combine(directory ?? Path.GetTempPath(), $"autoencoder-rows-{Guid.NewGuid():N}.f32");
        _writer = new FileStream(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    public override void Append(ReadOnlySpan<float> row)
    {
        _writer!.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row));
        Count++;
    }

    public override void Complete()
    {
        _writer!.Dispose();
        _writer = null;
        _file = MemoryMappedFile.CreateFromFile(_path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _start);
    }

    public override void Read(int row, Span<float> destination)
        => new ReadOnlySpan<float>(_start + _view!.PointerOffset + (long)row * Size * sizeof(float), Size).CopyTo(destination);

    public override void Dispose()
    {
        _writer?.Dispose();
        if (_start != null) _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _start = null;
        _view?.Dispose();
        _file?.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file another process holds open (an indexer, a scanner) must not hide the Fit's own outcome.
        }
    }
}
