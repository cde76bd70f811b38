using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using NetArchTest.Rules;

namespace Cruddur.Messaging.Tests.Architecture;

/// <summary>
/// The layering the style guide asks for: hosts depend on the core, never the other way; the Lambda carries no local
/// tooling; the web app and the CLI know nothing of each other; the core's folders (namespaces) depend one way.
/// </summary>
public sealed class LayeringTests
{
    private const string Core = "Cruddur.Messaging";
    private const string Local = "Cruddur.Local";
    private const string Web = "Cruddur.Web";
    private const string Cli = "cruddur";
    private const string StreamFunction = "Cruddur.StreamFunction";

    private static readonly Assembly CoreAssembly = typeof(DirectMessages).Assembly;

    [Fact]
    public void The_core_references_no_host_and_no_local_tooling()
    {
        var references = CoreAssembly.GetReferencedAssemblies().Select(name => name.Name).ToArray();
        references.ShouldNotContain(Local);
        references.ShouldNotContain(Web);
        references.ShouldNotContain(Cli);
        references.ShouldNotContain(StreamFunction);

        var result = Types.InAssembly(CoreAssembly)
            .ShouldNot().HaveDependencyOnAny("Cruddur.Local", "Cruddur.Web", "Cruddur.Cli", "Cruddur.StreamFunction")
            .GetResult();
        result.IsSuccessful.ShouldBeTrue($"core types that depend on a host or the local tooling: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void The_stream_function_references_no_local_tooling() =>
        ReferencesOf("Cruddur.StreamFunction", StreamFunction).ShouldNotContain(Local, "the Lambda's zip would carry the launcher");

    [Fact]
    public void The_web_app_and_the_cli_do_not_reference_each_other()
    {
        ReferencesOf("Cruddur.Web", Web).ShouldNotContain(Cli);
        ReferencesOf("Cruddur.Cli", Cli).ShouldNotContain(Web);
    }

    [Fact]
    public void The_reference_rules_see_references_that_exist()
    {
        // The rules above pass vacuously if the reader sees nothing: the hosts do reference the core.
        ReferencesOf("Cruddur.StreamFunction", StreamFunction).ShouldContain(Core);
        ReferencesOf("Cruddur.Web", Web).ShouldContain(Local);
        ReferencesOf("Cruddur.Cli", Cli).ShouldContain(Local);
    }

    [Fact]
    public void The_core_folders_depend_one_way()
    {
        var graph = NamespaceGraph(CoreAssembly, Core);
        graph.Keys.ShouldContain("Cruddur.Messaging.Table", "the graph sees the core's folders");
        graph["Cruddur.Messaging.Stream"].ShouldContain("Cruddur.Messaging.Table", "the graph sees dependencies that exist");

        var cycle = FindCycle(graph);
        cycle.ShouldBeNull($"the core's folders depend in a cycle: {string.Join(" → ", cycle ?? [])}");
    }

    [Fact]
    public void The_cycle_check_names_a_cycle()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };

        FindCycle(graph).ShouldBe(["A", "B", "C", "A"]);
        FindCycle(new Dictionary<string, HashSet<string>>(StringComparer.Ordinal) { ["A"] = ["B"], ["B"] = [] }).ShouldBeNull();
    }

    /// <summary>Namespace → the other namespaces of the assembly its types use (signatures and method bodies, through NetArchTest).</summary>
    private static Dictionary<string, HashSet<string>> NamespaceGraph(Assembly assembly, string rootNamespace)
    {
        var typesByNamespace = assembly.GetTypes()
            .Where(type => !type.IsNested && type.Namespace is { } ns && (ns == rootNamespace || ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal)))
            .Where(type => !type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false))
            .GroupBy(type => type.Namespace!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Select(type => type.FullName!).ToArray(), StringComparer.Ordinal);

        var graph = typesByNamespace.Keys.ToDictionary(ns => ns, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var from in typesByNamespace.Keys)
        {
            foreach (var (to, types) in typesByNamespace)
            {
                if (to != from && Types.InAssembly(assembly)
                        .That().ResideInNamespaceMatching("^" + Regex.Escape(from) + "$")
                        .And().HaveDependencyOnAny(types)
                        .GetTypes().Any())
                {
                    graph[from].Add(to);
                }
            }
        }

        return graph;
    }

    /// <summary>A cycle of the graph as its nodes, first node repeated at the end; null when there is none.</summary>
    private static string[]? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var start in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }

        return null;

        string[]? Visit(string node)
        {
            var onPath = path.IndexOf(node);
            if (onPath >= 0)
            {
                return [.. path.Skip(onPath), node];
            }

            if (!done.Add(node))
            {
                return null;
            }

            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order(StringComparer.Ordinal))
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }
    }

    /// <summary>The names of the assemblies a host's built output references, read from its metadata (never loaded).</summary>
    private static string[] ReferencesOf(string project, string assemblyName)
    {
        var pattern = typeof(LayeringTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(attribute => attribute.Key == "HostOutputPattern").Value!;
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pattern, project, assemblyName);
        File.Exists(path).ShouldBeTrue($"{path} is missing: build the solution (the test project builds the hosts it reads).");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return [.. metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name))];
    }
}
