using System.Text.RegularExpressions;
using Attest.Guards.Text;

namespace Attest.Guards.Injection;

/// <summary>
/// Heuristic signatures over normalised text (lower case, leetspeak folded, one space between words). Each names a
/// category (instruction override, role impersonation, delimiter attack, exfiltration, tool coercion, jailbreak
/// persona, indirect address to the model) and a score.
/// </summary>
public static partial class InjectionSignatures
{
    /// <summary>Where a signature's match begins relative to an occurrence of one of its trigger words.</summary>
    public enum Start
    {
        /// <summary>Every match begins with a trigger word: the regex is tried (anchored) only at trigger occurrences.</summary>
        AtTrigger,
        /// <summary>Every match begins one character before a trigger word (or at 0): tried anchored there.</summary>
        BeforeTrigger,
        /// <summary>A match contains a trigger word somewhere: the whole text is searched once a trigger occurs.</summary>
        Anywhere,
    }

    /// <summary>
    /// A signature. <paramref name="TriggerWords"/>: a match always contains one of them (at its start for
    /// <see cref="Start.AtTrigger"/>), so text without any cannot match and the regex is not run.
    /// </summary>
    public sealed record Signature(string Id, Regex Regex, double Score, string[] TriggerWords, Start Start)
    {
        /// <summary>The regex anchored with <c>\G</c>: matches only at the position it is started at.</summary>
        public Regex Anchored { get; } = new(@"\G(?:" + Regex.ToString() + ")", Regex.Options, Regex.MatchTimeout);

        /// <summary>The pattern begins with <c>\b</c> before a trigger that begins with a letter: a trigger right after a letter, digit or underscore cannot start a match.</summary>
        public bool WordStart { get; } = Regex.ToString().StartsWith(@"\b", StringComparison.Ordinal);
    }

