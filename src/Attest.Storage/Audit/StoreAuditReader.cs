using System.Runtime.CompilerServices;
using Attest.Audit.Log;
using Attest.Core.Audit;

namespace Attest.Storage.Audit;

/// <summary><see cref="IAuditReader"/> over an audit store: the clear skeleton decoded from each canonical entry. Thread-safe.</summary>
public sealed class StoreAuditReader(IAuditStore store) : IAuditReader
{
    public async IAsyncEnumerable<AuditEventView> QueryAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in store.QueryAsync(query, cancellationToken))
            yield return AuditEntry.Decode(row.Canonical).ToView();
    }
}
