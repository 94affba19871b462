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

/// <summary>Rows in a file of their own (Single, row-major), memory-mapped once read: memory does not grow with the
/// row count, and data larger than memory can train. The file has no name once created (unlinked at once on Unix,
/// delete-on-close on Windows), so it is gone when the store is disposed or the process ends, however it ends.</summary>
internal sealed unsafe class DiskRows : RowStore
{
    private readonly string _directory;
    private FileStream? _stream;
    private MemoryMappedFile? _file;
    private MemoryMappedViewAccessor? _view;
    private byte* _start;

    public DiskRows(int size, string? directory) : base(size)
    {
        _directory = directory ?? Path.GetTempPath();
        var path = Path.Combine(_directory, $"autoencoder-rows-{Guid.NewGuid():N}.f32");
        _stream = Failing(() => new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None));
        if (!OperatingSystem.IsWindows()) File.Delete(path);
    }

    public override void Append(ReadOnlySpan<float> row)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(row);
        try
        {
            _stream!.Write(bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(e);
        }
        Count++;
    }

    public override void Complete()
    {
        Failing(() => { _stream!.Flush(); return 0; });
        if (Count == 0) return;
        _file = MemoryMappedFile.CreateFromFile(_stream!, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _start);
    }

    public override void Read(int row, Span<float> destination)
        => new ReadOnlySpan<float>(_start + _view!.PointerOffset + (long)row * Size * sizeof(float), Size).CopyTo(destination);

    public override void Dispose()
    {
        if (_start != null) _view!.SafeMemoryMappedViewHandle.ReleasePointer();
        _start = null;
        _view?.Dispose();
        _file?.Dispose();
        _stream?.Dispose();
        _stream = null;
    }

    private T Failing<T>(Func<T> io)
    {
        try
        {
            return io();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(e);
        }
    }

    private InvalidOperationException Error(Exception e) => new(
        $"DataCache = Disk could not write the training rows in '{_directory}' (CacheDirectory): {e.Message} Give a writable folder with room for the rows, or DataCache = Memory.", e);
}
