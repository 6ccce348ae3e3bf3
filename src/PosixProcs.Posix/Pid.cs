namespace PosixProcs;

/// <summary>A process id. Its own type, so a pid is never mistaken for a descriptor or a count.</summary>
/// <param name="Value">The kernel's number for the process; positive.</param>
public readonly record struct Pid(int Value)
{
    /// <summary>This process (getpid).</summary>
    public static Pid Current => new(Interop.getpid());

    /// <summary>This process's parent (getppid); 1 or a subreaper once the parent has died.</summary>
    public static Pid Parent => new(Interop.getppid());

    /// <summary>The number alone, as <c>ps</c> shows it.</summary>
    /// <returns>The decimal pid.</returns>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal int Checked()
    {
        return Value > 0 ? Value : throw new ArgumentOutOfRangeException(nameof(Value), Value, "A pid must be positive: 0 and negative values name process groups or \"any child\".");
    }
}
