using Attest.Core.Config;
using Dapper;

namespace Attest.Storage.Config;

/// <summary>One applied config version: the text, its SHA-256, when and from where it was applied, and why.</summary>
public sealed record ConfigVersion(long Sequence, string Hash, DateTimeOffset AppliedAt, string Source, string Note, string Content)
{
    /// <summary>The first 12 hex digits, as shown by <c>attest config history</c>.</summary>
    public string ShortHash => Hash[..Math.Min(12, Hash.Length)];
}

/// <summary>Result of looking a version up by hash prefix.</summary>
public sealed record ConfigVersionLookup(ConfigVersion? Version, IReadOnlyList<string> Candidates)
{
    public bool IsAmbiguous => Version is null && Candidates.Count > 1;
}

/// <summary>
/// The history of applied config versions on SQLite or PostgreSQL. A version is recorded when it
/// differs from the latest one (so restarts on the same file add nothing, while a rollback to an
/// earlier text is a new entry). SQLite writes take the write lock at BEGIN (IMMEDIATE);
/// PostgreSQL writers serialise on an advisory lock. Thread-safe.
/// </summary>
public sealed class ConfigVersionStore(AttestDatabase db, TimeProvider time)
{
    /// <summary>Records <paramref name="text"/> unless it is already the latest version. Returns the new entry, or null when unchanged.</summary>
    public async Task<ConfigVersion?> RecordAsync(string text, string source, string note, CancellationToken cancellationToken = default)
    {
        var hash = ConfigLoader.Hash(text);
        var now = time.GetUtcNow();
        await using var c = await db.OpenAsync(cancellationToken);
        await using var tx = await c.BeginTransactionAsync(cancellationToken);
        if (db.Kind == DatabaseKind.Postgres)
        {
            // Replicas sharing the database record one entry per change, not one each.
            await c.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(7428190002)", transaction: tx, cancellationToken: cancellationToken));
        }
        var latest = await c.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT hash FROM config_versions ORDER BY seq DESC LIMIT 1", transaction: tx, cancellationToken: cancellationToken));
        if (latest == hash)
        {
            await tx.CommitAsync(cancellationToken);
            return null;
        }
        var seq = await c.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO config_versions (hash, applied_at_ms, source, note, content) VALUES (@hash, @at, @source, @note, @content) RETURNING seq",
            new { hash, at = now.ToUnixTimeMilliseconds(), source, note, content = text }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return new ConfigVersion(seq, hash, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()), source, note, text);
    }

    /// <summary>Applied versions, newest first.</summary>
    public async Task<IReadOnlyList<ConfigVersion>> ListAsync(int limit = 100, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        var rows = await c.QueryAsync<Row>(new CommandDefinition(
            "SELECT seq, hash, applied_at_ms, source, note, content FROM config_versions ORDER BY seq DESC LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToVersion())];
    }

    /// <summary>The latest applied version, or null when none was recorded.</summary>
    public async Task<ConfigVersion?> LatestAsync(CancellationToken cancellationToken = default) =>
        await ListAsync(1, cancellationToken) is [var latest, ..] ? latest : null;

    /// <summary>
    /// Finds a version by hash prefix (at least 4 hex digits), or by <c>#SEQ</c>. The newest entry with
    /// that hash is returned; a prefix matching several different hashes is ambiguous.
    /// </summary>
    public async Task<ConfigVersionLookup> FindAsync(string reference, CancellationToken cancellationToken = default)
    {
        await using var c = await db.OpenAsync(cancellationToken);
        if (reference.StartsWith('#') && long.TryParse(reference.AsSpan(1), out var seq))
        {
            var bySeq = await c.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
                "SELECT seq, hash, applied_at_ms, source, note, content FROM config_versions WHERE seq = @seq", new { seq }, cancellationToken: cancellationToken));
            return new ConfigVersionLookup(bySeq?.ToVersion(), []);
        }
        var prefix = reference.Trim().ToLowerInvariant();
        if (prefix.Length < 4 || !prefix.All(char.IsAsciiHexDigitLower)) return new ConfigVersionLookup(null, []);
        var rows = (await c.QueryAsync<Row>(new CommandDefinition(
            "SELECT seq, hash, applied_at_ms, source, note, content FROM config_versions WHERE hash LIKE @p ORDER BY seq DESC",
            new { p = prefix + "%" }, cancellationToken: cancellationToken))).ToList();
        var hashes = rows.Select(r => r.hash).Distinct(StringComparer.Ordinal).ToList();
        return hashes.Count == 1 ? new ConfigVersionLookup(rows[0].ToVersion(), hashes) : new ConfigVersionLookup(null, hashes);
    }

    private sealed record Row(long seq, string hash, long applied_at_ms, string source, string note, string content)
    {
        public ConfigVersion ToVersion() => new(seq, hash, DateTimeOffset.FromUnixTimeMilliseconds(applied_at_ms), source, note, content);
    }
}
