using System.Text.RegularExpressions;
using Attest.Evidence.Model;

namespace Attest.Evidence.Questionnaire;

public sealed record Question(string Id, string Text, IReadOnlyList<string> Row);

/// <summary>An answer: Yes, No or Partial with a short explanation and evidence, or flagged for a human.</summary>
public sealed record Answer(string QuestionId, string Response, string Detail, IReadOnlyList<string> Controls, IReadOnlyList<string> Evidence, bool NeedsHuman);

/// <summary>
/// Matches each question to Attest's controls by their keywords and answers from the controls'
/// computed status. It never invents: a question with no matching control, or about something
/// outside Attest's view (HR, insurance, physical security, contracts), is flagged for a human
/// with an empty response. Stateless; thread-safe.
/// </summary>
public static partial class QuestionnaireFiller
{
    /// <summary>Topics Attest cannot observe; questions about them always go to a human.</summary>
    private static readonly string[] HumanTopics =
    [
        "background check", "awareness training", "insurance", "board", "physical", "data centre", "data center",
        "notify us", "breach notification", "tabletop", "access review", "review user access", "quarterly",
        "privacy notice", "access or correct", "contract", "penetration test",
    ];

    public static IReadOnlyList<Answer> Fill(IEnumerable<Question> questions, IReadOnlyList<ControlOutcome> controls) =>
        [.. questions.Select(q => AnswerOne(q, controls))];

    public static Answer AnswerOne(Question q, IReadOnlyList<ControlOutcome> controls)
    {
        var text = " " + NonWord().Replace(q.Text.ToLowerInvariant(), " ") + " ";
        var human = HumanTopics.FirstOrDefault(t => text.Contains(" " + t, StringComparison.Ordinal));
        if (human is not null)
            return new Answer(q.Id, "", $"Needs a human answer: '{human}' is outside what Attest observes.", [], [], true);
        var scored = controls.Select(c => (Control: c, Score: c.Control.Keywords.Sum(k => Contains(text, k) ? k.Split(' ').Length : 0)))
            .Where(x => x.Score > 0).OrderByDescending(x => x.Score).ThenBy(x => x.Control.Control.Id, StringComparer.Ordinal).ToList();
        if (scored.Count == 0)
            return new Answer(q.Id, "", "Needs a human answer: no Attest control addresses this question.", [], [], true);
        var best = scored[0].Score;
        var chosen = scored.Where(x => x.Score >= Math.Max(1, best * 0.6)).Take(3).Select(x => x.Control).ToList();
        var statuses = chosen.Select(c => c.Result.Status).ToList();
        if (statuses.All(s => s is ControlStatus.NotComputable or ControlStatus.NotApplicable))
            return new Answer(q.Id, "", $"Needs a human answer: the matching controls ({string.Join(", ", chosen.Select(c => c.Control.Id))}) could not be evaluated in this period.",
                [.. chosen.Select(c => c.Control.Id)], [], true);
        var response = statuses.All(s => s == ControlStatus.Pass) ? "Yes"
            : statuses.All(s => s == ControlStatus.Fail) ? "No" : "Partial";
        var detail = string.Join(" ", chosen.Select(c => $"{c.Control.Title} ({c.Control.Id}: {Describe(c.Result.Status)}). {c.Control.Implementation}"));
        var evidence = chosen.SelectMany(c => new[] { $"control {c.Control.Id} test {c.Result.TestId} collected {c.Result.CollectedAt:yyyy-MM-dd}" }
            .Concat(c.Result.Evidence.Take(2).Select(e => $"{e.Kind} {e.Reference.Split('\n')[0]}"))).ToList();
        return new Answer(q.Id, response, detail, [.. chosen.Select(c => c.Control.Id)], evidence, false);
    }

    private static string Describe(ControlStatus s) => s switch
    {
        ControlStatus.Pass => "passing",
        ControlStatus.Fail => "failing",
        ControlStatus.NeedsAttention => "needs attention",
        ControlStatus.NotApplicable => "not applicable",
        _ => "not computable",
    };

    private static bool Contains(string text, string keyword) =>
        text.Contains(" " + NonWord().Replace(keyword.ToLowerInvariant(), " ").Trim(), StringComparison.Ordinal);

    [GeneratedRegex(@"[^a-z0-9]+")]
    private static partial Regex NonWord();
}
