namespace Attest.Core.Config;

/// <summary>
/// The whole of <c>attest.yaml</c>: Attest's policy as code. Instances are immutable user input;
/// the loader keeps the line and column of every node so validators can name them, and
/// <see cref="PolicySnapshot"/> is the compiled, indexed form that requests read.
/// </summary>
public sealed record AttestConfig
{
    /// <summary>Schema version of the file. Only <c>1</c> is defined.</summary>
    public int Version { get; init; } = 1;
    /// <summary>Name of the environment this file configures (must be one of <see cref="Environments"/> when any are declared).</summary>
    public string? Environment { get; init; }
    public ServerConfig Server { get; init; } = new();
    public IReadOnlyList<EnvironmentConfig> Environments { get; init; } = [];
    public IReadOnlyList<TenantConfig> Tenants { get; init; } = [];
    public IReadOnlyList<PrincipalConfig> Principals { get; init; } = [];
    public IReadOnlyList<GroupConfig> Groups { get; init; } = [];
    public IdentityConfig Identity { get; init; } = new();
    public IReadOnlyList<ProviderConfig> Providers { get; init; } = [];
    public IReadOnlyList<ModelConfig> Models { get; init; } = [];
    public IReadOnlyList<KeyConfig> Keys { get; init; } = [];
    public LimitsConfig Limits { get; init; } = new();
    public IReadOnlyList<AgentConfig> Agents { get; init; } = [];
    public IReadOnlyList<ToolConfig> Tools { get; init; } = [];
    public IReadOnlyList<ConnectorConfig> Connectors { get; init; } = [];
    public IReadOnlyList<GuardPolicyConfig> Guards { get; init; } = [];
    public IReadOnlyList<RetentionConfig> Retention { get; init; } = [];
    public ApprovalsConfig Approvals { get; init; } = new();
    public BreakGlassConfig BreakGlass { get; init; } = new();
    public AuditConfig Audit { get; init; } = new();
}

/// <summary>A reference to a secret. Exactly one of <see cref="Env"/> or <see cref="File"/> is set; literal secrets are refused.</summary>
public sealed record SecretRef
{
    /// <summary>Name of an environment variable that holds the secret.</summary>
    public string? Env { get; init; }
    /// <summary>Path of a file whose (trimmed) content is the secret; relative paths resolve from the config file's folder.</summary>
    public string? File { get; init; }
}

public sealed record ServerConfig
{
    /// <summary>Listen URL. Default <c>http://127.0.0.1:8080</c>.</summary>
    public string Listen { get; init; } = "http://127.0.0.1:8080";
    /// <summary>Largest accepted request body in bytes. Default 4 MiB; range 1 KiB–256 MiB.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;
    public StorageConfig Storage { get; init; } = new();
    /// <summary>Redis for shared counters across replicas (<c>host:port</c>). Absent: counters are in-process.</summary>
    public string? Redis { get; init; }
    /// <summary>Folder for local state (SQLite database, keys). Default <c>./.attest</c> beside the config file.</summary>
    public string DataDir { get; init; } = ".attest";
    /// <summary>Seconds given to in-flight requests on shutdown. Default 10.</summary>
    public int ShutdownDrainSeconds { get; init; } = 10;
}

public sealed record StorageConfig
{
    /// <summary><c>sqlite</c> (default, embedded) or <c>postgres</c>.</summary>
    public string Kind { get; init; } = "sqlite";
    /// <summary>SQLite file; default <c>attest.db</c> under the data folder.</summary>
    public string? Path { get; init; }
    /// <summary>PostgreSQL connection string, by reference (it holds a password).</summary>
    public SecretRef? ConnectionString { get; init; }
}

public sealed record EnvironmentConfig
{
    public string Id { get; init; } = "";
    /// <summary>Number of distinct approvers a config change needs before it applies here (2 for production).</summary>
    public int RequiredApprovals { get; init; }
    public bool Production { get; init; }
}

public sealed record TenantConfig
{
    public string Id { get; init; } = "";
    public string? Name { get; init; }
    /// <summary>Canary tokens placed in this tenant's system prompts; seeing one in output means leakage.</summary>
    public IReadOnlyList<string> Canaries { get; init; } = [];
    public LimitSet? Limits { get; init; }
}

