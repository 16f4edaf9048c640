using System.Globalization;

namespace Attest.Core.Config;

/// <summary>Numbers stay in their documented ranges (schema version, body size, timeouts, thresholds, limits, approvals).</summary>
public sealed class RangesRule : IConfigValidator
{
    public void Validate(ConfigValidationContext context)
    {
        var c = context.Config;
        if (c.Version != 1) context.Error(c, "version", $"'version' is {c.Version}; only version 1 is defined");
        var s = c.Server;
        if (s.MaxRequestBodyBytes is < 1024 or > 256L * 1024 * 1024)
            context.Error(s, "maxRequestBodyBytes", "'server.maxRequestBodyBytes' must be between 1024 (1 KiB) and 268435456 (256 MiB)");
        if (s.ShutdownDrainSeconds is < 0 or > 3600)
            context.Error(s, "shutdownDrainSeconds", "'server.shutdownDrainSeconds' must be between 0 and 3600");
        foreach (var p in c.Providers)
        {
            if (p.TimeoutSeconds is < 1 or > 3600) context.Error(p, "timeoutSeconds", $"provider '{p.Id}': 'timeoutSeconds' must be between 1 and 3600");
        }
        foreach (var e in c.Environments)
        {
            if (e.RequiredApprovals is < 0 or > 10) context.Error(e, "requiredApprovals", $"environment '{e.Id}': 'requiredApprovals' must be between 0 and 10");
        }
        foreach (var g in c.Guards)
        {
            if (g.InjectionThreshold is < 0 or > 1) context.Error(g, "injectionThreshold", $"guard policy '{g.Id}': 'injectionThreshold' must be between 0 and 1");
        }
        foreach (var m in c.Models)
        {
            if (m.InputPricePer1K < 0 || m.OutputPricePer1K < 0) context.Error(m, null, $"model '{m.Alias}': prices cannot be negative");
        }
        if (c.Audit.CheckpointEvery < 1) context.Error(c.Audit, "checkpointEvery", "'audit.checkpointEvery' must be at least 1");
        if (c.Audit.CheckpointSeconds < 1) context.Error(c.Audit, "checkpointSeconds", "'audit.checkpointSeconds' must be at least 1");
        if (c.Audit.CoalesceMs is < 0 or > 1000) context.Error(c.Audit, "coalesceMs", "'audit.coalesceMs' must be between 0 and 1000");
        foreach (var m in ConfigWalker.Members(c))
        {
            if (m.Value is not LimitSet limits) continue;
            foreach (var (name, value) in Values(limits))
            {
                if (value < 0) context.Error(limits, name, $"'{m.Path}.{name}' cannot be negative ({value.ToString(CultureInfo.InvariantCulture)})");
            }
        }
    }

    private static IEnumerable<(string, decimal)> Values(LimitSet l)
    {
        if (l.RequestsPerMinute is { } a) yield return ("requestsPerMinute", a);
        if (l.TokensPerMinute is { } b) yield return ("tokensPerMinute", b);
        if (l.TokensPerDay is { } d) yield return ("tokensPerDay", d);
        if (l.TokensPerMonth is { } e) yield return ("tokensPerMonth", e);
        if (l.CostPerDay is { } f) yield return ("costPerDay", f);
        if (l.CostPerMonth is { } g) yield return ("costPerMonth", g);
    }
}
