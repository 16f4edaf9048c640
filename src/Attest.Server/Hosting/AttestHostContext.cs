using Attest.Core.Config;
using Attest.Storage;

namespace Attest.Server.Hosting;

/// <summary>What modules know when they register services: the policy source, the database and the clock.</summary>
public sealed record AttestHostContext(IPolicySource Policy, AttestDatabase Database, TimeProvider Time, string DataDirectory);
