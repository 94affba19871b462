using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The ML.NET types of output columns, as the saved chain gives them: ML.NET's ONNX transformer keeps the
/// batch dimension, so a vector is <c>Vector&lt;T, 1, k&gt;</c> and a scalar <c>Vector&lt;T, 1&gt;</c>; a key column is
/// mapped from the graph's ids by ML.NET's ValueToKey.</summary>
internal static class ColumnTypes
{
    public static DataViewType Of(OutputColumn column)
    {
        DataViewType item = column.Type switch
        {
            OutputType.UInt64 => NumberDataViewType.UInt64,
            OutputType.Key => new KeyDataViewType(typeof(uint), Math.Max(1, column.KeyCount)),
            _ => NumberDataViewType.Single,
        };
        return column.IsScalar ? new VectorDataViewType((PrimitiveDataViewType)item, 1) : new VectorDataViewType((PrimitiveDataViewType)item, 1, column.Width);
    }

    /// <summary>The graph's type of a column (ids before they become keys).</summary>
    public static DataViewType InGraph(OutputColumn column) => Of(column.Type == OutputType.Key ? column with { Type = OutputType.Single } : column);

    /// <summary><paramref name="input"/> with <paramref name="outputs"/> added (replacing columns of the same name).</summary>
    public static SchemaShape Append(SchemaShape input, IReadOnlyList<OutputColumn> outputs)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in outputs) builder.AddColumn(column.Name, Of(column), column.Type == OutputType.Key ? KeyValues(column.KeyCount) : null);
        var names = outputs.Select(c => c.Name).ToHashSet();
        return new SchemaShape(input.Where(c => !names.Contains(c.Name)).Concat(ShapeOf(builder.ToSchema())));
    }

    /// <summary>The key values ValueToKey gives a key column mapped from ids 1..count: the ids themselves, as Single.</summary>
    private static DataViewSchema.Annotations KeyValues(int count)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        int n = Math.Max(1, count);
        ValueGetter<VBuffer<float>> ids = (ref VBuffer<float> value) => value = new VBuffer<float>(n, Enumerable.Range(1, n).Select(i => (float)i).ToArray());
        annotations.Add("KeyValues", new VectorDataViewType(NumberDataViewType.Single, n), ids);
        return annotations.ToAnnotations();
    }

    // ML.NET keeps SchemaShape.Create and SchemaShape.Column's constructor internal, so a third-party estimator cannot
    // declare a column without a first-party estimator making it; this is the one place that reaches the factory.
    private static readonly MethodInfo CreateShape = typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, new[] { typeof(DataViewSchema) })
        ?? throw new InvalidOperationException("This ML.NET version has no SchemaShape.Create(DataViewSchema); use a supported ML.NET version (5.x).");

    private static SchemaShape ShapeOf(DataViewSchema schema) => (SchemaShape)CreateShape.Invoke(null, new object[] { schema })!;
}
