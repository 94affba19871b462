using System.Reflection;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>The library's folders are layers (docs/architecture.md#layers): code in a folder may use the types of its
/// own folder and of the folders below it, never of one above. Read from the source, so a new upward dependency fails here.</summary>
[TestClass]
public sealed class ArchitectureTests
{
    /// <summary>Top to bottom.</summary>
    private static readonly string[] Layers = { "Catalog", "Variants", "Training", "Networks", "Ops", "MLNet", "Onnx", "Core" };

    private static string Source => Path.Combine(RepositoryRoot(), "src", "Microsoft.ML.Autoencoders");

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Autoencoders.MLNet.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (Autoencoders.MLNet.sln) is not above the test's folder.");
    }

    /// <summary>Each C# file's code without comments and the text of plain strings (interpolated strings are kept,
    /// since their holes are code), by its top-level folder.</summary>
    private static List<(string Layer, string File, string Code)> Files() => Directory
        .EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(Source, f))
        .Where(f => !f.StartsWith("obj") && !f.StartsWith("bin"))
        .Select(f => (f.Split(Path.DirectorySeparatorChar)[0], f, Regex.Replace(Regex.Replace(File.ReadAllText(Path.Combine(Source, f)), @"//[^\n]*", ""), "(?<!\\$)\"[^\"\\n]*\"", "\"\"")))
        .ToList();

    /// <summary>Every use, in a file, of a type declared in a folder above the file's.</summary>
    private static List<string> Violations(IReadOnlyList<(string Layer, string File, string Code)> files)
    {
        // Declarations outside every string (the text of an interpolated string can say "a class of").
        var declared = files.SelectMany(f => Regex.Matches(Regex.Replace(f.Code, "\\$\"[^\"\\n]*\"", "\"\""), @"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)").Select(m => (Type: m.Groups[1].Value, f.Layer)))
            // A partial type belongs to the lowest folder that declares it (AutoencoderOptions: Core, its variant member in Variants).
            .GroupBy(d => d.Type).ToDictionary(g => g.Key, g => g.MaxBy(d => Array.IndexOf(Layers, d.Layer)).Layer);
        return files.SelectMany(f => declared
            .Where(d => Array.IndexOf(Layers, d.Value) < Array.IndexOf(Layers, f.Layer) && Regex.IsMatch(f.Code, $@"\b{d.Key}\b"))
            .Select(d => $"{f.File} ({f.Layer}) uses {d.Key} ({d.Value})")).ToList();
    }

    [TestMethod]
    public void Every_source_folder_is_a_layer_and_no_folder_uses_a_type_of_a_folder_above_it()
    {
        var files = Files();
        CollectionAssert.IsSubsetOf(files.Select(f => f.Layer).Distinct().ToList(), Layers, "every folder of the library is a layer");
        var violations = Violations(files);
        Assert.AreEqual(0, violations.Count, string.Join("\n", violations));
    }

    [TestMethod]
    public void The_check_finds_an_upward_use_also_inside_an_interpolated_string()
    {
        var variant = ("Variants", "Variants/V.cs", "internal sealed class SaucieVariant { }");
        CollectionAssert.AreEqual(new[] { "Training/E.cs (Training) uses SaucieVariant (Variants)" },
            Violations(new[] { variant, ("Training", "Training/E.cs", "static class E { void F(SaucieVariant v) { } }") }));
        Assert.AreEqual(1, Violations(new[] { variant, ("Training", "Training/E.cs", "static class E { string F() => $\"{nameof(SaucieVariant)}\"; }") }).Count);
        Assert.AreEqual(0, Violations(new[] { variant, ("Catalog", "Catalog/C.cs", "static class C { SaucieVariant V; }") }).Count, "a folder above may use it");
    }

    /// <summary>Options a contributor derives without <c>CreateVariant</c>: the compiler cannot require the override of a
    /// class deriving from the concrete <see cref="AutoencoderOptions"/>, so this test and the refusal below do.</summary>
    private sealed class OptionsWithoutVariant : AutoencoderOptions;

    [TestMethod]
    public void Every_options_class_creates_its_own_variant_a_new_one_each_call()
    {
        var types = new[] { typeof(AutoencoderOptions).Assembly, typeof(ArchitectureTests).Assembly }
            .SelectMany(a => a.GetTypes()).Where(t => typeof(AutoencoderOptions).IsAssignableFrom(t) && !t.IsAbstract && t != typeof(OptionsWithoutVariant)).ToList();
        Assert.IsTrue(types.Count >= 13, $"found {types.Count} options classes");
        foreach (var type in types)
        {
            var method = type.GetMethod(nameof(AutoencoderOptions.CreateVariant), BindingFlags.Instance | BindingFlags.NonPublic)!;
            Assert.AreEqual(type, method.DeclaringType, $"{type.Name} does not override CreateVariant");
            var options = (AutoencoderOptions)Activator.CreateInstance(type)!;
            var (first, second) = (options.CreateVariant(), options.CreateVariant());
            Assert.AreNotSame(first, second);
            Assert.AreSame(options, first.Options, type.Name);
        }
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => new MLContext(1).Transforms.Autoencoder(new OptionsWithoutVariant()));
        StringAssert.Contains(e.Message, "OptionsWithoutVariant does not override CreateVariant");
    }

    [TestMethod]
    public void Variant_options_without_their_variant_do_not_compile()
    {
        var probe = "namespace Microsoft.ML.Autoencoders; public sealed class ProbeOptions : VariantOptions { public double Weight { get; set; } }";
        var errors = ScalarUseTests.Library.Value.AddSyntaxTrees(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(probe, path: "Probe.cs"))
            .GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        Assert.AreEqual(1, errors.Count, string.Join("\n", errors));
        Assert.AreEqual("CS0534", errors[0].Id);
        StringAssert.Contains(errors[0].GetMessage(), "CreateVariant");
    }

    /// <summary>A variant is what its constructor made it: what it takes from the training rows lives in the phase or
    /// in the model's arrays, so one variant object could train twice.</summary>
    [TestMethod]
    public void No_variant_has_a_field_it_could_change()
    {
        var mutable = typeof(AutoencoderOptions).Assembly.GetTypes().Append(typeof(SparseDenoisingVariant))
            .Where(t => typeof(Training.TrainingVariant).IsAssignableFrom(t))
            .SelectMany(t => t.GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly)
                .Where(f => !f.IsInitOnly && !f.Name.Contains("<options>")).Select(f => $"{t.Name}.{f.Name}")).ToList();
        Assert.AreEqual(0, mutable.Count, string.Join(", ", mutable));
    }

    [TestMethod]
    public void No_doc_comment_cites_a_file_outside_the_project_and_every_cited_docs_section_exists()
    {
        var root = RepositoryRoot();
        foreach (var (_, file, _) in Files())
        {
            var text = File.ReadAllText(Path.Combine(Source, file));
            Assert.IsFalse(text.Contains("METHODS.md"), $"{file} cites METHODS.md, which is not in the project");
            foreach (Match m in Regex.Matches(text, @"docs/([\w-]+\.md)(?:#([\w-]+))?"))
            {
                var doc = Path.Combine(root, "docs", m.Groups[1].Value);
                Assert.IsTrue(File.Exists(doc), $"{file} cites {m.Value}; docs/{m.Groups[1].Value} does not exist");
                if (m.Groups[2].Success)
                    Assert.IsTrue(File.ReadAllLines(doc).Where(l => l.StartsWith('#')).Any(h => Slug(h) == m.Groups[2].Value), $"{file} cites {m.Value}; no such section");
            }
        }
    }

    /// <summary>A Markdown heading's anchor as GitHub makes it.</summary>
    private static string Slug(string heading)
        => Regex.Replace(Regex.Replace(heading.TrimStart('#').Trim().ToLowerInvariant(), @"[^\w\- ]", ""), " ", "-");
}
