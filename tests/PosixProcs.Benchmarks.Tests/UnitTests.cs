namespace PosixProcs.Benchmarks.Tests;

public class UnitTests
{
    [Fact]
    public void FromRepetition_Microseconds_IsTimePerOperation() =>
        Assert.Equal(20, Unit.Microseconds.FromRepetition(TimeSpan.FromMilliseconds(2), new Work(100, 1)), 9);

    [Fact]
    public void FromRepetition_Rate_IsOperationsPerSecond() =>
        Assert.Equal(4000, Unit.MessagesPerSecond.FromRepetition(TimeSpan.FromMilliseconds(500), new Work(2000, 1)), 9);

    [Fact]
    public void FromRepetition_MebibytesPerSecond_UsesBytes() =>
        Assert.Equal(512, Unit.MebibytesPerSecond.FromRepetition(TimeSpan.FromMilliseconds(250), new Work(2, 1, 128L * 1024 * 1024)), 9);

    [Fact]
    public void FromRepetition_NoOperations_Throws() =>
        Assert.Throws<ArgumentException>(() => Unit.Microseconds.FromRepetition(TimeSpan.FromSeconds(1), new Work(0, 0)));

    [Fact]
    public void Convert_MillisecondsToMicroseconds_ScalesByThousand() =>
        Assert.Equal(14_000, Unit.Milliseconds.Convert(14, Unit.Microseconds), 9);

    [Fact]
    public void Convert_TimeToRate_Throws() =>
        Assert.Throws<ArgumentException>(() => Unit.Microseconds.Convert(1, Unit.MebibytesPerSecond));

    [Theory]
    [InlineData("us", true)]
    [InlineData("MiB/s", false)]
    [InlineData("tasks/s", false)]
    [InlineData("s", true)]
    [InlineData("KiB", true)]
    public void Parse_KnownSymbol_KnowsDirection(string symbol, bool lowerIsBetter) =>
        Assert.Equal(lowerIsBetter, Unit.Parse(symbol).LowerIsBetter);

    [Fact]
    public void Kibibytes_FromRepetition_ReportedBytesPerOperationNotTime() =>
        Assert.Equal(1200, Unit.Kibibytes.FromRepetition(TimeSpan.FromSeconds(3), new Work(1, 1, 1200L * 1024)), 9);

    [Fact]
    public void Kibibytes_NoBytesReported_Throws() =>
        Assert.Throws<ArgumentException>(() => Unit.Kibibytes.FromRepetition(TimeSpan.FromSeconds(1), new Work(1, 1)));

    [Fact]
    public void Parse_Unknown_Throws() => Assert.Throws<FormatException>(() => Unit.Parse("furlongs"));

    [Theory]
    [InlineData(22.109, "22.11")]
    [InlineData(1681.7, "1682")]
    [InlineData(12865600, "1.287e+7")]
    [InlineData(0.4374, "0.437")]
    public void FormatNumber_FourSignificantDigits(double value, string expected) =>
        Assert.Equal(expected, Unit.FormatNumber(value));
}
