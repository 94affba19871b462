using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Autoencoders.Training;

/// <summary>Process-wide torch settings: device choice, threads, seeding, allocator tuning.</summary>
internal static class TorchRuntime
{
    /// <summary>Held while a Fit (or a template network) uses torch: seeding and the thread count are process-wide,
    /// so concurrent Fits would interleave their random draws.</summary>
    public static readonly object Gate = new();

    /// <summary>The device to train on. A requested CUDA device that is missing falls back to the CPU (logged) when
    /// allowed, and is an error otherwise.</summary>
    public static Device SelectDevice(int? gpuDeviceId, bool fallbackToCpu, IChannel channel, Func<bool>? cudaAvailable = null)
    {
        if (gpuDeviceId is not int id) return CPU;
        bool available = (cudaAvailable ?? cuda.is_available)() && id < (cudaAvailable is null ? cuda.device_count() : int.MaxValue);
        if (available) return new Device(DeviceType.CUDA, id);
        if (fallbackToCpu)
        {
            channel.Warning(MessageSensitivity.None, "{0}", $"CUDA device {id} is not available (is a CUDA libtorch package referenced?); training on the CPU because FallbackToCpu is set.");
            return CPU;
        }
        throw new InvalidOperationException(
            $"GpuDeviceId is {id} but CUDA device {id} is not available; reference a CUDA libtorch package (e.g. TorchSharp-cuda-linux) and check the driver, or set FallbackToCpu to train on the CPU.");
    }

    /// <summary>Seeds torch's generators (weight initialisation, noise) on every device; disposing the result puts
    /// the CPU generator back in the state it had, so a Fit leaves torch's global random stream as it found it.</summary>
    public static IDisposable Seed(int seed, Device device)
    {
        var state = random.get_rng_state();
        random.manual_seed(seed);
        if (device.type == DeviceType.CUDA) cuda.manual_seed_all(seed);
        return new Restore(() =>
        {
            random.set_rng_state(state);
            state.Dispose();
        });
    }

    /// <summary>The first call into libtorch of a Fit. The library references TorchSharp's managed bindings only; when
    /// libtorch cannot load, say why and what to do instead of a type-initialiser error: the C++ runtime is too old
    /// (Debian 12, Ubuntu 22.04), or the application references no native backend. <paramref name="maps"/>: the
    /// process's memory map (/proc/self/maps), for tests.</summary>
    internal static T Native<T>(Func<T> call, string? maps = null)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            string? old = null;
            try
            {
                maps ??= OperatingSystem.IsLinux() && File.Exists("/proc/self/maps") ? File.ReadAllText("/proc/self/maps") : "";
                old = OldCppRuntime(maps);
            }
            catch (Exception probe) when (probe is IOException or UnauthorizedAccessException)
            {
                // The diagnosis is a courtesy: without it, the message below still names the failed load.
            }
            // The loader's own message names the missing symbol version when libstdc++ was unloaded after the failure.
            for (var inner = e; old is null && inner is not null; inner = inner.InnerException)
                if (inner.Message.Contains("GLIBCXX_", StringComparison.Ordinal)) old = "a libstdc++";
            if (old is not null)
                throw new InvalidOperationException($"Training needs TorchSharp 0.107's native library, which needs libstdc++ with GLIBCXX_3.4.32 (GCC 13 or later); this process loaded {old}, which lacks it (Debian 12 and Ubuntu 22.04 ship GCC 12's). Install a newer libstdc++6: on Ubuntu 22.04 from the ppa:ubuntu-toolchain-r/test archive, on Debian 12 from Debian 13 (trixie), as the README's Install section shows. Scoring and loading need none.", e);
            throw new InvalidOperationException("Training needs TorchSharp's native backend, which this application does not reference: add a package reference to TorchSharp-cpu (or TorchSharp-cuda-linux / TorchSharp-cuda-windows for a GPU), version 0.107.0. Scoring and loading need none.", e);
        }
    }

    /// <summary>The path of the libstdc++ in <paramref name="maps"/> (a Linux memory map) when it lacks GLIBCXX_3.4.32, else null.</summary>
    internal static string? OldCppRuntime(string maps)
    {
        var path = maps.Split('\n').Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libstdc++.so", StringComparison.Ordinal))
            .Select(fields => fields[5]).FirstOrDefault();
        return path is not null && File.Exists(path) && File.ReadAllBytes(path).AsSpan().IndexOf("GLIBCXX_3.4.32"u8) < 0 ? path : null;
    }

    /// <summary>Sets torch's thread count; disposing the result restores the previous one.</summary>
    public static IDisposable SetThreads(int? threads)
    {
        int previous = Native(get_num_threads);
        if (threads is int t) set_num_threads(t);
        return new Restore(() => set_num_threads(previous));
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }

    /// <summary>The launch setting that keeps glibc's malloc from returning the heap's top to the kernel after every
    /// step (docs/conventions.md#memory-on-linux).</summary>
    public const string AllocatorSetting = "GLIBC_TUNABLES=glibc.malloc.trim_threshold=4294967296:glibc.malloc.mmap_threshold=33554432";

    /// <summary>Steps slower than this are the ones whose tensors are large enough for the trimming to cost.</summary>
    public const double SlowStepSeconds = 0.02;

    private static int _allocatorHinted;

    /// <summary>For tests: the next slow Fit hints again.</summary>
    internal static void ForgetAllocatorHint() => Interlocked.Exchange(ref _allocatorHinted, 0);

    /// <summary>Whether a Fit whose steps take <paramref name="secondsPerStep"/> should hint at
    /// <see cref="AllocatorSetting"/>: on glibc Linux, when the process was launched without a trim threshold of its own.</summary>
    public static bool ShouldHintAllocator(double secondsPerStep, bool glibcLinux, string? tunables)
        => glibcLinux && secondsPerStep > SlowStepSeconds && !(tunables?.Contains("glibc.malloc.trim_threshold") ?? false);

    /// <summary>Logs the allocator hint once per process when <see cref="ShouldHintAllocator"/> holds for this process.
    /// The library itself changes no process-wide setting; the launcher does.</summary>
    public static void HintAllocator(IChannel channel, double secondsPerStep)
    {
        bool glibcLinux = OperatingSystem.IsLinux() && !System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier.Contains("musl");
        if (ShouldHintAllocator(secondsPerStep, glibcLinux, Environment.GetEnvironmentVariable("GLIBC_TUNABLES")) && Interlocked.Exchange(ref _allocatorHinted, 1) == 0)
            channel.Warning(MessageSensitivity.None, "{0}", $"Training steps take {secondsPerStep * 1000:F0} ms. With glibc's default malloc on Linux, each step's large tensors are returned to the kernel and page-faulted back; launching the process with {AllocatorSetting} made the convolutional model train 4x faster (docs/conventions.md#memory-on-linux).");
    }
}
