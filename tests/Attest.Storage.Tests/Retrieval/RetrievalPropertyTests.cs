using Attest.Core.Identity;
using Attest.Retrieval;
using Xunit.Abstractions;

namespace Attest.Storage.Tests.Retrieval;

/// <summary>
/// Seeded random property run: random tenants, users, groups, documents, ACL changes, deletions and queries, over two
/// replicas sharing one store. Every query's answer must be exactly the documents of the caller's tenant that the
/// caller may see under the current ACL and that contain a query term — so a document of another tenant, a forbidden
/// document, or a revoked permission that still works (on either replica) is a violation, and so is a missing result.
/// </summary>
public class RetrievalPropertyTests(ITestOutputHelper output)
{
    private static readonly string[] Tenants = ["acme", "globex", "initech"];
    private static readonly string[] Users = ["u0", "u1", "u2", "u3", "u4", "u5"];
    private static readonly string[] Groups = ["g0", "g1", "g2", "g3"];
    private static readonly string[] Connectors = ["wiki", "hr"];
    private static readonly string[] Vocabulary = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima"];
    private const int Queries = 10_000;

    private sealed record ModelDoc(string Text, DocumentAcl Acl);

    [Theory]
    [MemberData(nameof(TestDatabases.Backends), MemberType = typeof(TestDatabases))]
    public async Task No_cross_tenant_no_forbidden_document_and_revocation_is_immediate(string backend)
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("ATTEST_PROPERTY_SEED"), out var s) ? s : 6_2026;
        var rng = new Random(seed);
        await using var db = await TestDatabases.CreateAsync(backend);
        var master = RetrievalFixtures.NewMaster();
        var options = new RetrievalOptions { MaxTopK = 200 };
        RetrievalService[] replicas = [RetrievalFixtures.Service(db, master, options: options), RetrievalFixtures.Service(db, master, options: options)];
        var model = new Dictionary<(string Tenant, string Connector, string Id), ModelDoc>();
        int queries = 0, mutations = 0, nonEmpty = 0, violations = 0;
        var firstViolation = "";

        while (queries < Queries)
        {
            // One mutation batch, then a burst of queries on random replicas.
            var tenant = Pick(rng, Tenants);
            var writer = Pick(rng, replicas);
            var identity = new RequestIdentity { Tenant = tenant, Principal = "ingest-bot" };
            switch (rng.Next(10))
            {
                case < 5:
                    var batch = new Dictionary<(string, string), DocumentInput>();
                    for (int n = rng.Next(1, 4); n > 0; n--)
                    {
                        var c = Pick(rng, Connectors);
                        var id = "d" + rng.Next(12);
                        var existing = model.GetValueOrDefault((tenant, c, id));
                        // Sometimes re-send the same content (idempotent) or the same content with a new ACL.
                        var text = existing is not null && rng.Next(3) == 0 ? existing.Text : RandomText(rng, tenant);
                        batch[(c, id)] = new DocumentInput { Id = id, Connector = c, Text = text, Acl = RandomAcl(rng) };
                    }
                    await writer.IngestAsync(identity, [.. batch.Values]);
                    foreach (var d in batch.Values) model[(tenant, d.Connector, d.Id)] = new ModelDoc(d.Text, d.Acl);
                    break;
                case < 8:
                    {
                        var (c, id) = (Pick(rng, Connectors), "d" + rng.Next(12));
                        var acl = RandomAcl(rng);
                        bool exists = model.TryGetValue((tenant, c, id), out var doc);
                        var e = await Record.ExceptionAsync(() => writer.SetAclAsync(identity, c, id, acl));
                        if (exists) { Assert.Null(e); model[(tenant, c, id)] = doc! with { Acl = acl }; }
                        else Assert.True(e is RetrievalException { NotFound: true }, "ACL change of an unknown document must be not-found");
                        break;
                    }
                default:
                    {
                        var (c, id) = (Pick(rng, Connectors), "d" + rng.Next(12));
                        bool exists = model.Remove((tenant, c, id));
                        var e = await Record.ExceptionAsync(() => writer.DeleteAsync(identity, c, id));
                        Assert.True(exists ? e is null : e is RetrievalException { NotFound: true });
                        break;
                    }
            }
            mutations++;

            for (int q = 0; q < 16 && queries < Queries; q++, queries++)
            {
                var qt = Pick(rng, Tenants);
                var user = Pick(rng, Users);
                var groups = Groups.Where(_ => rng.Next(3) == 0).ToList();
                var caller = rng.Next(5) == 0
                    ? new RequestIdentity { Tenant = qt, Principal = user, Groups = groups }
                    : new RequestIdentity { Tenant = qt, Principal = "svc", EndUser = user, Groups = groups };
                var terms = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => Pick(rng, Vocabulary)).ToList();
                var result = await Pick(rng, replicas).QueryAsync(caller, new RetrievalRequest { Query = string.Join(' ', terms), TopK = 200 });
                var subjects = RetrievalService.SubjectsOf(caller);
                var expected = model.Where(m => m.Key.Tenant == qt && m.Value.Acl.Permits(subjects)
                        && Tokenizer.Terms(m.Value.Text).Intersect(terms).Any())
                    .Select(m => $"{m.Key.Connector}/{m.Key.Id}").Order(StringComparer.Ordinal).ToList();
                var actual = result.Chunks.Select(r => $"{r.Connector}/{r.DocumentId}").Order(StringComparer.Ordinal).ToList();
                bool textsMatch = result.Chunks.All(r => model.TryGetValue((qt, r.Connector, r.DocumentId), out var md) && md.Text == r.Text);
                if (!expected.SequenceEqual(actual) || !textsMatch)
                {
                    violations++;
                    if (firstViolation.Length == 0)
                        firstViolation = $"query #{queries} tenant={qt} subjects=[{string.Join(',', subjects)}] terms=[{string.Join(',', terms)}] expected=[{string.Join(',', expected)}] actual=[{string.Join(',', actual)}] texts={textsMatch}";
                }
                if (actual.Count > 0) nonEmpty++;
            }
        }
        output.WriteLine($"{backend}: seed {seed}, {queries} queries, {mutations} mutation batches, {nonEmpty} non-empty answers, {violations} violations");
        Assert.True(violations == 0, $"{violations} violations (seed {seed}); first: {firstViolation}");
        Assert.True(nonEmpty > Queries / 4, $"only {nonEmpty} queries had results: the run is too weak to mean anything");
    }

    private static T Pick<T>(Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    private static string RandomText(Random rng, string tenant) =>
        $"{tenant} " + string.Join(' ', Enumerable.Range(0, rng.Next(2, 7)).Select(_ => Pick(rng, Vocabulary))) + $" n{rng.Next(1_000_000)}";

    private static DocumentAcl RandomAcl(Random rng)
    {
        var allow = Enumerable.Range(0, rng.Next(1, 4)).Select(_ => rng.Next(2) == 0 ? "user:" + Pick(rng, Users) : "group:" + Pick(rng, Groups));
        var deny = rng.Next(4) == 0 ? new[] { rng.Next(2) == 0 ? "user:" + Pick(rng, Users) : "group:" + Pick(rng, Groups) } : [];
        return DocumentAcl.Of(allow, deny);
    }
}
