using System.Buffers;
using System.Text.RegularExpressions;

namespace Attest.Guards.Injection;

/// <summary>
/// Heuristic signatures over normalised text (lower case, leetspeak folded). Each names a category
/// (instruction override, role impersonation, delimiter attack, exfiltration, tool coercion, jailbreak
/// persona, indirect address to the model) and a score.
/// </summary>
public static partial class InjectionSignatures
{
    /// <summary>A signature; <paramref name="Triggers"/> are words one of which must occur before the regex runs (a vectorised prefilter).</summary>
    public sealed record Signature(string Id, Regex Regex, double Score, SearchValues<string> Triggers, string[] TriggerWords);

    private static Signature S(string id, string pattern, double score, params string[] triggers) =>
        new(id, new Regex(pattern, Opts, TimeSpan.FromSeconds(1)), score, SearchValues.Create(triggers, StringComparison.Ordinal), triggers);

    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    public static IReadOnlyList<Signature> All { get; } =
    [
        S("injection.override", @"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\b[^.\n]{0,40}\b(previous|prior|above|earlier|preceding|all|any|your|the|these|those|system|original|initial)\b[^.\n]{0,30}\b(instructions?|prompts?|rules|directions|guidelines|directives|context|messages?|commands|constraints|guardrails|polic(y|ies)|programming)\b", 0.95, "ignore", "disregard", "forget", "override", "bypass", "skip", "drop", "abandon", "discard"),
        S("injection.override_new", @"\b(new|updated|real|actual|true|revised)\s+(instructions|rules|system prompt|directives|task)\s*(:|are|is|follow)", 0.85, "instructions", "rules", "system prompt", "directives", "task"),
        S("injection.override_stop", @"\b(stop|cease) (being|acting as|following) (an? )?(assistant|helpful|your (rules|instructions|guidelines))", 0.9, "stop", "cease"),
        S("injection.role_marker", @"(^|\n|\s)(system|assistant|developer|admin|root)\s*(:|>|\]|\|>)\s*(you|ignore|from now|new|override|the user|do not|reveal|disregard)", 0.9, "system", "assistant", "developer", "admin", "root"),
        S("injection.chat_template", @"<\|?(im_start|im_end|system|endoftext|start_header_id|eot_id)\|?>|\[/?inst\]|<<sys>>|\[system\]|###\s*(system|instruction)|</?(system|instructions?)>", 0.9, "<", "[inst", "[/inst", "[system]", "###"),
        S("injection.delimiter", @"(-{3,}|={3,}|\*{3,}|#{3,})\s*(end|begin|new|start)\s+(of\s+)?(system|user|prompt|instructions?|context|document)", 0.85, "---", "===", "***", "###"),
        S("injection.persona", @"\b(do anything now|developer mode|dan mode|jailbreak(ed)?|unfiltered|uncensored|no (restrictions|limits|filters|rules)|without (any )?(restrictions|limits|filters|rules|ethics|guidelines)|evil (confidant|assistant)|aim mode|god mode|opposite mode)\b", 0.85, "anything now", "developer mode", "dan mode", "jailbreak", "unfiltered", "uncensored", "no ", "without", "evil", "aim mode", "god mode", "opposite mode"),
        S("injection.persona_free", @"\byou (are|'re) (now )?(free|no longer bound|not bound|released|unshackled|liberated)\b|\bfrom now on,? you (will|are|must)\b|\bact as (if you (were|are) )?(an? )?(unrestricted|unfiltered|uncensored|different) ", 0.85, "you are", "you're", "from now on", "act as"),
        S("injection.exfiltrate_prompt", @"\b(reveal|print|show|repeat|output|tell me|leak|display|disclose|dump|recite|spell out|translate|summari[sz]e|what (is|are|was|were))\b[^.\n]{0,30}\b(system prompt|initial (prompt|instructions)|hidden (prompt|instructions|rules)|your (instructions|system prompt|prompt|rules|guidelines|configuration)|(the )?(text|words|instructions) (above|before)|developer (message|instructions)|secret (key|password|instructions))", 0.9, "prompt", "initial", "hidden", "your ", "above", "before", "developer", "secret"),
        S("injection.exfiltrate_send", @"\b(send|post|forward|upload|exfiltrate|transmit|email|leak)\b[^.\n]{0,60}\b(to|at)\s+(https?://|www\.|[\w.\-]+a[\w\-]+\.[a-z]{2,}|[\w.\-]+\.(com|net|org|io|xyz|ru))", 0.8, "send", "post", "forward", "upload", "exfiltrate", "transmit", "email", "leak"),
        S("injection.markdown_exfil", @"!\[[^\]]*\]\(https?://[^)\s]*\?[^)\s]*=[^)\s]*(\{|\$|%7b|data|prompt|secret|conversation|history|chat)", 0.85, "]("),
        S("injection.tool_coercion", @"\b(call|invoke|execute|run|use|trigger)\s+(the\s+)?([\w\-]+\s+)?(tool|function|plugin|command|api)\b[^.\n]{0,40}\b(immediately|now|without (asking|confirmation|approval|telling)|silently|secretly)", 0.85, "immediately", "now", "without", "silently", "secretly"),
        S("injection.dangerous_action", @"\b(rm -rf|curl [^\n|]{0,80}\|\s*(ba)?sh|wget [^\n|]{0,80}\|\s*(ba)?sh|delete all (files|records|data|emails|users)|drop table|transfer (all )?(the )?(funds|money|balance)|wire \$?\d|grant (me )?admin|disable (the )?(security|logging|audit|guard))", 0.75, "rm -rf", "curl", "wget", "delete all", "drop table", "transfer", "wire", "grant", "disable"),
        S("injection.indirect_address", @"\b(if you are|attention|note to|message (for|to)|instructions? for|hey|dear)\s+(an? |the )?(ai|llm|assistant|language model|chatbot|agent|gpt|claude|model)\b[^.\n]{0,80}\b(ignore|must|should|instead|do not|don't|reveal|send|tell|say|include|respond|reply|output)", 0.85, "if you are", "attention", "note to", "message for", "message to", "instruction for", "instructions for", "hey", "dear"),
        S("injection.indirect_reader", @"\b(ai|llm|assistant|model|agent|bot)s?\b,?\s+(reading|processing|summari[sz]ing|parsing|analy[sz]ing|reviewing)\s+this\b", 0.85, "reading this", "processing this", "summarising this", "summarizing this", "parsing this", "analysing this", "analyzing this", "reviewing this"),
        S("injection.hidden_instruction", @"\b(hidden|secret|invisible|important|urgent)\s+(instruction|command|task|message|directive)s?\s*(:|for|to)", 0.7, "hidden", "secret", "invisible", "important", "urgent"),
        S("injection.pretend", @"\b(pretend|imagine|roleplay|role-play)\b[^.\n]{0,40}\b(no (rules|restrictions|guidelines|filter)|not (an ai|bound)|evil|without (ethics|morals|limits))", 0.8, "pretend", "imagine", "roleplay", "role-play"),
        S("injection.encoded_payload", @"\b(decode|base6a|base64|rotie|rot-ie|rot13|rot-13|hex)\b[^.\n]{0,40}\b(and (then )?(follow|execute|run|obey|do)|then (follow|execute|run|obey))", 0.8, "decode", "base6a", "base64", "rotie", "rot-ie", "rot13", "hex"),
    ];

