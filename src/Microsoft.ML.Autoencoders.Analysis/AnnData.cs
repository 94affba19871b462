using Microsoft.ML.Data;
using PureHDF;
using PureHDF.VOL.Native;

namespace Microsoft.ML.Autoencoders;

/// <summary>AnnData files (.h5ad, as scanpy and anndata write them) in and out of ML.NET, so single-cell data goes to
/// SAUCIE and back without a CSV (docs/conventions.md#anndata-files).</summary>
public static class AnnDataCatalog
{
    /// <summary>The column of the cells' names (the obs index).</summary>
    public const string ObsNamesColumnName = "obs_names";

    /// <summary>Reads an AnnData file: <c>Features</c> is X (or the layer <paramref name="layer"/>), dense or sparse (CSR
    /// or CSC) on disk, as a known-size <see cref="float"/> vector whose slot names are the var names;
    /// <c>obs_names</c> holds the cells' names, and every obs column becomes a column of its type (floating point as
    /// <see cref="float"/> or <see cref="double"/>, integers as <see cref="int"/> or <see cref="long"/>, Booleans, text;
    /// categoricals as their categories' text, empty where missing). A file that is not such an AnnData file is refused
    /// with the group or dataset that is wrong.</summary>
    public static IDataView LoadFromAnnData(this DataOperationsCatalog catalog, string path, string? layer = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"AnnData file '{path}' was not found.", path);
        var file = Open(path);
        try
        {
            return Read(new Reader(file, path), path, layer);
        }
        // A crafted file can fail inside PureHDF or in a conversion: it is still the file that is wrong.
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"AnnData file '{path}' cannot be read: {e.Message}", e);
        }
        finally
        {
            file.Dispose();
        }
    }

    /// <summary>The view of a file's X (or layer), names and obs columns.</summary>
    private static IDataView Read(Reader reader, string path, string? layer)
    {
        var (rows, size, values) = reader.Matrix(layer is null ? "X" : $"layers/{layer}");
        var varNames = reader.Index("var", size);
        var columns = new List<MemoryDataView.Column>
        {
            MemoryDataView.Column.Vector("Features", values, size, varNames),
            MemoryDataView.Column.Of(ObsNamesColumnName, TextDataViewType.Instance, reader.Index("obs", rows).Select(n => n.AsMemory()).ToArray()),
        };
        foreach (var column in reader.ObsColumns(rows))
        {
            if (column.Name is "Features" or ObsNamesColumnName)
                throw new InvalidDataException($"AnnData file '{path}': obs column '{column.Name}' has the name of a column this reader makes (the features or the cell names); rename it in the file.");
            columns.Add(column);
        }
        return new MemoryDataView(columns, rows);
    }

    /// <summary>Writes <paramref name="data"/> as an AnnData file that anndata and scanpy read: X is
    /// <paramref name="featureColumnName"/> (a known-size <see cref="float"/> vector; its slot names, if any, are the
    /// var names); the scalar columns go to obs (numbers, Booleans and text as such, key columns such as SAUCIE's
    /// <c>Cluster</c> as categoricals whose categories are the key's values, missing keys as missing), with
    /// <c>obs_names</c> as the index when present; other vector columns go to obsm, SAUCIE's <c>Embedding</c> as
    /// <c>X_saucie</c>. The file is written whole or not at all.</summary>
    public static void SaveAsAnnData(this DataOperationsCatalog catalog, IDataView data, string path, string featureColumnName = "Features")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var features = data.Schema.GetColumnOrNull(featureColumnName) ?? throw new ArgumentOutOfRangeException(nameof(featureColumnName), $"Column '{featureColumnName}' was not found; expected the feature column, a known-size vector of Single.");
        if (features.Type is not VectorDataViewType { ItemType: NumberDataViewType { RawType: var raw }, IsKnownSize: true, Size: var size } || raw != typeof(float))
            throw new ArgumentOutOfRangeException(nameof(featureColumnName), $"Column '{featureColumnName}' is {features.Type}; expected a known-size vector of Single.");
        var columns = data.Schema.Where(c => !c.IsHidden && c.Index != features.Index).ToList();
        foreach (var c in columns)
            if (Writer.Kind(c) is null)
                throw new ArgumentException($"Column '{c.Name}' is {c.Type}; AnnData takes scalar numbers, Booleans, text and UInt32 keys (obs) and known-size vectors of Single, Double or UInt64 (obsm). Drop it first.", nameof(data));
        var file = Writer.File(data, features, size, columns);
        // Written beside the target and moved into place: a failure leaves no partial file, and the target no half-written one.
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            file.Write(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static NativeFile Open(string path)
    {
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (e is not (IOException and not EndOfStreamException) and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"'{path}' is not an HDF5 file that can be read: {e.Message}", e);
        }
    }

    /// <summary>Reads the parts of one file, naming the file and the group or dataset in every error.</summary>
    private sealed class Reader(NativeFile file, string path)
    {
        private InvalidDataException Bad(string what, string problem) => new($"AnnData file '{path}': {what} {problem}");

        private IH5Object Get(string name)
        {
            if (!file.LinkExists(name)) throw Bad($"'{name}'", "is missing.");
            return file.Get(name);
        }

        private static string? Encoding(IH5Object o) => o.AttributeExists("encoding-type") ? o.Attribute("encoding-type").Read<string>() : null;

        /// <summary>A dense 2-D dataset or a CSR/CSC group as row-major floats.</summary>
        public (int Rows, int Size, float[] Values) Matrix(string name)
        {
            var found = Get(name);
            if (found is IH5Dataset dense)
            {
                var dims = dense.Space.Dimensions;
                if (dims.Length != 2) throw Bad($"dataset '{name}'", $"has {dims.Length} dimensions; expected 2 (cells × genes).");
                var (rows, size) = Shape(name, (long)dims[0], (long)dims[1]);
                return (rows, size, Floats(dense, name, (long)rows * size));
            }
            var group = (IH5Group)found;
            var encoding = Encoding(group);
            if (encoding is not ("csr_matrix" or "csc_matrix"))
                throw Bad($"group '{name}'", $"has encoding-type '{encoding}'; expected a dense array, csr_matrix or csc_matrix.");
            var shape = group.AttributeExists("shape") ? Numbers(group.Attribute("shape").Read<long[]>()) : throw Bad($"group '{name}'", "has no 'shape' attribute.");
            if (shape.Length != 2) throw Bad($"group '{name}'", $"has a shape of {shape.Length} values; expected 2.");
            var (n, d) = Shape(name, (long)shape[0], (long)shape[1]);
            bool csr = encoding == "csr_matrix";
            int outer = csr ? n : d, inner = csr ? d : n;
            var data = Floats(Dataset($"{name}/data"), $"{name}/data");
            var indices = Integers(Dataset($"{name}/indices"), $"{name}/indices");
            var pointers = Integers(Dataset($"{name}/indptr"), $"{name}/indptr");
            if (pointers.Length != outer + 1 || pointers[0] != 0 || pointers[^1] != data.Length || indices.Length != data.Length)
                throw Bad($"group '{name}'", $"has {pointers.Length} pointers for {outer} {(csr ? "rows" : "columns")}, {indices.Length} indices and {data.Length} values; expected {outer + 1} pointers from 0 to the value count, and one index a value.");
            var values = new float[(long)n * d];
            for (int o = 0; o < outer; o++)
            {
                if (pointers[o + 1] < pointers[o]) throw Bad($"dataset '{name}/indptr'", $"decreases at {o}.");
                for (long k = (long)pointers[o]; k < (long)pointers[o + 1]; k++)
                {
                    double i = indices[k];
                    if (!(i >= 0 && i < inner)) throw Bad($"dataset '{name}/indices'", $"holds {i} at {k}; expected an index from 0 to {inner - 1}.");
                    // Repeated entries add up, as scipy reads them.
                    values[csr ? (long)o * d + (long)i : (long)i * d + o] += data[k];
                }
            }
            return (n, d, values);
        }

        private (int, int) Shape(string name, long rows, long size)
        {
            // Divided, not multiplied: a crafted shape's product could wrap around.
            if (rows < 1 || size < 1 || rows > int.MaxValue / size)
                throw Bad($"'{name}'", $"is {rows} × {size}; expected at least one cell and one gene, and fewer than 2^31 values.");
            // A sparse file of a few KB can declare any shape: the dense rows must fit in the memory there is.
            long bytes = rows * size * sizeof(float), available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
            if (bytes > available / 2)
                throw Bad($"'{name}'", $"is {rows} × {size}, {bytes >> 20} MB as dense rows; {available >> 20} MB of memory are available, so at most half of that is read.");
            return ((int)rows, (int)size);
        }

        private IH5Dataset Dataset(string name) => Get(name) as IH5Dataset ?? throw Bad($"'{name}'", "is a group; expected a dataset.");

        /// <summary>The names of a dataframe group's rows (its _index attribute names the dataset).</summary>
        public string[] Index(string group, int count)
        {
            var frame = Get(group);
            string index = frame.AttributeExists("_index") ? frame.Attribute("_index").Read<string>() : "_index";
            var names = Strings(Dataset($"{group}/{index}"), $"{group}/{index}");
            if (names.Length != count) throw Bad($"dataset '{group}/{index}'", $"names {names.Length} rows; expected {count}.");
            return names;
        }

        /// <summary>Each obs column, in the file's column order.</summary>
        public IEnumerable<MemoryDataView.Column> ObsColumns(int rows)
        {
            var obs = Get("obs");
            if (!obs.AttributeExists("column-order")) yield break;
            var order = obs.Attribute("column-order");
            // anndata writes an empty order as an empty float array.
            if (order.Type.Class != H5DataTypeClass.String && order.Type.Class != H5DataTypeClass.VariableLength) yield break;
            foreach (var name in order.Read<string[]>())
                yield return Column(name, $"obs/{name}", rows);
        }

        private MemoryDataView.Column Column(string name, string where, int rows)
        {
            var found = Get(where);
            if (found is IH5Group group)
            {
                if (Encoding(group) != "categorical") throw Bad($"group '{where}'", $"has encoding-type '{Encoding(group)}'; expected an obs column (a dataset or a categorical).");
                var categories = Text(Dataset($"{where}/categories"), $"{where}/categories");
                var codes = Numbers(Dataset($"{where}/codes"), $"{where}/codes");
                Count(codes.Length, rows, $"{where}/codes");
                var text = codes.Select((c, i) => c == -1 ? ReadOnlyMemory<char>.Empty
                    : c >= 0 && c < categories.Length ? categories[(int)c]
                    : throw Bad($"dataset '{where}/codes'", $"holds {c} at row {i}; expected -1 (missing) or a category from 0 to {categories.Length - 1}.")).ToArray();
                return MemoryDataView.Column.Of(name, TextDataViewType.Instance, text);
            }
            var dataset = (IH5Dataset)found;
            var dims = dataset.Space.Dimensions;
            if (dims.Length != 1) throw Bad($"dataset '{where}'", $"has {dims.Length} dimensions; expected one value a cell.");
            Count((long)Math.Min(dims[0], long.MaxValue), rows, where);
            var type = dataset.Type;
            return (type.Class, type.Size, type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned) switch
            {
                (H5DataTypeClass.FloatingPoint, 4, _) => MemoryDataView.Column.Of(name, NumberDataViewType.Single, dataset.Read<float[]>()),
                (H5DataTypeClass.FloatingPoint, 8, _) => MemoryDataView.Column.Of(name, NumberDataViewType.Double, dataset.Read<double[]>()),
                (H5DataTypeClass.FixedPoint, 8, true) => MemoryDataView.Column.Of(name, NumberDataViewType.Int64, dataset.Read<long[]>()),
                (H5DataTypeClass.FixedPoint, 8, false) => MemoryDataView.Column.Of(name, NumberDataViewType.UInt64, dataset.Read<ulong[]>()),
                (H5DataTypeClass.FixedPoint, 4, false) => MemoryDataView.Column.Of(name, NumberDataViewType.UInt32, dataset.Read<uint[]>()),
                (H5DataTypeClass.FixedPoint, _, _) => MemoryDataView.Column.Of(name, NumberDataViewType.Int32, Numbers(dataset, where).Select(v => (int)v).ToArray()),
                // h5py writes a Boolean as an enumeration of one byte (FALSE = 0, TRUE = 1).
                (H5DataTypeClass.Enumerated, 1, _) => MemoryDataView.Column.Of(name, BooleanDataViewType.Instance, dataset.Read<sbyte[]>().Select(v => v != 0).ToArray()),
                (H5DataTypeClass.String or H5DataTypeClass.VariableLength, _, _) => MemoryDataView.Column.Of(name, TextDataViewType.Instance, Text(dataset, where)),
                _ => throw Bad($"dataset '{where}'", $"holds {type.Class} values of {type.Size} bytes; expected numbers, Booleans or text."),
            };
        }

        private void Count(long found, int rows, string where)
        {
            if (found != rows) throw Bad($"dataset '{where}'", $"has {found} values; obs has {rows} rows.");
        }

        private ReadOnlyMemory<char>[] Text(IH5Dataset dataset, string where) => Strings(dataset, where).Select(s => s.AsMemory()).ToArray();

        private string[] Strings(IH5Dataset dataset, string where)
            => dataset.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength ? dataset.Read<string[]>()
                : Numbers(dataset, where).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        private float[] Floats(IH5Dataset dataset, string where, long? count = null)
        {
            var values = dataset.Type is { Class: H5DataTypeClass.FloatingPoint, Size: 4 } ? dataset.Read<float[]>() : Numbers(dataset, where).Select(v => (float)v).ToArray();
            if (count is long expected && values.Length != expected) throw Bad($"dataset '{where}'", $"has {values.Length} values; expected {expected}.");
            return values;
        }

        /// <summary>An integer dataset (sparse indices and pointers) as doubles, which hold every index there can be exactly.</summary>
        private double[] Integers(IH5Dataset dataset, string where)
            => dataset.Type.Class == H5DataTypeClass.FixedPoint ? Numbers(dataset, where) : throw Bad($"dataset '{where}'", $"holds {dataset.Type.Class} values; expected integers.");

        /// <summary>Any numeric dataset as doubles.</summary>
        private double[] Numbers(IH5Dataset dataset, string where)
        {
            var type = dataset.Type;
            bool signed = type.Class == H5DataTypeClass.FixedPoint && type.FixedPoint.IsSigned;
            return (type.Class, type.Size, signed) switch
            {
                (H5DataTypeClass.FloatingPoint, 4, _) => Numbers(dataset.Read<float[]>()),
                (H5DataTypeClass.FloatingPoint, 8, _) => dataset.Read<double[]>(),
                (H5DataTypeClass.FixedPoint, 1, true) => Numbers(dataset.Read<sbyte[]>()),
                (H5DataTypeClass.FixedPoint, 1, false) => Numbers(dataset.Read<byte[]>()),
                (H5DataTypeClass.FixedPoint, 2, true) => Numbers(dataset.Read<short[]>()),
                (H5DataTypeClass.FixedPoint, 2, false) => Numbers(dataset.Read<ushort[]>()),
                (H5DataTypeClass.FixedPoint, 4, true) => Numbers(dataset.Read<int[]>()),
                (H5DataTypeClass.FixedPoint, 4, false) => Numbers(dataset.Read<uint[]>()),
                (H5DataTypeClass.FixedPoint, 8, true) => Numbers(dataset.Read<long[]>()),
                (H5DataTypeClass.FixedPoint, 8, false) => Numbers(dataset.Read<ulong[]>()),
                _ => throw Bad($"dataset '{where}'", $"holds {type.Class} values of {type.Size} bytes; expected numbers."),
            };
        }

        private static double[] Numbers<T>(T[] values) where T : struct, IConvertible
            => values.Select(v => v.ToDouble(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Builds the HDF5 layout anndata 0.8 writes: encoding attributes on every element.</summary>
    private static class Writer
    {
        private const string Embedding = "Embedding", SaucieEmbedding = "X_saucie";

        /// <summary>Where a column goes: "obs" (scalars), "categorical" (keys), "obsm" (known-size numeric vectors), or null.</summary>
        public static string? Kind(DataViewSchema.Column column) => column.Type switch
        {
            KeyDataViewType { RawType: var key } when key == typeof(uint) => "categorical",
            TextDataViewType or BooleanDataViewType => "obs",
            NumberDataViewType n when n.RawType == typeof(float) || n.RawType == typeof(double) || n.RawType == typeof(int) || n.RawType == typeof(long) || n.RawType == typeof(uint) => "obs",
            VectorDataViewType { IsKnownSize: true, ItemType: NumberDataViewType item } when item.RawType == typeof(float) || item.RawType == typeof(double) || item.RawType == typeof(ulong) => "obsm",
            _ => null,
        };

        private static Dictionary<string, object> Encoding(string type, string version) => new() { ["encoding-type"] = type, ["encoding-version"] = version };

        private static H5Dataset Array(object values, params ulong[] dims) => new(values, fileDims: dims) { Attributes = Encoding("array", "0.2.0") };
        private static H5Dataset Strings(string[] values) => new(values) { Attributes = Encoding("string-array", "0.2.0") };

        public static H5File File(IDataView data, DataViewSchema.Column features, int size, List<DataViewSchema.Column> columns)
        {
            var x = new List<float>();
            var values = columns.ToDictionary(c => c.Name, _ => new List<object>());
            using (var cursor = data.GetRowCursor(columns.Append(features)))
            {
                var getX = cursor.GetGetter<VBuffer<float>>(features);
                var getters = columns.Select(c => Getter(cursor, c)).ToArray();
                VBuffer<float> row = default;
                while (cursor.MoveNext())
                {
                    getX(ref row);
                    x.AddRange(row.DenseValues());
                    for (int i = 0; i < columns.Count; i++) values[columns[i].Name].Add(getters[i]());
                }
            }
            int rows = x.Count / size;
            if (rows == 0) throw new ArgumentException("The data has no rows; an AnnData file needs at least one cell.", nameof(data));
            var obsNames = values.TryGetValue(ObsNamesColumnName, out var names) && columns.First(c => c.Name == ObsNamesColumnName).Type is TextDataViewType
                ? names.Select(n => n.ToString()!).ToArray() : Enumerable.Range(0, rows).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var obs = new H5Group { Attributes = Frame(), ["_index"] = Strings(obsNames) };
            var obsm = new H5Group { Attributes = Encoding("dict", "0.1.0") };
            var order = new List<string>();
            foreach (var column in columns.Where(c => c.Name != ObsNamesColumnName))
            {
                if (column.Name == "_index" || column.Name == SaucieEmbedding && columns.Any(c => c.Name == Embedding))
                    throw new ArgumentException($"Column '{column.Name}' would overwrite {(column.Name == "_index" ? "the obs index" : $"obsm['{SaucieEmbedding}'], where '{Embedding}' goes")}; rename it.", nameof(data));
                var list = values[column.Name];
                switch (Kind(column))
                {
                    case "categorical":
                        var categories = KeyNames(column);
                        var codes = list.Select(v => (int)(uint)v - 1).ToArray();
                        obs[column.Name] = new H5Group
                        {
                            Attributes = new(Encoding("categorical", "0.2.0")) { ["ordered"] = H5Bool.FALSE },
                            ["categories"] = Strings(categories),
                            ["codes"] = Array(codes, (ulong)rows),
                        };
                        order.Add(column.Name);
                        break;
                    case "obs":
                        obs[column.Name] = column.Type is TextDataViewType ? Strings(list.Select(v => v.ToString()!).ToArray()) : Array(Typed(list, column.Type.RawType), (ulong)rows);
                        order.Add(column.Name);
                        break;
                    default:
                        var vector = (VectorDataViewType)column.Type;
                        var flat = list.SelectMany(v => ((System.Collections.IEnumerable)v).Cast<object>()).ToList();
                        obsm[column.Name == Embedding ? SaucieEmbedding : column.Name] = Array(Typed(flat, vector.ItemType.RawType), (ulong)rows, (ulong)vector.Size);
                        break;
                }
            }
            obs.Attributes["column-order"] = order.ToArray();
            var varNames = SlotNames(features, size);
            return new H5File
            {
                Attributes = Encoding("anndata", "0.1.0"),
                ["X"] = Array(x.ToArray(), (ulong)rows, (ulong)size),
                ["obs"] = obs,
                ["var"] = new H5Group { Attributes = new(Frame()) { ["column-order"] = System.Array.Empty<string>() }, ["_index"] = Strings(varNames) },
                ["obsm"] = obsm,
                ["layers"] = new H5Group { Attributes = Encoding("dict", "0.1.0") },
                ["uns"] = new H5Group { Attributes = Encoding("dict", "0.1.0") },
            };
        }

        private static Dictionary<string, object> Frame() => new(Encoding("dataframe", "0.2.0")) { ["_index"] = "_index" };

        /// <summary>How h5py writes a Boolean, an enumeration of one byte whose members are FALSE and TRUE: numpy and
        /// pandas (a categorical's "ordered") read only that as a Boolean.</summary>
        private enum H5Bool : byte { FALSE = 0, TRUE = 1 }

        private static Array Typed(List<object> values, Type type)
        {
            if (type == typeof(bool)) return values.Select(v => (bool)v ? H5Bool.TRUE : H5Bool.FALSE).ToArray();
            var array = System.Array.CreateInstance(type, values.Count);
            for (int i = 0; i < values.Count; i++) array.SetValue(values[i], i);
            return array;
        }

        /// <summary>A getter returning the column's value of the current row as an object (a vector as its dense values).</summary>
        private static Func<object> Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var method = typeof(Writer).GetMethod(column.Type is VectorDataViewType ? nameof(VectorGetter) : nameof(ScalarGetter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
            var type = column.Type is VectorDataViewType v ? v.ItemType.RawType : column.Type.RawType;
            return (Func<object>)method.MakeGenericMethod(type).Invoke(null, new object[] { cursor, column })!;
        }

        private static Func<object> ScalarGetter<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var get = cursor.GetGetter<T>(column);
            return () =>
            {
                T value = default!;
                get(ref value);
                return value is ReadOnlyMemory<char> text ? text.ToString() : value!;
            };
        }

        private static Func<object> VectorGetter<T>(DataViewRowCursor cursor, DataViewSchema.Column column)
        {
            var get = cursor.GetGetter<VBuffer<T>>(column);
            return () =>
            {
                VBuffer<T> value = default;
                get(ref value);
                return value.DenseValues().ToArray();
            };
        }

        /// <summary>A key column's categories: its key values as text, else 1..count.</summary>
        private static string[] KeyNames(DataViewSchema.Column column)
        {
            if (!column.HasKeyValues())
                return Enumerable.Range(1, checked((int)((KeyDataViewType)column.Type).Count)).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            VBuffer<ReadOnlyMemory<char>> names = default;
            column.GetKeyValues(ref names);
            return names.DenseValues().Select(v => v.ToString()).ToArray();
        }

        /// <summary>The feature column's slot names when every slot has a distinct one, else 0..size-1.</summary>
        private static string[] SlotNames(DataViewSchema.Column column, int size)
        {
            if (column.HasSlotNames())
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                column.GetSlotNames(ref names);
                var result = names.DenseValues().Select(v => v.ToString()).ToArray();
                if (result.All(r => r.Length > 0) && result.Distinct().Count() == size) return result;
            }
            return Enumerable.Range(0, size).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        }
    }
}