    private static Signature S(Start start, string id, string pattern, double score, params string[] triggers) =>
        new(id, new Regex(pattern, Opts, TimeSpan.FromSeconds(1)), score, triggers, start);

    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    public static IReadOnlyList<Signature> All { get; } =
    [
        S(Start.AtTrigger, "injection.override", @"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\b[^.\n]{0,40}\b(previous|prior|above|earlier|preceding|all|any|your|the|these|those|system|original|initial)\b[^.\n]{0,30}\b(instructions?|prompts?|rules|directions|guidelines|directives|context|messages?|commands|constraints|guardrails|polic(y|ies)|programming)\b", 0.95, "ignore", "disregard", "forget", "override", "bypass", "skip", "drop", "abandon", "discard"),
        S(Start.AtTrigger, "injection.override_new", @"\b(new|updated|real|actual|true|revised)\s+(instructions|rules|system prompt|directives|task)\s*(:|are|is|follow)", 0.85, "new", "updated", "real", "actual", "true", "revised"),
        S(Start.AtTrigger, "injection.override_stop", @"\b(stop|cease) (being|acting as|following) (an? )?(assistant|helpful|your (rules|instructions|guidelines))", 0.9, "stop", "cease"),
        S(Start.BeforeTrigger, "injection.role_marker", @"(^|\n|\s)(system|assistant|developer|admin|root)\s*(:|>|\]|\|>)\s*(you|ignore|from now|new|override|the user|do not|reveal|disregard)", 0.9, "system", "assistant", "developer", "admin", "root"),
        S(Start.AtTrigger, "injection.chat_template", @"<\|?(im_start|im_end|system|endoftext|start_header_id|eot_id)\|?>|\[/?inst\]|<<sys>>|\[system\]|###\s*(system|instruction)|</?(system|instructions?)>", 0.9, "<", "[inst", "[/inst", "[system]", "###"),
        S(Start.AtTrigger, "injection.delimiter", @"(-{3,}|={3,}|\*{3,}|#{3,})\s*(end|begin|new|start)\s+(of\s+)?(system|user|prompt|instructions?|context|document)", 0.85, "---", "===", "***", "###"),
        S(Start.AtTrigger, "injection.persona", @"\b(do anything now|developer mode|dan mode|jailbreak(ed)?|unfiltered|uncensored|no (restrictions|limits|filters|rules)|without (any )?(restrictions|limits|filters|rules|ethics|guidelines)|evil (confidant|assistant)|aim mode|god mode|opposite mode)\b", 0.85, "do anything now", "developer mode", "dan mode", "jailbreak", "unfiltered", "uncensored", "no ", "without", "evil", "aim mode", "god mode", "opposite mode"),
        S(Start.AtTrigger, "injection.persona_free", @"\byou (are|'re) (now )?(free|no longer bound|not bound|released|unshackled|liberated)\b|\bfrom now on,? you (will|are|must)\b|\bact as (if you (were|are) )?(an? )?(unrestricted|unfiltered|uncensored|different) ", 0.85, "you are", "you're", "from now on", "act as"),
        S(Start.AtTrigger, "injection.exfiltrate_prompt", @"\b(reveal|print|show|repeat|output|tell me|leak|display|disclose|dump|recite|spell out|translate|summari[sz]e|what (is|are|was|were))\b[^.\n]{0,30}\b(system prompt|initial (prompt|instructions)|hidden (prompt|instructions|rules)|your (instructions|system prompt|prompt|rules|guidelines|configuration)|(the )?(text|words|instructions) (above|before)|developer (message|instructions)|secret (key|password|instructions))", 0.9, "reveal", "print", "show", "repeat", "output", "tell me", "leak", "display", "disclose", "dump", "recite", "spell out", "translate", "summarise", "summarize", "what is", "what are", "what was", "what were"),
        S(Start.AtTrigger, "injection.exfiltrate_send", @"\b(send|post|forward|upload|exfiltrate|transmit|email|leak)\b[^.\n]{0,60}\b(to|at)\s+(https?://|www\.|[\w.\-]+a[\w\-]+\.[a-z]{2,}|[\w.\-]+\.(com|net|org|io|xyz|ru))", 0.8, "send", "post", "forward", "upload", "exfiltrate", "transmit", "email", "leak"),
        S(Start.Anywhere, "injection.markdown_exfil", @"!\[[^\]]*\]\(https?://[^)\s]*\?[^)\s]*=[^)\s]*(\{|\$|%7b|data|prompt|secret|conversation|history|chat)", 0.85, "]("),
        S(Start.AtTrigger, "injection.tool_coercion", @"\b(call|invoke|execute|run|use|trigger)\s+(the\s+)?([\w\-]+\s+)?(tool|function|plugin|command|api)\b[^.\n]{0,40}\b(immediately|now|without (asking|confirmation|approval|telling)|silently|secretly)", 0.85, "call", "invoke", "execute", "run", "use", "trigger"),
        S(Start.AtTrigger, "injection.dangerous_action", @"\b(rm -rf|curl [^\n|]{0,80}\|\s*(ba)?sh|wget [^\n|]{0,80}\|\s*(ba)?sh|delete all (files|records|data|emails|users)|drop table|transfer (all )?(the )?(funds|money|balance)|wire \$?\d|grant (me )?admin|disable (the )?(security|logging|audit|guard))", 0.75, "rm -rf", "curl", "wget", "delete all", "drop table", "transfer", "wire", "grant", "disable"),
        S(Start.AtTrigger, "injection.indirect_address", @"\b(if you are|attention|note to|message (for|to)|instructions? for|hey|dear)\s+(an? |the )?(ai|llm|assistant|language model|chatbot|agent|gpt|claude|model)\b[^.\n]{0,80}\b(ignore|must|should|instead|do not|don't|reveal|send|tell|say|include|respond|reply|output)", 0.85, "if you are", "attention", "note to", "message for", "message to", "instruction for", "instructions for", "hey", "dear"),
        S(Start.Anywhere, "injection.indirect_reader", @"\b(ai|llm|assistant|model|agent|bot)s?\b,?\s+(reading|processing|summari[sz]ing|parsing|analy[sz]ing|reviewing)\s+this\b", 0.85, "reading this", "processing this", "summarising this", "summarizing this", "parsing this", "analysing this", "analyzing this", "reviewing this"),
        S(Start.AtTrigger, "injection.hidden_instruction", @"\b(hidden|secret|invisible|important|urgent)\s+(instruction|command|task|message|directive)s?\s*(:|for|to)", 0.7, "hidden", "secret", "invisible", "important", "urgent"),
        S(Start.AtTrigger, "injection.pretend", @"\b(pretend|imagine|roleplay|role-play)\b[^.\n]{0,40}\b(no (rules|restrictions|guidelines|filter)|not (an ai|bound)|evil|without (ethics|morals|limits))", 0.8, "pretend", "imagine", "roleplay", "role-play"),
        S(Start.AtTrigger, "injection.encoded_payload", @"\b(decode|base6a|base64|rotie|rot-ie|rot13|rot-13|hex)\b[^.\n]{0,40}\b(and (then )?(follow|execute|run|obey|do)|then (follow|execute|run|obey))", 0.8, "decode", "base6a", "base64", "rotie", "rot-ie", "rot13", "hex"),
    ];

