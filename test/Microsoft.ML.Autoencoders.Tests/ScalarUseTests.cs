using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Microsoft.ML.Autoencoders.Tests;

/// <summary>No number reaches libtorch as a temporary Scalar (docs/conventions.md#numbers-and-tensors). TorchSharp
/// turns a number passed where it takes a Scalar into a Scalar that nothing holds once its handle is passed to
/// libtorch; a garbage collection at that moment frees it while libtorch reads it ("Unknown scalar type", "INTERNAL
/// ASSERT FAILED ... Scalar.h"). The library's code is bound with Roslyn, so every conversion and every call is seen
/// with its real types, not guessed from the text.</summary>
[TestClass]
public sealed class ScalarUseTests
{
    /// <summary>TorchSharp 0.107 members that make a Scalar of their own inside (read from its source): <c>add</c> of a
    /// tensor or number without an alpha passes an alpha of 1, <c>square</c> is <c>pow(2)</c>, <c>addcdiv</c> without a
    /// value passes 1, <c>elu</c> of doubles converts them. (Every tensor operator with a number operand converts it
    /// too; <see cref="TemporaryScalars"/> finds those by their parameter types.)</summary>
    internal static readonly string[] MakeTheirOwnScalar =
    {
        "add(Tensor)", "add(Scalar)", "add_(Tensor)", "add_(Scalar)", "square()", "square_()", "addcdiv(Tensor, Tensor)",
        "addcdiv_(Tensor, Tensor)", "elu(Double)", "elu_(Double)", "operator +(Tensor, Tensor)", "operator +(Tensor, Scalar)",
        "operator +(Scalar, Tensor)", "operator -(Scalar, Tensor)",
    };

    /// <summary>TorchSharp members the library calls with a double (or float) that were read in TorchSharp 0.107's
    /// source and pass it to libtorch as a plain double, not a Scalar. A member that is not here fails the check until
    /// someone reads it and adds it, or routes the number through TensorArithmetic.</summary>
    internal static readonly string[] PassTheirNumbersAsDoubles =
    {
        "torch.cdist", "torch.nn.functional.cross_entropy", "torch.nn.functional.pad", "torch.nn.functional.interpolate",
        "torch.nn.functional.dropout", "torch.nn.init.uniform_", "torch.nn.init.normal_",
    };

    internal static readonly Lazy<CSharpCompilation> Library = new(Compile);