public sealed record PrincipalConfig
{
    public string Id { get; init; } = "";
    /// <summary><c>user</c>, <c>service</c> or <c>admin</c>.</summary>
    public string Kind { get; init; } = "user";
    public string? Tenant { get; init; }
    public IReadOnlyList<string> Groups { get; init; } = [];
    /// <summary>Roles such as <c>approver</c> or <c>admin</c>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];
}

public sealed record GroupConfig
{
    public string Id { get; init; } = "";
    public string? Tenant { get; init; }
    public IReadOnlyList<string> Members { get; init; } = [];
}

public sealed record IdentityConfig
{
    /// <summary>Signed on-behalf-of tokens (HS256 JWT in <c>x-attest-obo</c>) naming the end user and groups.</summary>
    public OnBehalfOfConfig? OnBehalfOf { get; init; }
    /// <summary>When true, the end user named in <c>user</c> / <c>x-attest-user</c> is trusted and mapped to principals' groups.</summary>
    public bool TrustUserHeader { get; init; } = true;
}

public sealed record OnBehalfOfConfig
{
    public string Issuer { get; init; } = "";
    public string Audience { get; init; } = "attest";
    public SecretRef? SigningKey { get; init; }
}

public sealed record ProviderConfig
{
    public string Id { get; init; } = "";
    /// <summary><c>openai</c> (any OpenAI-compatible URL), <c>anthropic</c>, or <c>offline</c> (built in, deterministic).</summary>
    public string Type { get; init; } = "openai";
    public string? BaseUrl { get; init; }
    public SecretRef? ApiKey { get; init; }
    /// <summary>Azure OpenAI <c>api-version</c> query value, when the base URL is Azure.</summary>
    public string? ApiVersion { get; init; }
    /// <summary>Per-attempt timeout in seconds. Default 60.</summary>
    public int TimeoutSeconds { get; init; } = 60;
    /// <summary>Legal entity and data location, for the subprocessors register.</summary>
    public string? Subprocessor { get; init; }
    public string? DataLocation { get; init; }
    /// <summary>Highest data classification this provider may receive. Default <c>internal</c>.</summary>
    public string MaxClassification { get; init; } = "internal";
}

public sealed record ModelConfig
{
    public string Alias { get; init; } = "";
    /// <summary><c>chat</c> or <c>embedding</c>.</summary>
    public string Kind { get; init; } = "chat";
    /// <summary>Ordered fallback targets; the first healthy one answers.</summary>
    public IReadOnlyList<ModelTargetConfig> Targets { get; init; } = [];
    /// <summary>Prices per 1,000 tokens in USD, for cost budgets.</summary>
    public decimal InputPricePer1K { get; init; }
    public decimal OutputPricePer1K { get; init; }
    public bool Production { get; init; }
}

public sealed record ModelTargetConfig
{
    public string Provider { get; init; } = "";
    /// <summary>Exact, pinned model version (e.g. <c>gpt-4o-2024-08-06</c>).</summary>
    public string Model { get; init; } = "";
}