    private static readonly TriggerMatcher Triggers = new([.. All.SelectMany(s => s.TriggerWords).Distinct(StringComparer.Ordinal)], ignoreCase: false);

    /// <summary>For each trigger word of <see cref="Triggers"/>, the signatures (bit per index in <see cref="All"/>) it belongs to.</summary>
    private static readonly ulong[] Owners = [.. Triggers.Patterns.Select(w => All
        .Select((s, i) => s.TriggerWords.Contains(w, StringComparer.Ordinal) ? 1UL << i : 0)
        .Aggregate(0UL, (a, b) => a | b))];

    /// <summary>
    /// Best score and the first signature (in <see cref="All"/> order) that reached it over <paramref name="normalized"/>,
    /// or (0, <c>injection.none</c>). One pass finds the trigger words; anchored signatures are tried where a trigger
    /// occurs, the others searched over the whole text only when one of their triggers occurred.
    /// </summary>
    public static (double Score, string Rule) Evaluate(string normalized) => Evaluate(normalized.AsSpan());

    /// <summary><see cref="Evaluate(string)"/> over normalised text held in a buffer (no string needed).</summary>
    public static (double Score, string Rule) Evaluate(ReadOnlySpan<char> normalized)
    {
        var visitor = new Visitor(normalized);
        Triggers.Scan(normalized, ref visitor);
        var all = All;
        for (int k = 0; k < all.Count; k++)
        {
            if ((visitor.Pending >> k & 1) == 0 || !visitor.MayImprove(k)) continue;
            if (all[k].Regex.IsMatch(normalized)) visitor.Matched(k);
        }
        return visitor.Best < 0 ? (0, "injection.none") : (all[visitor.Best].Score, all[visitor.Best].Id);
    }

    /// <summary>The reference evaluation: every signature's regex over the whole text, in order (used by tests).</summary>
    internal static (double Score, string Rule) EvaluateFull(string normalized)
    {
        double best = 0;
        string rule = "injection.none";
        foreach (var sig in All)
            if (sig.Score > best && sig.Regex.IsMatch(normalized)) (best, rule) = (sig.Score, sig.Id);
        return (best, rule);
    }

    private ref struct Visitor(ReadOnlySpan<char> text) : ITriggerVisitor
    {
        private readonly ReadOnlySpan<char> _text = text;
        public ulong Pending;
        public int Best = -1;
        private ulong _done;

        public readonly bool MayImprove(int k)
        {
            if (Best < 0) return true;
            double s = All[k].Score, b = All[Best].Score;
            return s > b || (s == b && k < Best);
        }

        public void Matched(int k)
        {
            _done |= 1UL << k;
            if (MayImprove(k)) Best = k;
        }

        public bool OnMatch(int pattern, int position)
        {
            ulong owners = Owners[pattern] & ~_done;
            while (owners != 0)
            {
                int k = System.Numerics.BitOperations.TrailingZeroCount(owners);
                owners &= owners - 1;
                var sig = All[k];
                if (!MayImprove(k)) continue;
                switch (sig.Start)
                {
                    case Start.Anywhere:
                        Pending |= 1UL << k;
                        break;
                    case Start.BeforeTrigger:
                        if (sig.Anchored.IsMatch(_text, Math.Max(0, position - 1))) Matched(k);
                        break;
                    default:
                        if (sig.WordStart && position > 0 && IsAsciiWordChar(_text[position - 1])) break;
                        if (sig.Anchored.IsMatch(_text, position)) Matched(k);
                        break;
                }
            }
            return true;
        }

        private static bool IsAsciiWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
    }
}
