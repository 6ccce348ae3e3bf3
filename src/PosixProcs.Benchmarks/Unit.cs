using System.Globalization;

namespace PosixProcs.Benchmarks;

/// <summary>
/// The unit of a figure, and whether less of it is better. Every figure is a time per
/// operation (us, ms, s), a rate (per second, MiB per second), or a size a repetition reports
/// (KiB: memory); the same symbols are used in the JSON the C and Python references print.
/// </summary>
/// <param name="Symbol">The symbol as printed: <c>us</c>, <c>ms</c>, <c>s</c>, <c>MiB/s</c>, <c>msg/s</c>, <c>tasks/s</c>, <c>items/s</c>, <c>jobs/s</c>, <c>KiB</c>.</param>
/// <param name="LowerIsBetter">True for times and sizes, false for rates.</param>
public sealed record Unit(string Symbol, bool LowerIsBetter)
{
    /// <summary>Microseconds per operation.</summary>
    public static Unit Microseconds { get; } = new("us", true);

    /// <summary>Milliseconds per operation.</summary>
    public static Unit Milliseconds { get; } = new("ms", true);

    /// <summary>Seconds for the whole repetition.</summary>
    public static Unit Seconds { get; } = new("s", true);

    /// <summary>Mebibytes moved per second.</summary>
    public static Unit MebibytesPerSecond { get; } = new("MiB/s", false);

    /// <summary>Messages per second.</summary>
    public static Unit MessagesPerSecond { get; } = new("msg/s", false);

    /// <summary>Tasks completed per second.</summary>
    public static Unit TasksPerSecond { get; } = new("tasks/s", false);

    /// <summary>Items processed per second.</summary>
    public static Unit ItemsPerSecond { get; } = new("items/s", false);

    /// <summary>
    /// Kibibytes a repetition reports in <see cref="Work.Bytes"/> (a size, such as a process's
    /// resident memory; the repetition's duration does not enter it).
    /// </summary>
    public static Unit Kibibytes { get; } = new("KiB", true);

    /// <summary>Commands run to completion per second (a parallel runner's jobs).</summary>
    public static Unit JobsPerSecond { get; } = new("jobs/s", false);

    private static readonly Unit[] Known = [Microseconds, Milliseconds, Seconds, MebibytesPerSecond, MessagesPerSecond, TasksPerSecond, ItemsPerSecond, JobsPerSecond, Kibibytes];

    /// <summary>Finds a unit by its symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The unit.</returns>
    /// <exception cref="FormatException">The symbol is not one of the known units.</exception>
    public static Unit Parse(string symbol) =>
        Known.FirstOrDefault(u => u.Symbol == symbol)
        ?? throw new FormatException($"unknown unit '{symbol}' (known: {string.Join(", ", Known.Select(u => u.Symbol))})");

    /// <summary>Turns one timed repetition into a value of this unit.</summary>
    /// <param name="elapsed">How long the repetition took.</param>
    /// <param name="work">What it did.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The work has no operations (or no bytes, for MiB/s).</exception>
    public double FromRepetition(TimeSpan elapsed, Work work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (work.Operations <= 0 || ((this == MebibytesPerSecond || this == Kibibytes) && work.Bytes <= 0))
        {
            throw new ArgumentException($"A repetition must do work to be measured in {Symbol}: {work}.", nameof(work));
        }

        double seconds = elapsed.TotalSeconds;
        return Symbol switch
        {
            "us" => seconds * 1e6 / work.Operations,
            "ms" => seconds * 1e3 / work.Operations,
            "s" => seconds,
            "MiB/s" => work.Bytes / (1024.0 * 1024.0) / seconds,
            "KiB" => work.Bytes / 1024.0 / work.Operations,
            _ => work.Operations / seconds,
        };
    }

    /// <summary>Converts a value of this unit to <paramref name="target"/>; only times convert (us, ms, s).</summary>
    /// <param name="value">The value in this unit.</param>
    /// <param name="target">The unit wanted.</param>
    /// <returns>The value in <paramref name="target"/>.</returns>
    /// <exception cref="ArgumentException">The units measure different things.</exception>
    public double Convert(double value, Unit target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target == this)
        {
            return value;
        }

        return SecondsPer(this) is { } from && SecondsPer(target) is { } to
            ? value * from / to
            : throw new ArgumentException($"{Symbol} cannot be converted to {target.Symbol}.", nameof(target));
    }

    /// <summary>A value formatted with about four significant digits and this unit.</summary>
    /// <param name="value">The value.</param>
    /// <returns>For example <c>22.11 us</c> or <c>1.287e+07 msg/s</c>.</returns>
    public string Format(double value) => $"{FormatNumber(value)} {Symbol}";

    /// <summary>A number with about four significant digits; exponent form beyond a million.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The text.</returns>
    public static string FormatNumber(double value)
    {
        double magnitude = Math.Abs(value);
        return magnitude switch
        {
            >= 1e6 => value.ToString("0.000e+0", CultureInfo.InvariantCulture),
            >= 1000 => value.ToString("0", CultureInfo.InvariantCulture),
            >= 100 => value.ToString("0.0", CultureInfo.InvariantCulture),
            >= 10 => value.ToString("0.00", CultureInfo.InvariantCulture),
            _ => value.ToString("0.000", CultureInfo.InvariantCulture),
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Symbol;

    private static double? SecondsPer(Unit unit) => unit.Symbol switch
    {
        "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1,
        _ => null,
    };
}
