using System.Data.Common;

namespace Attest.Storage.Keys;

/// <summary>
/// Maps a row of <see cref="KeyStore"/>'s SELECT (columns in its fixed order) to a <see cref="StoredKey"/>
/// without reflection; the same conversions as <see cref="KeyRow.ToKey"/>.
/// </summary>
internal static class KeyRowReader
{
    public static StoredKey Read(DbDataReader r) => new KeyRow
    {
        Id = r.GetString(0),
        KeyHash = r.GetString(1),
        DisplayPrefix = r.GetString(2),
        Tenant = r.GetString(3),
        Agent = String(r, 4),
        Principal = String(r, 5),
        Models = r.GetString(6),
        Scopes = r.GetString(7),
        Rpm = Int64(r, 8),
        Tpm = Int64(r, 9),
        CreatedAt = r.GetInt64(10),
        ExpiresAt = Int64(r, 11),
        RevokedAt = Int64(r, 12),
        LastUsedAt = Int64(r, 13),
        RotatedFrom = String(r, 14),
    }.ToKey();

    private static string? String(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
    private static long? Int64(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);
}
