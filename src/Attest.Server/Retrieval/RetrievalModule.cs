using Attest.Core.Audit;
using Attest.Core.Guards;
using Attest.Core.Retrieval;
using Attest.Retrieval;
using Attest.Server.Hosting;
using Attest.Storage.Retrieval;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Attest.Server.Retrieval;

/// <summary>
/// Permission-aware retrieval over HTTP: <c>POST /v1/documents</c>, <c>DELETE /v1/documents/{connector}/{id}</c>,
/// <c>PUT /v1/documents/{connector}/{id}/acl</c> and <c>POST /v1/retrieve</c>. The tenant always comes from the key.
/// </summary>
internal sealed partial class RetrievalModule : IAttestModule
{
    public int Order => 140;

    public void ConfigureServices(IServiceCollection services, AttestHostContext context)
    {
        services.TryAddSingleton<IRetrievalStore>(_ => new SqlRetrievalStore(context.Database));
        services.TryAddSingleton(_ => MasterKey.LoadOrCreate(Path.Combine(context.DataDirectory, MasterKey.FileName)));
        services.TryAddSingleton<IEmbeddingProvider>(_ => new HashedBagOfWordsEmbedder());
        services.TryAddSingleton(sp => new RetrievalService(
            sp.GetRequiredService<IRetrievalStore>(), context.Policy, sp.GetRequiredService<MasterKey>(), context.Time,
            sp.GetRequiredService<ILogger<RetrievalService>>(), sp.GetService<IAuditLog>(), sp.GetService<IGuardPipeline>(),
            sp.GetService<IEmbeddingProvider>()));
        services.TryAddSingleton<IContextRetriever>(sp => sp.GetRequiredService<RetrievalService>());
    }

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/v1/documents", (Delegate)IngestAsync);
        endpoints.MapDelete("/v1/documents/{connector}/{id}", DeleteAsync);
        endpoints.MapPut("/v1/documents/{connector}/{id}/acl", SetAclAsync);
        endpoints.MapPost("/v1/retrieve", (Delegate)RetrieveAsync);
    }

    private static async Task<IResult> IngestAsync(HttpContext http)
    {
        var (body, bad) = await RetrievalHttp.ReadAsync<IngestBody>(http.Request, http.RequestAborted);
        if (bad is not null) return bad;
        var docs = body!.Documents ?? [];
        var tenants = docs.Select(d => d.Tenant).Append(body.Tenant).Where(t => !string.IsNullOrEmpty(t)).Distinct(StringComparer.Ordinal).ToList();
        var (identity, denied) = await RetrievalHttp.AuthenticateAsync(http, "ingest", "ingest", null, tenants.Count > 1 ? "\u0000several" : tenants.FirstOrDefault());
        if (denied is not null) return denied;
        var inputs = new List<DocumentInput>(docs.Count);
        for (int i = 0; i < docs.Count; i++)
        {
            var d = docs[i];
            if (d.Id is null) return RetrievalHttp.Error(400, "invalid_document_id", "every document needs an id", $"documents[{i}].id");
            if (d.Acl is null) return RetrievalHttp.Error(400, "acl_required", "every document needs an acl ({\"allow\": [\"group:...\"]})", $"documents[{i}].acl");
            inputs.Add(new DocumentInput
            {
                Id = d.Id, Connector = d.Connector ?? "", Title = d.Title, Text = d.Text ?? "", SourceUrl = d.SourceUrl,
                Acl = DocumentAcl.Of(d.Acl.Allow, d.Acl.Deny),
            });
        }
        return await Run(http, async s =>
        {
            var outcomes = await s.IngestAsync(identity!, inputs, http.RequestAborted);
            return Results.Json(new
            {
                @object = "list",
                data = outcomes.Select(o => new { id = o.DocumentId, connector = o.Connector, status = RetrievalService.StatusName(o.Status), chunks = o.Chunks }),
            }, RetrievalHttp.Json);
        });
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string connector, string id)
    {
        var (identity, denied) = await RetrievalHttp.AuthenticateAsync(http, "ingest", "delete", null, http.Request.Query["tenant"].ToString());
        if (denied is not null) return denied;
        return await Run(http, async s =>
        {
            await s.DeleteAsync(identity!, connector, id, http.RequestAborted);
            return Results.Json(new { id, connector, deleted = true }, RetrievalHttp.Json);
        });
    }

    private static async Task<IResult> SetAclAsync(HttpContext http, string connector, string id)
    {
        var (body, bad) = await RetrievalHttp.ReadAsync<AclBody>(http.Request, http.RequestAborted);
        if (bad is not null) return bad;
        var (identity, denied) = await RetrievalHttp.AuthenticateAsync(http, "ingest", "acl", null, body!.Tenant);
        if (denied is not null) return denied;
        var acl = DocumentAcl.Of(body.Allow, body.Deny);
        return await Run(http, async s =>
        {
            await s.SetAclAsync(identity!, connector, id, acl, http.RequestAborted);
            return Results.Json(new { id, connector, acl = new { allow = acl.Allow, deny = acl.Deny } }, RetrievalHttp.Json);
        });
    }

    private static async Task<IResult> RetrieveAsync(HttpContext http)
    {
        var (body, bad) = await RetrievalHttp.ReadAsync<RetrieveBody>(http.Request, http.RequestAborted);
        if (bad is not null) return bad;
        var (identity, denied) = await RetrievalHttp.AuthenticateAsync(http, "retrieve", "retrieve", body!.User, body.Tenant);
        if (denied is not null) return denied;
        var request = new RetrievalRequest
        {
            Query = body.Query ?? "", TopK = body.TopK ?? 5, ConversationId = body.ConversationId,
            Connectors = body.Filters?.Connectors ?? [], Classifications = body.Filters?.Classifications ?? [],
        };
        return await Run(http, async s =>
        {
            var r = await s.QueryAsync(identity!, request, http.RequestAborted);
            return Results.Json(new
            {
                @object = "list",
                data = r.Chunks.Select(c => new
                {
                    document_id = c.DocumentId, chunk_id = c.ChunkId, connector = c.Connector, classification = c.Classification,
                    title = c.Title, source = c.Source, score = c.Score, text = c.Text,
                }),
                dropped = r.Dropped,
                audit_id = r.AuditId,
            }, RetrievalHttp.Json);
        });
    }

    /// <summary>Runs an operation; client mistakes become 4xx, any other fault (store, audit) fails closed as 503 without details.</summary>
    private static async Task<IResult> Run(HttpContext http, Func<RetrievalService, Task<IResult>> operation)
    {
        var service = http.RequestServices.GetRequiredService<RetrievalService>();
        try
        {
            return await operation(service);
        }
        catch (RetrievalException e)
        {
            return RetrievalHttp.From(e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Fail closed: nothing is returned when the store or the audit log cannot be written.
            LogFault(http.RequestServices.GetRequiredService<ILogger<RetrievalModule>>(), http.Request.Path, e.GetType().Name);
            return RetrievalHttp.Error(503, "retrieval_unavailable", "retrieval is unavailable (storage or audit); nothing was returned");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "retrieval request {Path} failed closed: {Fault}")]
    private static partial void LogFault(ILogger logger, string path, string fault);
}
