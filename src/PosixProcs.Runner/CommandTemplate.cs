using System.Text;

namespace PosixProcs.Runner;

/// <summary>
/// A command with placeholders (<see cref="Placeholder"/>), expanded once per job. Pure: no
/// I/O, so every rule can be tested on its own. Without a shell each word stays one argv
/// element whatever the values hold; with a shell the words are joined into a script and
/// every substituted value is shell-quoted (<see cref="ShellQuoting"/>), so input is never code.
/// A template with no placeholder gets the job's values appended, as GNU parallel and xargs do.
/// </summary>
public sealed class CommandTemplate
{
    private readonly object[][] _words; // each word: string (literal) and Placeholder parts

    private CommandTemplate(IReadOnlyList<string> words, object[][] parsed)
    {
        Words = words;
        _words = parsed;
        HasPlaceholders = parsed.Any(w => w.Any(p => p is Placeholder));
        HighestSource = parsed.SelectMany(w => w).OfType<Placeholder>().Max(p => p.Source) ?? 0;
    }

    /// <summary>The words as given.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>Whether any word holds a placeholder; if none does, values are appended.</summary>
    public bool HasPlaceholders { get; }

    /// <summary>The highest input source a positional placeholder names (<c>{3}</c> gives 3); 0 if none.</summary>
    public int HighestSource { get; }

    /// <summary>Reads a template. Text in braces that is no placeholder (<c>{foo}</c>, <c>${HOME}</c>) stays as written.</summary>
    /// <param name="words">The command and its arguments, e.g. <c>["gzip", "-k", "{}"]</c>.</param>
    /// <returns>The template.</returns>
    /// <exception cref="ArgumentException">No words, or an empty first word.</exception>
    public static CommandTemplate Parse(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count == 0 || string.IsNullOrEmpty(words[0]))
        {
            throw new ArgumentException("A command template needs a command.", nameof(words));
        }

        return new CommandTemplate([.. words], [.. words.Select(ParseWord)]);
    }

    /// <summary>The argv of one job, run without a shell: one element per word, then the values if there is no placeholder.</summary>
    /// <param name="values">The job's values, one per input source.</param>
    /// <param name="sequence">The job's sequence number (<c>{#}</c>).</param>
    /// <param name="slot">The job slot (<c>{%}</c>).</param>
    /// <returns>argv, program first.</returns>
    /// <exception cref="ArgumentException">A positional placeholder names a missing source.</exception>
    public IReadOnlyList<string> ExpandArguments(IReadOnlyList<string> values, long sequence, int slot)
    {
        ArgumentNullException.ThrowIfNull(values);
        var argv = new List<string>(_words.Length + (HasPlaceholders ? 0 : values.Count));
        foreach (object[] word in _words)
        {
            argv.Add(ExpandWord(word, values, sequence, slot, quote: false));
        }

        if (!HasPlaceholders)
        {
            argv.AddRange(values);
        }

        return argv;
    }

    /// <summary>
    /// The script of one job for <c>sh -c</c>: the words joined by spaces (they are shell code,
    /// as the user wrote them), each substituted value shell-quoted; appended values are quoted too.
    /// </summary>
    /// <param name="values">The job's values.</param>
    /// <param name="sequence">The job's sequence number.</param>
    /// <param name="slot">The job slot.</param>
    /// <returns>The script.</returns>
    /// <exception cref="ArgumentException">A positional placeholder names a missing source.</exception>
    public string ExpandShell(IReadOnlyList<string> values, long sequence, int slot)
    {
        ArgumentNullException.ThrowIfNull(values);
        var script = new StringBuilder();
        foreach (object[] word in _words)
        {
            if (script.Length > 0)
            {
                script.Append(' ');
            }

            script.Append(ExpandWord(word, values, sequence, slot, quote: true));
        }

        if (!HasPlaceholders)
        {
            foreach (string value in values)
            {
                script.Append(' ').Append(ShellQuoting.Quote(value));
            }
        }

        return script.ToString();
    }

    private static string ExpandWord(object[] word, IReadOnlyList<string> values, long sequence, int slot, bool quote)
    {
        if (word.Length == 1 && word[0] is string literal)
        {
            return literal;
        }

        var text = new StringBuilder();
        foreach (object part in word)
        {
            if (part is Placeholder placeholder)
            {
                string value = placeholder.Expand(values, sequence, slot);
                text.Append(quote ? ShellQuoting.Quote(value) : value);
            }
            else
            {
                text.Append((string)part);
            }
        }

        return text.ToString();
    }

    private static object[] ParseWord(string word)
    {
        ArgumentNullException.ThrowIfNull(word, nameof(word));
        var parts = new List<object>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < word.Length)
        {
            int close;
            if (word[i] == '{' && (close = word.IndexOf('}', i + 1)) > 0
                && Placeholder.TryParse(word.AsSpan(i + 1, close - i - 1)) is { } placeholder)
            {
                if (literal.Length > 0)
                {
                    parts.Add(literal.ToString());
                    literal.Clear();
                }

                parts.Add(placeholder);
                i = close + 1;
                continue;
            }

            literal.Append(word[i]);
            i++;
        }

        if (literal.Length > 0 || parts.Count == 0)
        {
            parts.Add(literal.ToString());
        }

        return [.. parts];
    }
}
