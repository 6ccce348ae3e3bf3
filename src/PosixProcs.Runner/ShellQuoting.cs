using System.Buffers;

namespace PosixProcs.Runner;

/// <summary>
/// Quotes a value for a POSIX shell exactly as GNU parallel does (shell_quote_scalar_default):
/// a value made only of letters, digits and <c>-_.+/</c> is left bare, the empty value becomes
/// <c>''</c>, anything else is wrapped in single quotes, each <c>'</c> written as <c>'"'"'</c>.
/// Inside single quotes the shell expands nothing, so <c>$(...)</c>, <c>;</c>, backquotes and
/// newlines in a value stay data.
/// </summary>
public static class ShellQuoting
{
    private static readonly SearchValues<char> Bare = SearchValues.Create("-_.+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

    /// <summary>Quotes <paramref name="value"/> so that a shell reads it back as one word, unchanged.</summary>
    /// <param name="value">Any text.</param>
    /// <returns>The quoted word.</returns>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return "''";
        }

        if (!value.AsSpan().ContainsAnyExcept(Bare))
        {
            return value;
        }

        string quoted = "'" + value.Replace("'", "'\"'\"'", StringComparison.Ordinal) + "'";

        // GNU parallel drops the '' left at either end by a leading or trailing quote.
        if (quoted.StartsWith("''", StringComparison.Ordinal))
        {
            quoted = quoted[2..];
        }

        if (quoted.EndsWith("''", StringComparison.Ordinal))
        {
            quoted = quoted[..^2];
        }

        return quoted;
    }

    /// <summary>A command line a person can paste into a shell: every word quoted and joined by spaces.</summary>
    /// <param name="words">argv.</param>
    /// <returns>The line.</returns>
    public static string Join(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        return string.Join(' ', words.Select(Quote));
    }
}
