namespace Attest.Server.Retrieval;

// Wire shapes of the retrieval endpoints (snake_case JSON).
internal sealed record AclBody(List<string>? Allow, List<string>? Deny, string? Tenant = null);

internal sealed record DocumentBody(string? Id, string? Connector, string? Tenant, string? Title, string? Text, string? SourceUrl, AclBody? Acl);

internal sealed record IngestBody(string? Tenant, List<DocumentBody>? Documents);

internal sealed record RetrieveFilters(List<string>? Connectors, List<string>? Classifications);

internal sealed record RetrieveBody(string? Query, int? TopK, string? Tenant, string? User, RetrieveFilters? Filters, string? ConversationId);
