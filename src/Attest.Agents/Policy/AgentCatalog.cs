using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Attest.Core.Config;
using NJsonSchema;

namespace Attest.Agents.Policy;

/// <summary>One tool as one agent may use it: the tool, the agent's entry, compiled schema and approval rule.</summary>
public sealed record AgentTool(
    ToolConfig Tool,
    AgentToolConfig Entry,
    JsonSchema? Schema,
    string? SchemaJson,
    ApprovalCondition? Condition,
    string? CompileError);

/// <summary>An agent as compiled from config.</summary>
public sealed record CompiledAgent(AgentConfig Config, string Tenant, FrozenDictionary<string, AgentTool> Tools, JsonSchema? MessageSchema, string? CompileError)
{
    public string Id => Config.Id;
}

/// <summary>
/// Agents and their tools compiled from one <see cref="PolicySnapshot"/> (schemas parsed, conditions compiled),
/// cached per snapshot. Deny by default: an agent or tool that is not declared does not exist here.
/// A tool whose schema or condition fails to compile keeps its error and every call to it is denied. Thread-safe.
/// </summary>
public sealed class AgentCatalog
{
    private static readonly ConditionalWeakTable<PolicySnapshot, AgentCatalog> Cache = new();

    private AgentCatalog(PolicySnapshot snapshot)
    {
        Snapshot = snapshot;
        var defaultTenant = DefaultTenant(snapshot);
        Agents = snapshot.Config.Agents.DistinctBy(a => a.Id)
            .ToFrozenDictionary(a => a.Id, a => Compile(a, snapshot, defaultTenant), StringComparer.Ordinal);
    }

    public PolicySnapshot Snapshot { get; }
    public FrozenDictionary<string, CompiledAgent> Agents { get; }

    public static AgentCatalog For(PolicySnapshot snapshot) => Cache.GetValue(snapshot, s => new AgentCatalog(s));

    public CompiledAgent? Agent(string? id) => id is not null && Agents.TryGetValue(id, out var a) ? a : null;

    private static CompiledAgent Compile(AgentConfig a, PolicySnapshot snapshot, string defaultTenant)
    {
        var tools = new Dictionary<string, AgentTool>(StringComparer.Ordinal);
        foreach (var entry in a.Tools)
        {
            if (!snapshot.Tools.TryGetValue(entry.Tool, out var tool)) continue; // undeclared tool: not usable (deny by default)
            tools[entry.Tool] = CompileTool(a, entry, tool);
        }
        JsonSchema? messageSchema = null;
        string? error = null;
        if (a.MessageSchema is not null)
        {
            try { messageSchema = JsonSchema.FromJsonAsync(YamlJson.ToJson(a.MessageSchema)!.ToJsonString()).GetAwaiter().GetResult(); }
            catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
            { error = $"agents[{a.Id}].messageSchema: {e.Message}"; }
        }
        return new CompiledAgent(a, a.Tenant ?? defaultTenant, tools.ToFrozenDictionary(StringComparer.Ordinal), messageSchema, error);
    }

    private static AgentTool CompileTool(AgentConfig a, AgentToolConfig entry, ToolConfig tool)
    {
        JsonSchema? schema = null;
        string? schemaJson = null;
        ApprovalCondition? condition = null;
        string? error = null;
        if (tool.ArgumentsSchema is not null)
        {
            try
            {
                schemaJson = YamlJson.ToJson(tool.ArgumentsSchema)!.ToJsonString();
                schema = JsonSchema.FromJsonAsync(schemaJson).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is Newtonsoft.Json.JsonException or InvalidOperationException or NotSupportedException)
            { error = $"tools[{tool.Id}].argumentsSchema: {e.Message}"; }
        }
        if (entry.Approval == "when")
        {
            if (string.IsNullOrWhiteSpace(entry.When)) error ??= $"agents[{a.Id}].tools[{entry.Tool}]: approval 'when' needs a 'when' condition";
            else
            {
                try { condition = ApprovalCondition.Parse(entry.When); }
                catch (FormatException e) { error ??= $"agents[{a.Id}].tools[{entry.Tool}].when: {e.Message}"; }
            }
        }
        else if (entry.Approval is not ("never" or "always" or "impact"))
        {
            error ??= $"agents[{a.Id}].tools[{entry.Tool}].approval: '{entry.Approval}' is not never, always, when or impact";
        }
        return new AgentTool(tool, entry, schema, schemaJson, condition, error);
    }

    /// <summary>Tenant of agents that name none: the first declared tenant, else <c>default</c>.</summary>
    public static string DefaultTenant(PolicySnapshot snapshot) => snapshot.Config.Tenants.Count > 0 ? snapshot.Config.Tenants[0].Id : "default";

    /// <summary>True for <c>high</c> and <c>critical</c>; unknown values count as high (fail closed).</summary>
    public static bool IsHighImpact(string? impact) => impact?.ToLowerInvariant() switch
    {
        null or "" or "low" or "medium" => false,
        _ => true,
    };
}
