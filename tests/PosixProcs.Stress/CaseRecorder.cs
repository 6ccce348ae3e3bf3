using System.Text.Json;
using System.Text.Json.Nodes;

namespace PosixProcs.Stress;

/// <summary>
/// Inside a case process: records numbers and checks, and prints each one at once as a
/// <c>@stress {json}</c> line, so the harness keeps what was measured even when the case
/// process dies or hangs afterwards.
/// </summary>
internal sealed class CaseRecorder
{
    public const string LinePrefix = "@stress ";
    private readonly List<string> _failures = [];
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);

    /// <summary>Records one number or text.</summary>
    public void Metric(string key, JsonNode? value) => Emit(new JsonObject { ["metric"] = key, ["value"] = value });

    /// <summary>Records a check: its name, whether it held, and the numbers that decided it.</summary>
    public bool Check(string name, bool holds, string detail)
    {
        Emit(new JsonObject { ["check"] = name, ["pass"] = holds, ["detail"] = detail });
        if (!holds)
        {
            _failures.Add($"{name}: {detail}");
        }

        return holds;
    }

    /// <summary>Counts an error by its type (and errno for PosixException), reported as errors.TYPE.</summary>
    public void Error(Exception error, string? where = null)
    {
        string key = ErrorKey(error);
        _errors[key] = _errors.GetValueOrDefault(key) + 1;
        Metric($"errors.{key}", _errors[key]);
        if (_errors[key] <= 3)
        {
            Note($"{where ?? "error"}: {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>A free-text line for the report (first occurrences of errors, context).</summary>
    public void Note(string text) => Emit(new JsonObject { ["note"] = text });

    /// <summary>The errors counted so far, by key.</summary>
    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Prints the verdict; returns the exit code (0 pass, 1 fail).</summary>
    public int Finish()
    {
        bool pass = _failures.Count == 0;
        Emit(new JsonObject { ["verdict"] = pass ? "pass" : "fail", ["reason"] = string.Join("; ", _failures) });
        Console.Out.Flush();
        return pass ? 0 : 1;
    }

    /// <summary>A stable name for an error: PosixException → "PosixException:fork:EAGAIN".</summary>
    public static string ErrorKey(Exception error) => error switch
    {
        PosixException posix => $"{error.GetType().Name}:{posix.CallName}:{posix.ErrnoName}",
        AggregateException { InnerExceptions.Count: 1 } aggregate => ErrorKey(aggregate.InnerExceptions[0]),
        _ => error.GetType().Name,
    };

    /// <summary>How many lines this case has printed (for the report's sanity).</summary>
    public int Lines { get; private set; }

    private void Emit(JsonObject line)
    {
        Lines++;
        Console.Out.Write(LinePrefix + line.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n");
        Console.Out.Flush();
    }
}
