using System.Text.RegularExpressions;

namespace Attest.Guards.Injection;

/// <summary>
/// Heuristic signatures over normalised text (lower case, leetspeak folded). Each names a category
/// (instruction override, role impersonation, delimiter attack, exfiltration, tool coercion, jailbreak
/// persona, indirect address to the model) and a score.
/// </summary>
public static partial class InjectionSignatures
{
    public sealed record Signature(string Id, Regex Regex, double Score);

    private const RegexOptions Opts = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    public static IReadOnlyList<Signature> All { get; } =
    [
        new("injection.override", new Regex(@"\b(ignore|disregard|forget|override|bypass|skip|drop|abandon|discard)\b[^.\n]{0,40}\b(previous|prior|above|earlier|preceding|all|any|your|the|these|those|system|original|initial)\b[^.\n]{0,30}\b(instructions?|prompts?|rules|directions|guidelines|directives|context|messages?|commands|constraints|guardrails|polic(y|ies)|programming)\b", Opts), 0.95),
        new("injection.override_new", new Regex(@"\b(new|updated|real|actual|true|revised)\s+(instructions|rules|system prompt|directives|task)\s*(:|are|is|follow)", Opts), 0.85),
        new("injection.override_stop", new Regex(@"\b(stop|cease) (being|acting as|following) (an? )?(assistant|helpful|your (rules|instructions|guidelines))", Opts), 0.9),
        new("injection.role_marker", new Regex(@"(^|\n|\s)(system|assistant|developer|admin|root)\s*(:|>|\]|\|>)\s*(you|ignore|from now|new|override|the user|do not|reveal|disregard)", Opts), 0.9),
        new("injection.chat_template", new Regex(@"<\|?(im_start|im_end|system|endoftext|start_header_id|eot_id)\|?>|\[/?inst\]|<<sys>>|\[system\]|###\s*(system|instruction)|</?(system|instructions?)>", Opts), 0.9),
        new("injection.delimiter", new Regex(@"(-{3,}|={3,}|\*{3,}|#{3,})\s*(end|begin|new|start)\s+(of\s+)?(system|user|prompt|instructions?|context|document)", Opts), 0.85),
        new("injection.persona", new Regex(@"\b(do anything now|developer mode|dan mode|jailbreak(ed)?|unfiltered|uncensored|no (restrictions|limits|filters|rules)|without (any )?(restrictions|limits|filters|rules|ethics|guidelines)|evil (confidant|assistant)|aim mode|god mode|opposite mode)\b", Opts), 0.85),
        new("injection.persona_free", new Regex(@"\byou (are|'re) (now )?(free|no longer bound|not bound|released|unshackled|liberated)\b|\bfrom now on,? you (will|are|must)\b|\bact as (if you (were|are) )?(an? )?(unrestricted|unfiltered|uncensored|different) ", Opts), 0.85),
        new("injection.exfiltrate_prompt", new Regex(@"\b(reveal|print|show|repeat|output|tell me|leak|display|disclose|dump|recite|spell out|translate|summari[sz]e|what (is|are|was|were))\b[^.\n]{0,30}\b(system prompt|initial (prompt|instructions)|hidden (prompt|instructions|rules)|your (instructions|system prompt|prompt|rules|guidelines|configuration)|(the )?(text|words|instructions) (above|before)|developer (message|instructions)|secret (key|password|instructions))", Opts), 0.9),
        new("injection.exfiltrate_send", new Regex(@"\b(send|post|forward|upload|exfiltrate|transmit|email|leak)\b[^.\n]{0,60}\b(to|at)\s+(https?://|www\.|[\w.\-]+a[\w\-]+\.[a-z]{2,}|[\w.\-]+\.(com|net|org|io|xyz|ru))", Opts), 0.8),
        new("injection.markdown_exfil", new Regex(@"!\[[^\]]*\]\(https?://[^)\s]*\?[^)\s]*=[^)\s]*(\{|\$|%7b|data|prompt|secret|conversation|history|chat)", Opts), 0.85),
        new("injection.tool_coercion", new Regex(@"\b(call|invoke|execute|run|use|trigger)\s+(the\s+)?([\w\-]+\s+)?(tool|function|plugin|command|api)\b[^.\n]{0,40}\b(immediately|now|without (asking|confirmation|approval|telling)|silently|secretly)", Opts), 0.85),
        new("injection.dangerous_action", new Regex(@"\b(rm -rf|curl [^\n|]{0,80}\|\s*(ba)?sh|wget [^\n|]{0,80}\|\s*(ba)?sh|delete all (files|records|data|emails|users)|drop table|transfer (all )?(the )?(funds|money|balance)|wire \$?\d|grant (me )?admin|disable (the )?(security|logging|audit|guard))", Opts), 0.75),
        new("injection.indirect_address", new Regex(@"\b(if you are|attention|note to|message (for|to)|instructions? for|hey|dear)\s+(an? |the )?(ai|llm|assistant|language model|chatbot|agent|gpt|claude|model)\b[^.\n]{0,80}\b(ignore|must|should|instead|do not|don't|reveal|send|tell|say|include|respond|reply|output)", Opts), 0.85),
        new("injection.indirect_reader", new Regex(@"\b(ai|llm|assistant|model|agent|bot)s?\b,?\s+(reading|processing|summari[sz]ing|parsing|analy[sz]ing|reviewing)\s+this\b", Opts), 0.85),
        new("injection.hidden_instruction", new Regex(@"\b(hidden|secret|invisible|important|urgent)\s+(instruction|command|task|message|directive)s?\s*(:|for|to)", Opts), 0.7),
        new("injection.pretend", new Regex(@"\b(pretend|imagine|roleplay|role-play)\b[^.\n]{0,40}\b(no (rules|restrictions|guidelines|filter)|not (an ai|bound)|evil|without (ethics|morals|limits))", Opts), 0.8),
        new("injection.encoded_payload", new Regex(@"\b(decode|base64|rot13|rot-13|hex)\b[^.\n]{0,40}\b(and (then )?(follow|execute|run|obey|do)|then (follow|execute|run|obey))", Opts), 0.8),
    ];
}