    /// <summary>The library's sources (both packages, as one assembly), bound against the assemblies the tests run with.</summary>
    private static CSharpCompilation Compile()
    {
        var source = Path.Combine(ArchitectureTests.RepositoryRoot(), "src", "Microsoft.ML.Autoencoders");
        var trees = new[] { source, source + ".Analysis" }.SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).StartsWith("obj") && !Path.GetRelativePath(folder, f).StartsWith("bin"))
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: Path.GetRelativePath(Path.GetDirectoryName(source)!, f))))
            // The worked example contributors copy obeys the rule too.
            .Append(CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(ArchitectureTests.RepositoryRoot(), "test", "Microsoft.ML.Autoencoders.Tests", "SparseDenoisingAutoencoder.cs")), path: "SparseDenoisingAutoencoder.cs (test)"))
            .Append(CSharpSyntaxTree.ParseText("global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; global using System.Threading; global using System.Threading.Tasks;"));
        // The code generated at build (the ONNX protobuf classes) is read from obj/, the library's newest build of it.
        var generated = Directory.EnumerateFiles(Path.Combine(source, "obj"), "Onnx.cs", SearchOption.AllDirectories).MaxBy(File.GetLastWriteTimeUtc)
            ?? throw new InvalidOperationException("The library has not been built: obj/ holds no generated Onnx.cs.");
        trees = trees.Append(CSharpSyntaxTree.ParseText(File.ReadAllText(generated), path: "Onnx.cs (generated)"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Microsoft.ML.Autoencoders.", StringComparison.Ordinal) || Path.GetFileName(path).StartsWith("Microsoft.ML.Autoencoders.Tests", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path));
        return CSharpCompilation.Create("Microsoft.ML.Autoencoders", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable));
    }

    /// <summary>Each place in <paramref name="compilation"/> where a number becomes a Scalar that nothing holds, as
    /// "file:line: what".</summary>
    internal static List<string> TemporaryScalars(CSharpCompilation compilation)
    {
        var found = new List<string>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                string? problem = null;
                if (node is ExpressionSyntax expression && model.GetConversion(expression) is { IsUserDefined: true, MethodSymbol: { } conversion }
                    && conversion.ContainingType.ToDisplayString() == "TorchSharp.Scalar")
                    problem = $"'{expression}' becomes a temporary Scalar";
                else if (node is InvocationExpressionSyntax call && model.GetSymbolInfo(call).Symbol is IMethodSymbol { Name: "ToScalar" } toScalar
                         && toScalar.ContainingNamespace.ToDisplayString().StartsWith("TorchSharp") && !Held(call))
                    problem = $"'{call}' makes a Scalar that no using declaration or field holds";
                else if (node is InvocationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax or PrefixUnaryExpressionSyntax
                         && model.GetSymbolInfo(node).Symbol is IMethodSymbol method && method.ContainingNamespace.ToDisplayString().StartsWith("TorchSharp"))
                    problem = Problem(method) is { } reason ? $"'{node}' calls {Describe(method)}, which {reason}" : null;
                if (problem is not null) found.Add($"{tree.FilePath}:{tree.GetLineSpan(node.Span).StartLinePosition.Line + 1}: {problem}");
            }
        }
        return found;
    }

    /// <summary>Whether a ToScalar() call initialises a using declaration or a field (also through a lambda there).</summary>
    private static bool Held(SyntaxNode call) => call.Ancestors().Any(a => a is FieldDeclarationSyntax
        || a is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: (int)SyntaxKind.UsingKeyword });

    private static bool IsFloating(ITypeSymbol type) => type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
        || type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable && IsFloating(nullable.TypeArguments[0]);

    /// <summary>Why a call of this TorchSharp member makes a Scalar nothing holds, or null.</summary>
    private static string? Problem(IMethodSymbol method)
    {
        var numbers = method.Parameters.Where(p => IsFloating(p.Type) || p.Type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64).ToList();
        bool onTensor = method.ContainingType.Name == "Tensor";
        if (onTensor && MakeTheirOwnScalar.Contains(Describe(method).Split('.', 2)[1])) return "makes a Scalar of its own";
        if (onTensor && method.MethodKind == MethodKind.UserDefinedOperator && numbers.Count > 0) return "converts its number operand to a temporary Scalar";
        if (numbers.Any(p => IsFloating(p.Type))
            && !PassTheirNumbersAsDoubles.Contains($"{method.ContainingType.ToDisplayString().Replace("TorchSharp.", "")}.{method.Name}"))
            return "takes a floating-point number that has not been checked to reach libtorch as a plain double (see PassTheirNumbersAsDoubles)";
        return null;
    }

    /// <summary>"Tensor.name(Type, ...)" or "Tensor.operator +(Type, Type)".</summary>
    private static string Describe(IMethodSymbol method)
    {
        string parameters = string.Join(", ", method.Parameters.Select(p => p.Type.Name));
        return method.MethodKind == MethodKind.UserDefinedOperator
            ? $"{method.ContainingType.Name}.operator {SyntaxFacts.GetText(SyntaxFacts.GetOperatorKind(method.MetadataName))}({parameters})"
            : $"{method.ContainingType.Name}.{method.Name}({parameters})";
    }

    [TestMethod]
    public void The_library_binds_without_errors_so_the_scan_sees_real_types()
    {
        var errors = Library.Value.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Take(10).ToList();
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
    }

    [TestMethod]
    public void The_scan_finds_each_route_to_a_temporary_Scalar_and_passes_the_held_ones()
    {
        const string code = """
            using Microsoft.ML.Autoencoders.Ops;
            using TorchSharp;
            using static TorchSharp.torch;
            static class Probe
            {
                static void Bad(Tensor x, Tensor y, double p)
                {
                    _ = x.mul(2);                    // 1: a number converted at the call
                    _ = x + y;                       // 2: + makes an alpha
                    _ = x * 0.5;                     // 3: an operator converts its number
                    _ = 1 - x;                       // 4: likewise
                    _ = x >= p;                      // 5: likewise
                    _ = x.square();                  // 6: pow(2)
                    _ = x.add(y);                    // 7: an alpha of 1
                    _ = nn.functional.softplus(x, 1, 20);   // 8: not checked to pass plain doubles
                    _ = x.mul(p.ToScalar());         // 9: a Scalar nothing holds
                }
                static void Good(Tensor x, Tensor y, double p)
                {
                    _ = x.Plus(y).Minus(y).Times(p).Over(2).Squared().GreaterOrEqual(p);
                    _ = x - y; _ = x * y; _ = x / y; _ = -x;
                    using var held = p.ToScalar();
                    _ = x.mul(held).add(y, TensorArithmetic.One);
                    _ = nn.functional.pad(x, new long[] { 1, 1 }, value: 0.5);
                }
            }
            """;
        var compilation = Library.Value.AddSyntaxTrees(CSharpSyntaxTree.ParseText(code, path: "Probe.cs"));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath == "Probe.cs").ToList();
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
        var found = TemporaryScalars(compilation).Where(f => f.StartsWith("Probe.cs")).ToList();
        var lines = found.Select(f => int.Parse(f.Split(':')[1])).Distinct().ToList();
        CollectionAssert.AreEquivalent(Enumerable.Range(8, 9).ToList(), lines, string.Join("\n", found));
    }

    [TestMethod]
    public void No_number_reaches_libtorch_as_a_temporary_Scalar()
    {
        var found = TemporaryScalars(Library.Value);
        Assert.AreEqual(0, found.Count, $"{found.Count} places:\n" + string.Join("\n", found));
    }

    // The race itself: every variant fitted for 30 s in a child process whose gen0 is 64 KB while a thread collects
    // gen0 in a loop. Measured on 2 cores: before TensorArithmetic, 14 of 688 fits in 60 s failed with libtorch's
    // Scalar errors (SAUCIE with batches most, contractive); after, 0 of 800.
    [TestCategory("Slow")]
    [TestMethod]
    public void Fits_survive_constant_garbage_collection()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The child is started through bash.");
        var benchmarks = typeof(ScalarUseTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Benchmarks").Value!;
        var (exit, stdout, stderr) = EstimatorSuite.Run("bash", "-c", "DOTNET_GCgen0size=0x10000 exec dotnet \"$0\" gc-stress 30", benchmarks);
        Console.WriteLine(stdout);
        Assert.AreEqual(0, exit, $"{stdout}\n{stderr}");
        StringAssert.Contains(stdout, " 0 failed");
    }
}