public sealed record KeyConfig
{
    public string Id { get; init; } = "";
    public string Tenant { get; init; } = "";
    public string? Agent { get; init; }
    public string? Principal { get; init; }
    /// <summary>The key itself, by reference.</summary>
    public SecretRef? Secret { get; init; }
    public IReadOnlyList<string> Models { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
    public LimitSet? Limits { get; init; }
    /// <summary>Expiry as an ISO-8601 date-time.</summary>
    public DateTimeOffset? Expires { get; init; }
}

public sealed record LimitsConfig
{
    /// <summary>Defaults applied to every key that sets none.</summary>
    public LimitSet? KeyDefaults { get; init; }
    /// <summary>Reject models whose target version is not pinned (no "latest" or bare family names).</summary>
    public bool RequirePinnedModels { get; init; } = true;
}

/// <summary>Rates and budgets. Zero or absent means unlimited.</summary>
public sealed record LimitSet
{
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public long? TokensPerDay { get; init; }
    public long? TokensPerMonth { get; init; }
    public decimal? CostPerDay { get; init; }
    public decimal? CostPerMonth { get; init; }
}

public sealed record AgentConfig
{
    public string Id { get; init; } = "";
    public string? Tenant { get; init; }
    public string? Owner { get; init; }
    public string? Purpose { get; init; }
    public string? Domain { get; init; }
    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public string? Impact { get; init; }
    public string? Model { get; init; }
    public IReadOnlyList<string> DataClasses { get; init; } = [];
    public LimitSet? Budget { get; init; }
    public IReadOnlyList<AgentToolConfig> Tools { get; init; } = [];
    /// <summary>Agents this one may message.</summary>
    public IReadOnlyList<string> CanMessage { get; init; } = [];
    /// <summary>JSON Schema (as YAML) that messages to this agent must satisfy.</summary>
    public IReadOnlyDictionary<string, object?>? MessageSchema { get; init; }
    /// <summary>Kubernetes permissions the agent's domain needs, for the posture scan (e.g. <c>get pods</c>, <c>list configmaps in ns</c>).</summary>
    public IReadOnlyList<string> KubernetesPermissions { get; init; } = [];
    /// <summary>Service accounts (<c>namespace/name</c>) that run this agent.</summary>
    public IReadOnlyList<string> ServiceAccounts { get; init; } = [];
    /// <summary>What to do with a model-proposed tool call outside the allow-list: <c>remove</c> or <c>block</c>.</summary>
    public string ProposedToolPolicy { get; init; } = "remove";
}

public sealed record AgentToolConfig
{
    public string Tool { get; init; } = "";
    /// <summary><c>never</c>, <c>always</c>, <c>when</c> (with <see cref="When"/>) or <c>impact</c> (high and critical need approval).</summary>
    public string Approval { get; init; } = "impact";
    /// <summary>Condition on the arguments, e.g. <c>amount &gt; 100</c> or <c>path startsWith /data/out</c>.</summary>
    public string? When { get; init; }
    public ToolConstraintsConfig? Constraints { get; init; }
}

public sealed record ToolConfig
{
    public string Id { get; init; } = "";
    /// <summary><c>http</c> or <c>mcp</c>.</summary>
    public string Kind { get; init; } = "http";
    public string? Description { get; init; }
    public string? Url { get; init; }
    public string Method { get; init; } = "POST";
    public SecretRef? Credentials { get; init; }
    /// <summary>For MCP tools: the upstream server and the tool's name there.</summary>
    public McpServerConfig? Mcp { get; init; }
    public IReadOnlyDictionary<string, object?>? ArgumentsSchema { get; init; }
    public ToolConstraintsConfig? Constraints { get; init; }
    /// <summary>Impact of one call: <c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public string Impact { get; init; } = "low";
}

public sealed record McpServerConfig
{
    /// <summary>Command for a stdio server (e.g. <c>npx</c>).</summary>
    public string? Command { get; init; }
    public IReadOnlyList<string> Args { get; init; } = [];
    /// <summary>URL for a streamable HTTP server.</summary>
    public string? Url { get; init; }
    /// <summary>The tool's name on the upstream server.</summary>
    public string? Tool { get; init; }
}

public sealed record ToolConstraintsConfig
{
    /// <summary>Arguments named here must be paths under one of <see cref="PathPrefixes"/>.</summary>
    public IReadOnlyList<string> PathArguments { get; init; } = [];
    public IReadOnlyList<string> PathPrefixes { get; init; } = [];
    /// <summary>Upper bounds on numeric arguments, by argument name.</summary>
    public IReadOnlyDictionary<string, decimal> MaxValues { get; init; } = new Dictionary<string, decimal>();
    /// <summary>Arguments named here must be URLs whose host is in <see cref="AllowedHosts"/>.</summary>
    public IReadOnlyList<string> UrlArguments { get; init; } = [];
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];
}

public sealed record ConnectorConfig
{
    public string Id { get; init; } = "";
    public string? Owner { get; init; }
    /// <summary><c>public</c>, <c>internal</c>, <c>confidential</c> or <c>restricted</c>.</summary>
    public string? Classification { get; init; }
    /// <summary>Retention as a duration (<c>30d</c>, <c>12m</c>, <c>7y</c>).</summary>
    public string? Retention { get; init; }
    public IReadOnlyList<EvalCaseConfig> EvalCases { get; init; } = [];
    /// <summary>Tenants allowed to ingest through this connector; empty means all.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];
    /// <summary>Where training or indexed data comes from, for the provenance register.</summary>
    public string? Source { get; init; }
}

