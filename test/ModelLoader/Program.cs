// Usage: ModelLoader <model.zip> <input column> <input size> <rows.csv> <output column>
// Prints the output column of each row, comma-separated, and every column's type to stderr; exits 3 if a forbidden
// assembly was loaded.
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

var (modelPath, inputColumn, size, rowsPath, outputColumn) = (args[0], args[1], int.Parse(args[2]), args[3], args[4]);
var ml = new MLContext();
var model = ml.Model.Load(modelPath, out _);
var rows = File.ReadAllLines(rowsPath)
    .Select(line => new Row { Features = line.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray() })
    .ToArray();
var definition = SchemaDefinition.Create(typeof(Row));
definition[0].ColumnName = inputColumn;
definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
var output = model.Transform(ml.Data.LoadFromEnumerable(rows, definition));
foreach (var c in output.Schema.Where(c => !c.IsHidden)) Console.Error.WriteLine($"{c.Name}: {c.Type}");
var column = output.Schema[outputColumn];
using (var cursor = output.GetRowCursor(new[] { column }))
{
    if (column.Type is VectorDataViewType)
    {
        var getter = cursor.GetGetter<VBuffer<float>>(column);
        var value = default(VBuffer<float>);
        while (cursor.MoveNext())
        {
            getter(ref value);
            Console.WriteLine(string.Join(",", value.DenseValues().Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }
    }
    else
    {
        var getter = cursor.GetGetter<float>(column);
        float value = 0;
        while (cursor.MoveNext())
        {
            getter(ref value);
            Console.WriteLine(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }
}
var forbidden = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name!)
    .Where(n => n.StartsWith("TorchSharp") || n.StartsWith("Microsoft.ML.Autoencoders")).ToList();
foreach (var name in model is TransformerChain<ITransformer> chain ? chain.Select(t => t.GetType().Assembly.GetName().Name!) : new[] { model.GetType().Assembly.GetName().Name! })
    if (!name.StartsWith("Microsoft.ML")) forbidden.Add(name);
(model as IDisposable)?.Dispose();   // ML.NET deletes its temp graph file on Dispose
if (forbidden.Count > 0)
{
    Console.Error.WriteLine("Forbidden assemblies: " + string.Join(", ", forbidden));
    return 3;
}
return 0;

internal sealed class Row
{
    public float[] Features = Array.Empty<float>();
}