    private static readonly SearchValues<string> AnyTrigger = SearchValues.Create([.. All.SelectMany(s => s.TriggerWords).Distinct()], StringComparison.Ordinal);

    private static readonly Dictionary<char, (string Word, int[] Signatures)[]> ByFirstChar = All
        .SelectMany((s, i) => s.TriggerWords.Select(w => (Word: w, Index: i)))
        .GroupBy(t => t.Word)
        .Select(g => (Word: g.Key, Signatures: g.Select(t => t.Index).ToArray()))
        .GroupBy(t => t.Word[0])
        .ToDictionary(g => g.Key, g => g.ToArray());

    /// <summary>
    /// Marks in <paramref name="triggered"/> (one flag per entry of <see cref="All"/>) the signatures one of whose
    /// trigger words occurs in <paramref name="normalized"/>: one multi-string search over the text instead of one per signature.
    /// </summary>
    public static void FindTriggered(ReadOnlySpan<char> normalized, Span<bool> triggered)
    {
        int pos = 0, remaining = All.Count;
        while (pos < normalized.Length && remaining > 0)
        {
            int i = normalized[pos..].IndexOfAny(AnyTrigger);
            if (i < 0) return;
            pos += i;
            var rest = normalized[pos..];
            foreach (var (word, signatures) in ByFirstChar[rest[0]])
            {
                if (!rest.StartsWith(word, StringComparison.Ordinal)) continue;
                foreach (var k in signatures)
                {
                    if (triggered[k]) continue;
                    triggered[k] = true;
                    remaining--;
                }
            }
            pos++;
        }
    }
}
