using System.Text.Encodings.Web;
using System.Text.Json;

namespace PosixProcs.Cli;

/// <summary>One JSON style for every report the command prints.</summary>
internal static class CliJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
