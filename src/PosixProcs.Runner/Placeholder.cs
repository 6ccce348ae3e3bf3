using System.Globalization;

namespace PosixProcs.Runner;

/// <summary>What a placeholder stands for.</summary>
public enum PlaceholderKind
{
    /// <summary><c>{}</c>: the input value.</summary>
    Value,

    /// <summary><c>{.}</c>: the value without its extension.</summary>
    WithoutExtension,

    /// <summary><c>{/}</c>: the value's last path component.</summary>
    Basename,

    /// <summary><c>{//}</c>: the value's directory.</summary>
    Dirname,

    /// <summary><c>{/.}</c>: the last path component without its extension.</summary>
    BasenameWithoutExtension,

    /// <summary><c>{#}</c>: the job's sequence number, from 1.</summary>
    Sequence,

    /// <summary><c>{%}</c>: the job slot running it, from 1 to the number of parallel jobs.</summary>
    Slot,
}

/// <summary>
/// One placeholder of a <see cref="CommandTemplate"/>: <c>{}</c>, <c>{.}</c>, <c>{/}</c>,
/// <c>{//}</c>, <c>{/.}</c>, <c>{#}</c>, <c>{%}</c>, or a positional form such as <c>{2}</c>
/// or <c>{2/.}</c> that takes the value of the second input source.
/// </summary>
/// <param name="Kind">What it stands for.</param>
/// <param name="Source">The input source (1 and up) for a positional placeholder; <c>null</c>: every source's value, joined by spaces.</param>
public sealed record Placeholder(PlaceholderKind Kind, int? Source)
{
    private static readonly (string Suffix, PlaceholderKind Kind)[] Modifiers =
    [
        (string.Empty, PlaceholderKind.Value),
        (".", PlaceholderKind.WithoutExtension),
        ("/", PlaceholderKind.Basename),
        ("//", PlaceholderKind.Dirname),
        ("/.", PlaceholderKind.BasenameWithoutExtension),
    ];

    /// <summary>Reads the text between the braces (<c>""</c>, <c>"."</c>, <c>"2/."</c>, <c>"#"</c>); <c>null</c> if it is not a placeholder (then the braces are literal text).</summary>
    /// <param name="inner">The text between <c>{</c> and <c>}</c>.</param>
    /// <returns>The placeholder, or <c>null</c>.</returns>
    public static Placeholder? TryParse(ReadOnlySpan<char> inner)
    {
        if (inner.SequenceEqual("#"))
        {
            return new Placeholder(PlaceholderKind.Sequence, null);
        }

        if (inner.SequenceEqual("%"))
        {
            return new Placeholder(PlaceholderKind.Slot, null);
        }

        int digits = 0;
        while (digits < inner.Length && char.IsAsciiDigit(inner[digits]))
        {
            digits++;
        }

        int? source = null;
        if (digits > 0)
        {
            if (!int.TryParse(inner[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            {
                return null;
            }

            source = n;
        }

        ReadOnlySpan<char> suffix = inner[digits..];
        foreach ((string text, PlaceholderKind kind) in Modifiers)
        {
            if (suffix.SequenceEqual(text))
            {
                return new Placeholder(kind, source);
            }
        }

        return null;
    }

    /// <summary>The value for one job.</summary>
    /// <param name="values">The job's values, one per input source.</param>
    /// <param name="sequence">The job's sequence number.</param>
    /// <param name="slot">The job slot.</param>
    /// <returns>The text that replaces the placeholder (unquoted).</returns>
    /// <exception cref="ArgumentException">A positional placeholder names a source the job has no value for.</exception>
    public string Expand(IReadOnlyList<string> values, long sequence, int slot)
    {
        ArgumentNullException.ThrowIfNull(values);
        switch (Kind)
        {
            case PlaceholderKind.Sequence:
                return sequence.ToString(CultureInfo.InvariantCulture);
            case PlaceholderKind.Slot:
                return slot.ToString(CultureInfo.InvariantCulture);
        }

        if (Source is { } n && n > values.Count)
        {
            throw new ArgumentException($"{this} names input source {n}, but there are only {values.Count}.", nameof(values));
        }

        if (Source is null && values.Count != 1)
        {
            // {} with several sources: each value edited on its own, joined by spaces (GNU parallel).
            return string.Join(' ', values.Select(Edit));
        }

        return Edit(values[(Source ?? 1) - 1]);
    }

    /// <summary>The placeholder as written: <c>{2/.}</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        string inner = Kind switch
        {
            PlaceholderKind.Sequence => "#",
            PlaceholderKind.Slot => "%",
            _ => (Source?.ToString(CultureInfo.InvariantCulture) ?? string.Empty) + Modifiers.First(m => m.Kind == Kind).Suffix,
        };
        return "{" + inner + "}";
    }

    private string Edit(string value) => Kind switch
    {
        PlaceholderKind.Value => value,
        PlaceholderKind.WithoutExtension => PathParts.WithoutExtension(value),
        PlaceholderKind.Basename => PathParts.Basename(value),
        PlaceholderKind.Dirname => PathParts.Dirname(value),
        PlaceholderKind.BasenameWithoutExtension => PathParts.WithoutExtension(PathParts.Basename(value)),
        _ => throw new InvalidOperationException($"{Kind} is not an edit of a value."),
    };
}
