namespace Attest.Guards.Streaming;

/// <summary>
/// A streaming guard session that checks something only the whole answer can satisfy (an output schema). The
/// session still releases windows as they pass the other guards, but the schema is checked at
/// <see cref="Core.Guards.IStreamingGuardSession.Complete"/> over the complete text, so a caller must hold what the
/// session released until <c>Complete</c> returns without a block — nothing of an invalid answer may reach the client.
/// </summary>
public interface IWholeOutputSession
{
    /// <summary>True when an output schema applies to this session's answer; the caller then holds the stream until it ends.</summary>
    bool ValidatesWholeOutput { get; }
}
