using Microsoft.Win32.SafeHandles;

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

    /// <summary>An empty store of the same kind (memory, or a file in the same folder) for rows of <paramref name="size"/> values.</summary>
    public abstract RowStore Like(int size);

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

    public override RowStore Like(int size) => new MemoryRows(size);
}

/// <summary>Rows in a file of their own (Single, row-major): memory does not grow with the row count, and data larger
/// than memory can train. Rows are read back with positional reads of exactly their bytes: a memory map faults in
/// 128 KB around each 3 KB row, and on 10 million rows of 784 values (31 GB, more than this machine's memory) read in
/// shuffled order that was a terabyte of disk reads an epoch (measured). The file has no name once created (unlinked
/// at once on Unix, delete-on-close on Windows), so it is gone when the store is disposed or the process ends, however
/// it ends.</summary>
internal sealed class DiskRows : RowStore
{
    private readonly string _directory;
    private readonly SafeFileHandle _file;
    // Rows are gathered here and written a megabyte at a time; a handle (not a buffered stream) so that disposing
    // never writes, and a failed write cannot fail again in Dispose and hide the first error.
    private readonly byte[] _pending = new byte[1 << 20];
    private int _pendingBytes;
    private long _written;

    public DiskRows(int size, string? directory) : base(size)
    {
        _directory = directory ?? Path.GetTempPath();
        var path = Path.Combine(_directory, $"autoencoder-rows-{Guid.NewGuid():N}.f32");
        _file = Failing(() => File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.RandomAccess));
        if (!OperatingSystem.IsWindows()) File.Delete(path);
    }

    public override void Append(ReadOnlySpan<float> row)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(row);
        if (_pendingBytes + bytes.Length > _pending.Length) Flush();
        if (bytes.Length > _pending.Length) Write(bytes);
        else
        {
            bytes.CopyTo(_pending.AsSpan(_pendingBytes));
            _pendingBytes += bytes.Length;
        }
        Count++;
    }

    public override void Complete() => Flush();

    private void Flush()
    {
        Write(_pending.AsSpan(0, _pendingBytes));
        _pendingBytes = 0;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        try
        {
            RandomAccess.Write(_file, bytes, _written);
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Error(e);
        }
        _written += bytes.Length;
    }

    public override void Read(int row, Span<float> destination)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination[..Size]);
        // Thread-safe: a positional read moves no shared file position.
        if (RandomAccess.Read(_file, bytes, (long)row * Size * sizeof(float)) != bytes.Length)
            throw new InvalidOperationException($"The row cache in '{_directory}' ended before row {row}; it was changed while training.");
    }

    public override RowStore Like(int size) => new DiskRows(size, _directory);

    public override void Dispose() => _file.Dispose();

    private T Failing<T>(Func<T> io)
    {
        try
        {
            return io();
        }
        catch (Exception e) when (IsWriteFailure(e))
        {
            throw Error(e);
        }
    }

    /// <summary>What a write to the cache can fail with: a full disk or denied access (IOException,
    /// UnauthorizedAccessException), and a file past the file system's or the process's size limit (EFBIG, which .NET
    /// reports as ArgumentOutOfRangeException: FAT32's 4 GB, or ulimit -f, which the test uses).</summary>
    private static bool IsWriteFailure(Exception e) => e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException;

    private InvalidOperationException Error(Exception e) => new(
        $"DataCache = Disk could not write the training rows in '{_directory}' (CacheDirectory): {e.Message} Give a writable folder with room for the rows, or DataCache = Memory.", e);
}
