using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The ML.NET environment behind a catalog. ML.NET keeps a catalog's environment internal, yet a
/// third-party transform needs it to log through <c>mlContext.Log</c>, draw from the MLContext's seed and honour
/// its device settings; this is the one place that reaches it.</summary>
internal static class MLNetEnvironment
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static IHostEnvironment Of(TransformsCatalog catalog) => Find(catalog, depth: 0)
        ?? throw new InvalidOperationException("This ML.NET version hides the catalog's environment where Microsoft.ML.Autoencoders cannot find it; use a supported ML.NET version (5.x).");

    /// <summary>The transforms catalog of the environment behind a trainers catalog (such as
    /// <c>mlContext.AnomalyDetection.Trainers</c>, which holds its owning catalog, which holds the environment).</summary>
    public static TransformsCatalog Transforms(object trainers)
    {
        var env = Find(trainers, depth: 0) ?? throw new InvalidOperationException($"This ML.NET version hides the environment of {trainers.GetType().Name} where Microsoft.ML.Autoencoders cannot find it; use a supported ML.NET version (5.x).");
        if (env is MLContext ml) return ml.Transforms;
        var constructor = typeof(TransformsCatalog).GetConstructor(Instance, new[] { typeof(IHostEnvironment) })
            ?? throw new InvalidOperationException("This ML.NET version has no TransformsCatalog(IHostEnvironment); use a supported ML.NET version (5.x).");
        return (TransformsCatalog)constructor.Invoke(new object[] { env });
    }

    /// <summary>The first environment among the fields of <paramref name="catalog"/> and its base types, looking one
    /// catalog deeper (fields only: reading a field runs no code).</summary>
    private static IHostEnvironment? Find(object catalog, int depth)
    {
        var values = new List<object>();
        for (var type = catalog.GetType(); type is not null; type = type.BaseType)
            values.AddRange(type.GetFields(Instance | BindingFlags.DeclaredOnly).Select(f => f.GetValue(catalog)).OfType<object>());
        return values.OfType<IHostEnvironment>().FirstOrDefault()
            ?? (depth == 0 ? values.Where(v => v.GetType().Namespace == "Microsoft.ML").Select(v => Find(v, 1)).FirstOrDefault(e => e is not null) : null);
    }

    /// <summary>The environment's <c>GpuDeviceId</c> and <c>FallbackToCpu</c> (as set on the MLContext).</summary>
    public static (int? GpuDeviceId, bool FallbackToCpu) Device(IHostEnvironment env)
    {
        if (env is MLContext ml) return (ml.GpuDeviceId, ml.FallbackToCpu);
        return (Read<int?>(env, "GpuDeviceId"), Read<bool?>(env, "FallbackToCpu") ?? false);
    }

    private static T? Read<T>(object env, string name)
    {
        for (var type = env.GetType(); type is not null; type = type.BaseType)
            if (type.GetProperty(name, Instance) is { } p && p.GetValue(env) is T value) return value;
        foreach (var iface in env.GetType().GetInterfaces())
            if (iface.GetProperty(name, Instance) is { } p && p.GetValue(env) is T value) return value;
        return default;
    }
}
