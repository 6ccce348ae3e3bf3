using System.Text.Json;

namespace PosixProcs.Benchmarks;

/// <summary>
/// One figure printed by a C or Python reference: one JSON object per line with
/// name, unit, value (the median), min, max, repetitions, count and checksum.
/// </summary>
/// <param name="Name">The figure's name, e.g. <c>c.pipe_pingpong_64B</c>.</param>
/// <param name="Unit">Its unit.</param>
/// <param name="Summary">Median, min, max and repetitions, as the reference computed them.</param>
/// <param name="Count">Operations done over all timed repetitions.</param>
/// <param name="Checksum">The reference's checksum of its results.</param>
public sealed record ExternalFigure(string Name, Unit Unit, Summary Summary, ulong Count, ulong Checksum)
{
    /// <summary>Parses every non-empty line of a reference's output.</summary>
    /// <param name="output">The reference's stdout.</param>
    /// <returns>The figures, in order.</returns>
    /// <exception cref="FormatException">A line is not a complete, consistent figure.</exception>
    public static IReadOnlyList<ExternalFigure> ParseAll(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return [.. output.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0).Select(Parse)];
    }

    /// <summary>Parses one line.</summary>
    /// <param name="line">A JSON object.</param>
    /// <returns>The figure.</returns>
    /// <exception cref="FormatException">Not JSON, a field is missing or of the wrong type, or min &lt;= value &lt;= max does not hold.</exception>
    public static ExternalFigure Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        try
        {
            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            string name = root.GetProperty("name").GetString() ?? throw new FormatException("name is null");
            var unit = Benchmarks.Unit.Parse(root.GetProperty("unit").GetString() ?? string.Empty);
            double value = root.GetProperty("value").GetDouble();
            double min = root.GetProperty("min").GetDouble();
            double max = root.GetProperty("max").GetDouble();
            int repetitions = root.GetProperty("repetitions").GetInt32();
            ulong count = root.GetProperty("count").GetUInt64();
            ulong checksum = root.GetProperty("checksum").GetUInt64();
            if (repetitions < 1 || !(min <= value && value <= max) || !double.IsFinite(min) || !double.IsFinite(max))
            {
                throw new FormatException($"inconsistent figure: repetitions {repetitions}, min {min}, value {value}, max {max}");
            }

            return new ExternalFigure(name, unit, new Summary(value, min, max, repetitions), count, checksum);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"not a reference figure: {line} ({e.Message})", e);
        }
    }

    /// <summary>Checks the figure is the one asked for and did the work asked for.</summary>
    /// <param name="name">The expected name.</param>
    /// <param name="unit">The expected unit.</param>
    /// <param name="expectedCount">Operations expected over all timed repetitions.</param>
    /// <returns>This figure.</returns>
    /// <exception cref="BenchmarkCheckException">Name, unit or count differ, or the checksum is 0 although work was done.</exception>
    public ExternalFigure Check(string name, Unit unit, ulong expectedCount)
    {
        if (Name != name || Unit != unit)
        {
            throw new BenchmarkCheckException($"expected figure {name} in {unit}, got {Name} in {Unit}.");
        }

        if (Count != expectedCount)
        {
            throw new BenchmarkCheckException($"{Name}: the reference did {Count} operations, {expectedCount} were asked.");
        }

        if (Checksum == 0)
        {
            throw new BenchmarkCheckException($"{Name}: checksum 0; every reference's checksum is derived from non-zero results.");
        }

        return this;
    }
}
