using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PosixProcs.Benchmarks;

/// <summary>Writes and reads <c>artifacts/bench/results.json</c>.</summary>
public static class ResultsJson
{
    /// <summary>
    /// camelCase names, enums as text, indented; nulls written, so a missing value reads as
    /// missing. Relaxed escaping: the file is read by people and tools, never embedded in
    /// HTML, so "+" and "&lt;=" stay as they are.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The JSON document for a report: the run's context and one object per row.</summary>
    /// <param name="report">The report.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(BenchmarkReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var document = new ResultsDocument(
            report.Machine,
            report.Quick,
            report.Rounds,
            report.StartedAt,
            Math.Round(report.Duration.TotalSeconds, 1),
            report.Rows);
        return JsonSerializer.Serialize(document, Options);
    }

    /// <summary>Reads a document written by <see cref="Serialize"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The document.</returns>
    /// <exception cref="JsonException">Not a results document.</exception>
    public static ResultsDocument Deserialize(string json) =>
        JsonSerializer.Deserialize<ResultsDocument>(json, Options) ?? throw new JsonException("empty results document");

    /// <summary>Writes the report's JSON to <paramref name="path"/>, creating the directory.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The file.</param>
    public static void Write(BenchmarkReport report, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, Serialize(report) + "\n");
    }
}
