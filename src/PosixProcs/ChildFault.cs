using System.Text.Json.Serialization;

namespace PosixProcs;

/// <summary>An exception that escaped a forked child's delegate, as text: it crosses a pipe, not a process boundary of objects.</summary>
/// <param name="Type">The exception's full type name.</param>
/// <param name="Message">Its message.</param>
/// <param name="StackTrace">Its stack trace and inner exceptions, as <c>ToString()</c> gives them (truncated to 32 KiB).</param>
public sealed record ChildFault(string Type, string Message, string StackTrace)
{
    /// <summary>Stays well under a pipe's capacity, so the child's single write never blocks on a parent that reads only after the child exits.</summary>
    internal const int MaxTextLength = 32 * 1024;

    /// <summary>Captures an exception as text.</summary>
    /// <param name="exception">The exception.</param>
    /// <returns>Its type name, message and full text.</returns>
    public static ChildFault From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string text = exception.ToString();
        return new ChildFault(
            exception.GetType().FullName ?? exception.GetType().Name,
            Truncate(exception.Message, 4096),
            Truncate(text, MaxTextLength));
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length] + "…";
}

/// <summary>Source-generated JSON for what crosses pipes inside this library.</summary>
[JsonSerializable(typeof(ChildFault))]
internal sealed partial class ProcessesJsonContext : JsonSerializerContext;
