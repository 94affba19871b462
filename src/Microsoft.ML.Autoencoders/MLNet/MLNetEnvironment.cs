using System.Reflection;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The ML.NET environment behind a catalog. ML.NET keeps a catalog's environment internal, yet a
/// third-party transform needs it to log through <c>mlContext.Log</c>, draw from the MLContext's seed and honour
/// its device settings; this is the one place that reaches it.</summary>
internal static class MLNetEnvironment
{
    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static IHostEnvironment Of(TransformsCatalog catalog)
    {
        foreach (var field in typeof(TransformsCatalog).GetFields(Instance))
            if (typeof(IHostEnvironment).IsAssignableFrom(field.FieldType) && field.GetValue(catalog) is IHostEnvironment env)
                return env;
        foreach (var property in typeof(TransformsCatalog).GetProperties(Instance))
            if (typeof(IHostEnvironment).IsAssignableFrom(property.PropertyType) && property.GetIndexParameters().Length == 0 && property.GetValue(catalog) is IHostEnvironment env)
                return env;
        throw new InvalidOperationException("This ML.NET version hides the catalog's environment where Microsoft.ML.Autoencoders cannot find it; use a supported ML.NET version (5.x).");
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
