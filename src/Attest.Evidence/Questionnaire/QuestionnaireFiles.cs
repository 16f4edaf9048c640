using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Attest.Evidence.Questionnaire;

/// <summary>A questionnaire file that could not be read; the message names the file and row.</summary>
public sealed class QuestionnaireFormatException(string message) : Exception(message);

/// <summary>Reads questionnaires from CSV or XLSX and writes them back with answer columns.</summary>
public static class QuestionnaireFiles
{
    public static readonly string[] AnswerColumns = ["attest_answer", "attest_detail", "attest_controls", "attest_evidence", "attest_needs_human"];

    public static (IReadOnlyList<string> Header, IReadOnlyList<Question> Questions) Read(string path)
    {
        if (!File.Exists(path)) throw new QuestionnaireFormatException($"{path}: no such file");
        var rows = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ReadCsv(path),
            ".xlsx" => ReadXlsx(path),
            var e => throw new QuestionnaireFormatException($"{path}: unsupported format '{e}' (use .csv or .xlsx)"),
        };
        if (rows.Count == 0) throw new QuestionnaireFormatException($"{path}: empty");
        var header = rows[0];
        var qi = header.FindIndex(h => h.Contains("question", StringComparison.OrdinalIgnoreCase));
        if (qi < 0) throw new QuestionnaireFormatException($"{path}:1: no column named 'question' in the header row");
        var ii = header.FindIndex(h => h.Trim().Equals("id", StringComparison.OrdinalIgnoreCase));
        var qs = new List<Question>();
        for (var r = 1; r < rows.Count; r++)
        {
            var row = rows[r];
            var text = qi < row.Count ? row[qi].Trim() : "";
            if (text.Length == 0) continue;
            qs.Add(new Question(ii >= 0 && ii < row.Count && row[ii].Length > 0 ? row[ii] : $"row{r + 1}", text, row));
        }
        return (header, qs);
    }

    public static void Write(string path, IReadOnlyList<string> header, IReadOnlyList<Question> questions, IReadOnlyList<Answer> answers)
    {
        var rows = new List<IReadOnlyList<string>>();
        rows.Add([.. header, .. AnswerColumns]);
        for (var i = 0; i < questions.Count; i++)
        {
            var a = answers[i];
            var row = questions[i].Row.Concat(Enumerable.Repeat("", Math.Max(0, header.Count - questions[i].Row.Count))).Take(header.Count);
            rows.Add([.. row, a.Response, a.Detail, string.Join(" ", a.Controls), string.Join("; ", a.Evidence), a.NeedsHuman ? "yes" : "no"]);
        }
        switch (Path.GetExtension(path).ToLowerInvariant())
        {
            case ".csv": File.WriteAllText(path, string.Concat(rows.Select(r => string.Join(",", r.Select(Quote)) + "\n")), new UTF8Encoding(false)); break;
            case ".xlsx": WriteXlsx(path, rows); break;
            default: throw new QuestionnaireFormatException($"{path}: unsupported output format (use .csv or .xlsx)");
        }
    }

    private static string Quote(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>RFC 4180 CSV: quoted fields, doubled quotes, newlines inside quotes.</summary>
    public static List<List<string>> ParseCsv(string text, string name = "input")
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        bool quoted = false, any = false;
        var line = 1;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0: quoted = true; any = true; break;
                case ',': row.Add(field.ToString()); field.Clear(); any = true; break;
                case '\r': break;
                case '\n':
                    row.Add(field.ToString()); field.Clear();
                    if (any || row.Count > 1 || row[0].Length > 0) rows.Add(row);
                    row = []; any = false; line++;
                    break;
                default: field.Append(c); any = true; break;
            }
        }
        if (quoted) throw new QuestionnaireFormatException($"{name}:{line}: unterminated quoted field");
        if (any || field.Length > 0) { row.Add(field.ToString()); rows.Add(row); }
        return rows;
    }

    private static List<List<string>> ReadCsv(string path) => ParseCsv(File.ReadAllText(path), path);

    private static List<List<string>> ReadXlsx(string path)
    {
        try
        {
            using var doc = SpreadsheetDocument.Open(path, false);
            var wb = doc.WorkbookPart ?? throw new QuestionnaireFormatException($"{path}: no workbook");
            var sheet = wb.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new QuestionnaireFormatException($"{path}: no sheet");
            var ws = (WorksheetPart)wb.GetPartById(sheet.Id!);
            var shared = wb.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
            var rows = new List<List<string>>();
            foreach (var r in ws.Worksheet.Descendants<Row>())
            {
                var row = new List<string>();
                foreach (var cell in r.Elements<Cell>())
                {
                    var col = ColumnIndex(cell.CellReference?.Value);
                    while (row.Count < col) row.Add("");
                    var v = cell.DataType?.Value == CellValues.SharedString && int.TryParse(cell.CellValue?.Text, out var si) && si < shared.Count ? shared[si]
                        : cell.DataType?.Value == CellValues.InlineString ? cell.InlineString?.InnerText ?? "" : cell.CellValue?.Text ?? "";
                    row.Add(v);
                }
                rows.Add(row);
            }
            return rows;
        }
        catch (OpenXmlPackageException e) { throw new QuestionnaireFormatException($"{path}: not a valid .xlsx file ({e.Message})"); }
        catch (InvalidDataException e) { throw new QuestionnaireFormatException($"{path}: not a valid .xlsx file ({e.Message})"); }
    }

    private static int ColumnIndex(string? reference)
    {
        if (reference is null) return 0;
        var n = 0;
        foreach (var ch in reference.TakeWhile(char.IsAsciiLetter)) n = n * 26 + (char.ToUpperInvariant(ch) - 'A' + 1);
        return Math.Max(0, n - 1);
    }

    private static void WriteXlsx(string path, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        if (File.Exists(path)) File.Delete(path);
        using var doc = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var wb = doc.AddWorkbookPart();
        wb.Workbook = new Workbook();
        var ws = wb.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        foreach (var r in rows)
            data.Append(new Row(r.Select(v => (OpenXmlElement)new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(v)) })));
        ws.Worksheet = new Worksheet(data);
        wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = "Questionnaire" }));
        wb.Workbook.Save();
    }
}
