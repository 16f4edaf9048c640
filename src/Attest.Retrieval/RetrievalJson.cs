using System.Text.Json.Serialization;

namespace Attest.Retrieval;

/// <summary>Title and source URL of a document, stored encrypted as one JSON blob.</summary>
public sealed record DocumentMeta(string? Title, string? Source);

[JsonSerializable(typeof(DocumentMeta))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class RetrievalJson : JsonSerializerContext;
