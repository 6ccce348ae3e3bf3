namespace PosixProcs;

/// <summary>A terminal's window size in character cells (struct winsize's ws_col and ws_row).</summary>
public readonly record struct TerminalSize
{
    /// <summary>Creates a size.</summary>
    /// <param name="columns">Characters per line, 1..65535.</param>
    /// <param name="rows">Lines, 1..65535.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public TerminalSize(int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, ushort.MaxValue);
        Columns = columns;
        Rows = rows;
    }

    /// <summary>The classic 80 x 24.</summary>
    public static TerminalSize Default { get; } = new(80, 24);

    /// <summary>Characters per line.</summary>
    public int Columns { get; }

    /// <summary>Lines.</summary>
    public int Rows { get; }

    /// <summary>"80x24".</summary>
    /// <returns>Columns x rows.</returns>
    public override string ToString() => $"{Columns}x{Rows}";
}
