using System.Reflection;
using Microsoft.ML.Data;

namespace Microsoft.ML.Autoencoders.MLNet;

/// <summary>The ML.NET types of output columns. The graph's outputs are vectors as ML.NET's ONNX transformer gives them
/// (it keeps the batch dimension: <c>Vector&lt;T, 1, k&gt;</c>, and <c>Vector&lt;T, 1&gt;</c> for one value a row); the
/// saved chain's first-party steps then make one-value Single and key columns scalars
/// (docs/conventions.md#column-types).</summary>
internal static class ColumnTypes
{
    /// <summary>The column as the user sees it.</summary>
    public static DataViewType Of(OutputColumn column)
    {
        var item = Item(column.Type, column.KeyCount);
        return column.IsMLNetScalar ? item : Shaped(column, item);
    }

    /// <summary>The graph's type of a column (ids before they become keys).</summary>
    public static DataViewType InGraph(OutputColumn column) => Shaped(column, Item(column.Type == OutputType.Key ? OutputType.Single : column.Type, 0));

    private static PrimitiveDataViewType Item(OutputType type, int keyCount) => type switch
    {
        OutputType.UInt64 => NumberDataViewType.UInt64,
        OutputType.Key => new KeyDataViewType(typeof(uint), Math.Max(1, keyCount)),
        _ => NumberDataViewType.Single,
    };

    private static VectorDataViewType Shaped(OutputColumn column, PrimitiveDataViewType item)
        => column.IsScalar ? new VectorDataViewType(item, 1) : new VectorDataViewType(item, 1, column.Width);

    /// <summary><paramref name="input"/> with <paramref name="outputs"/> added (replacing columns of the same name), as the
    /// post-processing leaves it (<see cref="FirstPartyChain.Removes"/>).</summary>
    public static SchemaShape Append(SchemaShape input, IReadOnlyList<OutputColumn> outputs)
    {
        var builder = new DataViewSchema.Builder();
        foreach (var column in outputs) builder.AddColumn(column.Name, Of(column), column.Type == OutputType.Key ? KeyValues(column.KeyCount) : null);
        return Replace(input, ShapeOf(builder.ToSchema()), FirstPartyChain.Removes(outputs));
    }

    /// <summary><paramref name="input"/> with an anomaly detector's Boolean label.</summary>
    public static SchemaShape WithPredictedLabel(SchemaShape input)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn(FirstPartyChain.PredictedLabelColumn, BooleanDataViewType.Instance);
        return Replace(input, ShapeOf(builder.ToSchema()), removed: null);
    }

    private static SchemaShape Replace(SchemaShape input, SchemaShape added, string? removed)
    {
        var replaced = added.Select(c => c.Name).Append(removed).ToHashSet();
        return new SchemaShape(input.Where(c => !replaced.Contains(c.Name)).Concat(added));
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
