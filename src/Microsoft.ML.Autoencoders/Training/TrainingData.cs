using Microsoft.ML.Autoencoders.MLNet;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>Rows a Fit trains or validates on: a set of rows of one row store (read once, in memory or on disk; the
/// training and validation sets share it), with their groups when the variant reads them. Minibatches and chunks go
/// to the device one at a time, so the device holds the model and a batch, not the data.</summary>
internal sealed class TrainingData : IDisposable
{
    private readonly RowStore _values;
    private readonly bool _ownsValues;
    private readonly int[] _rows;
    private readonly RowGroups? _groups;

    /// <param name="values">Every row read.</param>
    /// <param name="groups">Each row's group, or null.</param>
    /// <param name="device">Where batches go; null: the CPU (see <see cref="On"/>).</param>
    public TrainingData(RowStore values, RowGroups? groups, Device? device = null)
        : this(values, Enumerable.Range(0, values.Count).ToArray(), groups, device ?? CPU) { }

    private TrainingData(RowStore values, int[] rows, RowGroups? groups, Device device, bool ownsValues = false)
        => (_values, _rows, _groups, Device, _ownsValues) = (values, rows, groups, device, ownsValues);

    public int Count => _rows.Length;
    public int Size => _values.Size;
    public Device Device { get; }

    /// <summary>Whether reading rows waits for a file (worth overlapping with a step), not for memory.</summary>
    public bool ReadsFromDisk => _values is DiskRows;

    /// <summary>The same rows, with batches going to <paramref name="device"/>.</summary>
    public TrainingData On(Device device) => new(_values, _rows, _groups, device);

    /// <summary>The rows at <paramref name="positions"/> of this set, in that order.</summary>
    public TrainingData Subset(IEnumerable<int> positions) => new(_values, positions.Select(p => _rows[p]).ToArray(), _groups, Device);

    /// <summary>The groups with the group of each row of this set, or null.</summary>
    public RowGroups? Groups => _groups is null ? null : _groups with { Ids = Array.ConvertAll(_rows, r => _groups.Ids[r]) };

    /// <summary>The rows at <paramref name="positions"/> as a minibatch on the device; the network's input is
    /// <paramref name="corrupt"/> of them.</summary>
    public Minibatch Batch(ReadOnlySpan<long> positions, Func<Tensor, Tensor>? corrupt = null)
    {
        var t = NewRows(positions.Length);
        Read(positions, ValuesOf(t));
        return Batch(positions, OnDevice(t), corrupt);
    }

    /// <summary>The minibatch of the rows at <paramref name="positions"/> whose values <see cref="Read"/> put in
    /// <paramref name="values"/>.</summary>
    public Minibatch Batch(ReadOnlySpan<long> positions, ReadOnlySpan<float> values, Func<Tensor, Tensor>? corrupt)
    {
        var t = NewRows(positions.Length);
        values[..(positions.Length * Size)].CopyTo(ValuesOf(t));
        return Batch(positions, OnDevice(t), corrupt);
    }

    /// <summary>The values of the rows at <paramref name="positions"/>, row after row, into <paramref name="destination"/>:
    /// no torch, so it can run on another thread while a step trains (the stores' reads are thread-safe).</summary>
    public void Read(ReadOnlySpan<long> positions, Span<float> destination)
    {
        for (int i = 0; i < positions.Length; i++) _values.Read(_rows[positions[i]], destination.Slice(i * Size, Size));
    }

    private Minibatch Batch(ReadOnlySpan<long> positions, Tensor x, Func<Tensor, Tensor>? corrupt)
    {
        GroupIds? groups = null;
        if (_groups is not null)
        {
            var ids = new long[positions.Length];
            for (int i = 0; i < ids.Length; i++) ids[i] = _groups.Ids[_rows[positions[i]]];
            groups = new GroupIds(tensor(ids, device: Device), _groups.Names.Length, _groups.Reference);
        }
        return new Minibatch(x, corrupt is null ? x : corrupt(x), groups);
    }

    /// <summary>A CPU tensor on the device: on a CUDA device through page-locked memory, copied without blocking (the
    /// copy overlaps the work queued before it).</summary>
    private Tensor OnDevice(Tensor cpu) => Device.type == DeviceType.CPU ? cpu : cpu.pin_memory().to(Device, non_blocking: true);

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of this set, in order, on the device.</summary>
    public Tensor Chunk(int start, int count) => Rows(_rows.AsSpan(start, count));

    /// <summary>The starts and lengths of consecutive chunks of at most <paramref name="chunk"/> rows.</summary>
    public IEnumerable<(int Start, int Count)> Chunks(int chunk)
    {
        for (int start = 0; start < Count; start += chunk) yield return (start, Math.Min(chunk, Count - start));
    }

    /// <summary>A new set holding <paramref name="map"/> of each row (e.g. a layer's codes), computed chunk by chunk
    /// without gradients, kept where these rows are (memory or a file of its own in the same folder); disposing the new
    /// set releases it.</summary>
    public TrainingData Map(Func<Tensor, Tensor> map, int chunk)
    {
        RowStore? store = null;
        try
        {
            using var noGrad = no_grad();
            foreach (var (start, count) in Chunks(chunk))
            {
                using var scope = NewDisposeScope();
                var mapped = Ops.TorchOps.ToArray(map(Chunk(start, count)));
                store ??= _values.Like(mapped.Length / count);
                for (int i = 0; i < count; i++) store.Append(mapped.AsSpan(i * store.Size, store.Size));
            }
            store!.Complete();
        }
        catch
        {
            store?.Dispose();
            throw;
        }
        return new TrainingData(store, Enumerable.Range(0, store.Count).ToArray(), Groups, Device, ownsValues: true);
    }

    /// <summary>Releases the rows' store when this set made it (<see cref="Map"/>); a set over rows read by Fit leaves them to Fit.</summary>
    public void Dispose()
    {
        if (_ownsValues) _values.Dispose();
    }

    /// <summary>The smallest and largest value of this set's rows.</summary>
    public (float Min, float Max) Range()
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        var row = new float[Size];
        foreach (var r in _rows)
        {
            _values.Read(r, row);
            foreach (var v in row) { min = Math.Min(min, v); max = Math.Max(max, v); }
        }
        return (min, max);
    }

    /// <summary>The root mean square deviation of the values from their feature's mean, sqrt(mean_f Var_f): one
    /// number for the spread of the data, 1 when the rows are constant (nothing to divide by).</summary>
    public double RootMeanSquareDeviation()
    {
        var sum = new double[Size];
        var squares = new double[Size];
        var row = new float[Size];
        // Sums of deviations from the first row: no cancellation when the values sit far from 0.
        var shift = new float[Size];
        if (Count > 0) _values.Read(_rows[0], shift);
        foreach (var r in _rows)
        {
            _values.Read(r, row);
            for (int f = 0; f < Size; f++)
            {
                double d = (double)row[f] - shift[f];
                sum[f] += d;
                squares[f] += d * d;
            }
        }
        double n = Math.Max(1, Count), variance = 0;
        for (int f = 0; f < Size; f++) variance += Math.Max(0, squares[f] / n - sum[f] / n * (sum[f] / n));
        double rms = Math.Sqrt(variance / Size);
        return rms > 0 && double.IsFinite(rms) ? rms : 1;
    }

    /// <summary>The rows with these store indices, as a tensor on the device.</summary>
    private Tensor Rows(ReadOnlySpan<int> rows)
    {
        var t = NewRows(rows.Length);
        var values = ValuesOf(t);
        for (int i = 0; i < rows.Length; i++) _values.Read(rows[i], values.Slice(i * Size, Size));
        return OnDevice(t);
    }

    /// <summary>An uninitialised CPU tensor of <paramref name="count"/> rows, which the rows are read straight into, so
    /// a step allocates no managed array (garbage collections during training are what let TorchSharp finalise a
    /// Scalar it is still passing to libtorch).</summary>
    private Tensor NewRows(int count) => empty(count, Size, ScalarType.Float32, CPU);   // not torch's process-wide defaults

    private static Span<float> ValuesOf(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);
}
