namespace Microsoft.ML.Autoencoders;

/// <summary>A resource (a native session) used by several threads while another may dispose it: a use that started
/// finishes, later ones throw <see cref="ObjectDisposedException"/>, and the resource is released when the last use
/// ends. A disposed model fails with a managed exception instead of crashing the process natively.</summary>
internal sealed class Shared<T>(T resource) : IDisposable where T : IDisposable
{
    private readonly object _gate = new();
    private int _users;
    private bool _disposed;

    /// <summary>Holds the resource until the lease is disposed.</summary>
    public Lease Acquire()
    {
        lock (_gate)
        {
            if (_disposed) throw new ObjectDisposedException("model", "The model has been disposed.");
            _users++;
        }
        return new Lease(this);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_users == 0) resource.Dispose();
        }
    }

    private void Release()
    {
        lock (_gate) if (--_users == 0 && _disposed) resource.Dispose();
    }

    private T Resource => resource;

    public readonly struct Lease(Shared<T> owner) : IDisposable
    {
        public T Value => owner.Resource;
        public void Dispose() => owner.Release();
    }
}
