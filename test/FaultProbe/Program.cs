// Usage: FaultProbe misuse <model.zip> <rows.csv>   or   FaultProbe fuzz <model.zip> <rows.csv> <mutations>
// Exits 0 and prints "ok" when every misuse or mutated file gave a managed exception (or worked); any other outcome,
// a native crash above all, is a failure.
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Autoencoders;
using Microsoft.ML.Data;

var (scenario, modelPath, rowsPath) = (args[0], args[1], args[2]);
var ml = new MLContext(1);
var rows = File.ReadAllLines(rowsPath).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
var definition = SchemaDefinition.Create(typeof(Row));
definition[0].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), definition);

int ReadCodes(IDataView scored)
{
    var column = scored.Schema["Code"];
    using var cursor = scored.GetRowCursor(new[] { column });
    var getter = cursor.GetGetter<VBuffer<float>>(column);
    var value = default(VBuffer<float>);
    int n = 0;
    while (cursor.MoveNext()) { getter(ref value); n++; }
    return n;
}

void ExpectDisposed(string what, Action action)
{
    try { action(); }
    catch (ObjectDisposedException) { return; }
    throw new InvalidOperationException($"{what} after Dispose did not throw ObjectDisposedException.");
}

if (scenario == "fuzz") return Fuzz(int.Parse(args[3]));

// 1. Use after Dispose: every entry point, and a cursor made before.
var model = AutoencoderTransformer.Load(ml, modelPath);
var early = model.Transform(data);
model.Dispose();
model.Dispose();
ExpectDisposed("Transform", () => model.Transform(data));
ExpectDisposed("reading a view made before", () => ReadCodes(early));
ExpectDisposed("EncoderJacobian", () => model.EncoderJacobian(rows[0]));
ExpectDisposed("GetOutputSchema", () => model.GetOutputSchema(data.Schema));
var never = Path.Combine(Path.GetTempPath(), $"never-{Guid.NewGuid():N}.zip");
ExpectDisposed("Save", () => ml.Model.Save(model, data.Schema, never));
File.Delete(never);

// 2. Dispose while eight threads score through Transform, then while eight PredictionEngines (PredictionEnginePool's
// hot reload) predict: each finishes its call or gets ObjectDisposedException, and every one of them is stopped. An
// engine disposes the model it was given, and the model's sessions go at the last of those Disposes
// (docs/conventions.md#feedback-cancellation-and-lifetime): the model's own, then each engine's.
var shared = AutoencoderTransformer.Load(ml, modelPath);
var (completed, disposed) = RaceWithDispose(shared.Dispose, _ => () =>
{
    if (ReadCodes(shared.Transform(data)) != rows.Length) throw new InvalidOperationException("A pass read the wrong number of rows.");
});
var served = AutoencoderTransformer.Load(ml, modelPath);
var engines = new System.Collections.Concurrent.ConcurrentBag<IDisposable>();
int row = 0;
var (predicted, stopped) = RaceWithDispose(() => { served.Dispose(); foreach (var engine in engines) engine.Dispose(); }, _ =>
{
    var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(served, inputSchemaDefinition: definition);
    engines.Add(engine);
    return () =>
    {
        if (engine.Predict(new Row { Features = rows[Interlocked.Increment(ref row) % rows.Length] }).Code.Length != 4)
            throw new InvalidOperationException("A prediction has the wrong code size.");
    };
});

// 4. Models loaded, used and disposed release their ONNX Runtime sessions, and with them their threads.
int before = Process.GetCurrentProcess().Threads.Count;
for (int i = 0; i < 20; i++)
{
    using var cycled = AutoencoderTransformer.Load(ml, modelPath);
    ReadCodes(cycled.Transform(data));
    cycled.EncoderJacobian(rows[0]);
}
int grown = Process.GetCurrentProcess().Threads.Count - before;
if (grown > 8) throw new InvalidOperationException($"20 loaded and disposed models left {grown} more threads.");
Console.WriteLine($"ok: {completed} passes and {predicted} predictions completed, {disposed} scoring threads and {stopped} engines stopped by Dispose; {grown} threads more after 20 models");
return 0;

// Eight threads each repeat their work until Dispose stops them; returns the calls completed and the threads stopped.
(int Completed, int Stopped) RaceWithDispose(Action dispose, Func<int, Action> work)
{
    int completed = 0, stopped = 0;
    var failures = new System.Collections.Concurrent.ConcurrentBag<Exception>();
    var calls = Enumerable.Range(0, 8).Select(work).ToList();
    var threads = calls.Select(call => new Thread(() =>
    {
        try
        {
            for (int i = 0; i < 1_000_000; i++) { call(); Interlocked.Increment(ref completed); }
        }
        catch (ObjectDisposedException) { Interlocked.Increment(ref stopped); }
        catch (Exception e) { failures.Add(e); }
    })).ToList();
    threads.ForEach(t => t.Start());
    Thread.Sleep(300);
    dispose();
    threads.ForEach(t => t.Join());
    if (!failures.IsEmpty) throw new AggregateException(failures);
    if (stopped != 8) throw new InvalidOperationException($"{8 - stopped} of 8 threads were not stopped by Dispose.");
    return (completed, stopped);
}

// Seeded byte mutations of the saved ONNX graph (which holds the model state in its metadata): each file loads, as
// ML.NET's chain and as the typed transformer, and scores, or throws a managed exception, within seconds.
int Fuzz(int mutations)
{
    var original = File.ReadAllBytes(modelPath);
    var rand = new Random(7);
    var path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.zip");
    // ML.NET's loader leaves its temp graph file behind when it refuses a graph: give it a folder of its own.
    var scratch = Directory.CreateTempSubdirectory("fuzz-").FullName;
    var ml = new MLContext(1) { TempFilePath = scratch };
    int loaded = 0, refused = 0;
    try
    {
        for (int m = 0; m < mutations; m++)
        {
            File.WriteAllBytes(path, original);
            using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.First(e => e.Name == "OnnxModel");
                byte[] bytes;
                using (var stream = entry.Open()) { using var copy = new MemoryStream(); stream.CopyTo(copy); bytes = copy.ToArray(); }
                for (int k = rand.Next(1, 8); k > 0; k--) bytes[4 + rand.Next(bytes.Length - 4)] = (byte)rand.Next(256);
                using var write = entry.Open();
                write.SetLength(0);
                write.Write(bytes);
            }
            var watch = Stopwatch.StartNew();
            // ML.NET's own loader may refuse a file as it likes; ours must say the file is bad (InvalidDataException).
            foreach (var (load, ours) in new (Func<ITransformer>, bool)[] { (() => ml.Model.Load(path, out _), false), (() => AutoencoderTransformer.Load(ml, path), true) })
            {
                ITransformer? model = null;
                try
                {
                    model = load();
                }
                catch (Exception e) when (!ours || e is InvalidDataException) { refused++; continue; }
                try
                {
                    ReadCodes(model.Transform(data));
                    loaded++;
                }
                catch (Exception e) when (e is not OutOfMemoryException) { refused++; }
                finally { (model as IDisposable)?.Dispose(); }
            }
            if (watch.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"Mutation {m} took {watch.Elapsed.TotalSeconds:F1} s to load or refuse.");
        }
    }
    finally
    {
        File.Delete(path);
        Directory.Delete(scratch, recursive: true);
    }
    Console.WriteLine($"ok: {loaded} loads worked, {refused} threw managed exceptions");
    return 0;
}

sealed class Prediction
{
    public float[] Code = Array.Empty<float>();
}

sealed class Row
{
    public float[] Features = Array.Empty<float>();
}