public sealed record EvalCaseConfig
{
    public string Query { get; init; } = "";
    /// <summary>Document id expected in the top results.</summary>
    public string? Expect { get; init; }
    /// <summary>User the query runs as.</summary>
    public string? User { get; init; }
}

public sealed record GuardPolicyConfig
{
    public string Id { get; init; } = "";
    /// <summary>Tenants and agents this policy applies to; empty means all.</summary>
    public IReadOnlyList<string> Tenants { get; init; } = [];
    public IReadOnlyList<string> Agents { get; init; } = [];
    /// <summary>Routes (model aliases) this policy applies to; empty means all. Selects e.g. an output schema per route.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];
    /// <summary>Actions per direction: keys <c>input</c>, <c>retrieved</c>, <c>tool</c>, <c>output</c>; values map a finding type (<c>pii</c>, <c>pii.email</c>, <c>secret</c>, <c>injection</c>, <c>canary</c>, <c>schema</c>, <c>content</c>) to <c>allow|flag|redact|block</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Actions { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
    /// <summary><c>placeholder</c> (default), <c>hash</c> or <c>pseudonymize</c> (reversible, restored for the caller).</summary>
    public string RedactionMode { get; init; } = "placeholder";
    public IReadOnlyList<string> DenyKeywords { get; init; } = [];
    public IReadOnlyList<string> DenyPatterns { get; init; } = [];
    public IReadOnlyList<string> AllowPatterns { get; init; } = [];
    /// <summary>Injection score (0–1) at or above which a finding is raised. Default 0.5.</summary>
    public double InjectionThreshold { get; init; } = 0.5;
    /// <summary>JSON Schema that structured output must satisfy.</summary>
    public IReadOnlyDictionary<string, object?>? OutputSchema { get; init; }
    /// <summary>On schema failure: <c>block</c> or <c>retry</c> (once).</summary>
    public string OnSchemaFailure { get; init; } = "block";
}

public sealed record RetentionConfig
{
    /// <summary>Data class: <c>prompts</c>, <c>responses</c>, <c>tool-calls</c>, <c>approvals</c>, or a classification.</summary>
    public string DataClass { get; init; } = "";
    /// <summary>Duration such as <c>30d</c> or <c>7y</c>.</summary>
    public string Keep { get; init; } = "";
}

public sealed record ApprovalsConfig
{
    /// <summary>Role whose principals may approve. Default <c>approver</c>.</summary>
    public string ApproverRole { get; init; } = "approver";
    /// <summary>How long a pending approval lives. Default <c>1h</c>.</summary>
    public string Expiry { get; init; } = "1h";
    /// <summary>How long a caller may wait synchronously. Default <c>0s</c> (answer 202 at once).</summary>
    public string WaitTimeout { get; init; } = "0s";
}

public sealed record BreakGlassConfig
{
    public string AdminRole { get; init; } = "admin";
    public string MaxDuration { get; init; } = "4h";
    /// <summary>Webhook that receives start and end alerts.</summary>
    public string? Webhook { get; init; }
}

public sealed record AuditConfig
{
    /// <summary>Sign a checkpoint every N entries. Default 1000.</summary>
    public int CheckpointEvery { get; init; } = 1000;
    /// <summary>…or every T seconds when entries are pending. Default 10.</summary>
    public int CheckpointSeconds { get; init; } = 10;
    /// <summary>ECDSA P-256 private key (PEM) for checkpoints. Default <c>audit-signing.pem</c> in the data folder, created on first start.</summary>
    public SecretRef? SigningKey { get; init; }
    /// <summary>Master key (32 bytes, base64) that wraps per-subject keys. Default <c>master.key</c> in the data folder.</summary>
    public SecretRef? MasterKey { get; init; }
    /// <summary>Name in checkpoints (the signed-note origin). Default <c>attest</c>.</summary>
    public string Origin { get; init; } = "attest";
    /// <summary>
    /// Non-streaming chat: milliseconds the gateway waits for the provider's answer before it commits
    /// <c>chat.request</c> on its own. An answer within this window is committed together with its
    /// <c>chat.request</c> in one durable commit (one fsync instead of two). 0 commits <c>chat.request</c>
    /// at dispatch. Default 1; 0–1000.
    /// </summary>
    public int CoalesceMs { get; init; } = 1;
}
