using ArchUnitNET.Domain;
using ArchUnitNET.Fluent;
using ArchUnitNET.Loader;
using ArchUnitNET.xUnit;
using Recurrent.Cli;
using static ArchUnitNET.Fluent.ArchRuleDefinition;

namespace Recurrent.Tests.Architecture;

/// <summary>
/// Layers that only look down: each namespace of the library, the server and the command line uses only the namespaces below
/// it, read from the compiled assemblies (ArchUnitNET), so that an upward reference fails here.
/// </summary>
public class LayerTests
{
    private static readonly System.Reflection.Assembly Library = typeof(Tensor).Assembly,
        Server = typeof(Recurrent.Serve.GenerationServer).Assembly, CommandLine = typeof(CliApp).Assembly;

    private static readonly ArchUnitNET.Domain.Architecture Code = new ArchLoader().LoadAssemblies(Library, Server, CommandLine).Build();

    /// <summary>
    /// Every namespace and the ones it may use; <c>Recurrent</c> itself holds the exceptions every layer throws and the
    /// check every layer makes of the files it reads.
    /// </summary>
    public static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Recurrent"] = [],
        ["Recurrent.Tensors"] = ["Recurrent"],
        ["Recurrent.Autograd"] = ["Recurrent", "Recurrent.Tensors"],
        ["Recurrent.Data"] = ["Recurrent", "Recurrent.Tensors"],
        ["Recurrent.Models"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data"],
        ["Recurrent.Training"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data", "Recurrent.Models"],
        ["Recurrent.Checkpoints"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data", "Recurrent.Models", "Recurrent.Training"],
        ["Recurrent.Interop"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data", "Recurrent.Models", "Recurrent.Training", "Recurrent.Checkpoints"],
        ["Recurrent.Serve"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data", "Recurrent.Models", "Recurrent.Training", "Recurrent.Checkpoints"],
        ["Recurrent.Cli"] = ["Recurrent", "Recurrent.Tensors", "Recurrent.Autograd", "Recurrent.Data", "Recurrent.Models", "Recurrent.Training", "Recurrent.Checkpoints", "Recurrent.Interop", "Recurrent.Serve"],
    };

    public static TheoryData<string> Layers => new(MayUse.Keys);

    private static IObjectProvider<IType> In(string ns) => Types().That().ResideInNamespace(ns).As(ns);

    [Theory]
    [MemberData(nameof(Layers))]
    public void ALayerUsesOnlyTheLayersBelowIt(string layer)
    {
        foreach (var other in MayUse.Keys.Where(other => other != layer && !MayUse[layer].Contains(other)))
            Types().That().ResideInNamespace(layer).Should().NotDependOnAny(In(other))
                .Because($"{layer} sits below {other}").Check(Code);
    }

    [Fact]
    public void EveryTypeLivesInALayer()
    {
        var strays = Code.Types.Where(t => t.Namespace is { } ns && !MayUse.ContainsKey(ns.FullName) && !IsCompilerMade(t))
            .Select(t => t.FullName).ToList();
        Assert.Empty(strays);
        // Each layer holds types, so none of the rules above is about an empty set.
        Assert.All(MayUse.Keys, ns => Assert.Contains(Code.Types, t => t.Namespace?.FullName == ns));
    }

    [Fact]
    public void TheRulesSeeReferences()
    {
        // A rule that the code breaks must fail: Autograd builds on Tensors.
        Assert.False(Types().That().ResideInNamespace("Recurrent.Autograd").Should().NotDependOnAny(In("Recurrent.Tensors")).HasNoViolations(Code));
    }

    // Types the compiler adds at the top level (<PrivateImplementationDetails>, attributes for nullable metadata).
    private static bool IsCompilerMade(IType type) => type.Namespace.FullName.Length == 0 || type.Name.StartsWith('<')
        || type.Namespace.FullName.StartsWith("System", StringComparison.Ordinal) || type.Namespace.FullName.StartsWith("Microsoft", StringComparison.Ordinal);
}
