namespace PosixProcs.Runner.Tests;

public class TemplateTests
{
    [Theory]
    [InlineData("{}", "dir/sub/file.tar.gz", "dir/sub/file.tar.gz")]
    [InlineData("{.}", "dir/sub/file.tar.gz", "dir/sub/file.tar")]
    [InlineData("{.}", "a.b/c", "a.b/c")]
    [InlineData("{.}", "file.", "file")]
    [InlineData("{.}", ".bashrc", "")]
    [InlineData("{/}", "dir/sub/file.txt", "file.txt")]
    [InlineData("{/}", "file.txt", "file.txt")]
    [InlineData("{/}", "dir/", "")]
    [InlineData("{//}", "dir/sub/file.txt", "dir/sub")]
    [InlineData("{//}", "file.txt", ".")]
    [InlineData("{//}", "/file.txt", "/")]
    [InlineData("{//}", "dir/sub/", "dir")]
    [InlineData("{/.}", "dir/sub/file.txt", "file")]
    [InlineData("{#}", "whatever", "7")]
    [InlineData("{%}", "whatever", "2")]
    [InlineData("x{}y", "a b", "xa by")]
    [InlineData("{foo}", "v", "{foo}")]
    [InlineData("${HOME}", "v", "${HOME}")]
    [InlineData("{{}}", "v", "{v}")]
    public void ExpandArguments_Placeholder_GivesGnuParallelValue(string word, string value, string expected)
    {
        CommandTemplate template = CommandTemplate.Parse(["cmd", word]);

        IReadOnlyList<string> argv = template.ExpandArguments([value], sequence: 7, slot: 2);

        Assert.Equal(template.HasPlaceholders ? ["cmd", expected] : ["cmd", expected, value], argv);
    }

    [Fact]
    public void ExpandArguments_PositionalPlaceholders_TakeTheirSource()
    {
        CommandTemplate template = CommandTemplate.Parse(["cp", "{1}", "{2//}/{1/.}.bak", "{}"]);

        Assert.Equal(["cp", "a/x.txt", "out/x.bak", "a/x.txt out/y"], template.ExpandArguments(["a/x.txt", "out/y"], 1, 1));
        Assert.Equal(2, template.HighestSource);
    }

    [Fact]
    public void ExpandArguments_NoPlaceholder_AppendsEachValueAsOneArgument()
    {
        CommandTemplate template = CommandTemplate.Parse(["echo", "-n"]);

        Assert.Equal(["echo", "-n", "a b", "$(c)"], template.ExpandArguments(["a b", "$(c)"], 1, 1));
    }

    [Fact]
    public void ExpandShell_ValueWithCode_IsQuotedAndTheTemplateIsNot()
    {
        CommandTemplate template = CommandTemplate.Parse(["echo", "{}", "|", "wc", "-c"]);

        Assert.Equal("echo '$(touch pwned); rm -rf x' | wc -c", template.ExpandShell(["$(touch pwned); rm -rf x"], 1, 1));
    }

    [Fact]
    public void ExpandArguments_PositionalBeyondTheSources_Throws()
    {
        CommandTemplate template = CommandTemplate.Parse(["echo", "{3}"]);

        Assert.Throws<ArgumentException>(() => template.ExpandArguments(["a", "b"], 1, 1));
    }

    [Fact]
    public void Parse_NoCommand_Throws()
    {
        Assert.Throws<ArgumentException>(() => CommandTemplate.Parse([]));
        Assert.Throws<ArgumentException>(() => CommandTemplate.Parse([string.Empty]));
    }

    // Expected values are what GNU parallel 20221122 prints with --dry-run.
    [Theory]
    [InlineData("safe-1.2/x+y_z", "safe-1.2/x+y_z")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\"'\"'s'")]
    [InlineData("'start", "\"'\"'start'")]
    [InlineData("end'", "'end'\"'\"")]
    [InlineData("$(touch pwned); rm -rf x", "'$(touch pwned); rm -rf x'")]
    [InlineData("line1\nline2", "'line1\nline2'")]
    public void Quote_Value_MatchesGnuParallel(string value, string expected)
    {
        Assert.Equal(expected, ShellQuoting.Quote(value));
    }

    [Theory]
    [InlineData("never", HaltTiming.Never, HaltCondition.Fail, 1)]
    [InlineData("now,fail=1", HaltTiming.Now, HaltCondition.Fail, 1)]
    [InlineData("soon,success=3", HaltTiming.Soon, HaltCondition.Success, 3)]
    [InlineData("now,done=10", HaltTiming.Now, HaltCondition.Done, 10)]
    [InlineData("1", HaltTiming.Soon, HaltCondition.Fail, 1)]
    [InlineData("2", HaltTiming.Now, HaltCondition.Fail, 1)]
    public void Parse_HaltPolicy_ReadsGnuParallelForms(string text, HaltTiming timing, HaltCondition condition, int threshold)
    {
        Assert.Equal(new HaltPolicy(timing, condition, threshold), HaltPolicy.Parse(text));
    }

    [Theory]
    [InlineData("later,fail=1")]
    [InlineData("now,fail=0")]
    [InlineData("now,crash=1")]
    [InlineData("now")]
    public void Parse_BadHaltPolicy_Throws(string text)
    {
        Assert.Throws<FormatException>(() => HaltPolicy.Parse(text));
    }

    [Fact]
    public void Combine_TwoSources_GivesEveryCombinationFirstSlowest()
    {
        IEnumerable<IReadOnlyList<string>> jobs = InputSource.Combine([InputSource.FromValues(["a", "b"]), InputSource.FromValues(["1", "2"])]);

        Assert.Equal([["a", "1"], ["a", "2"], ["b", "1"], ["b", "2"]], jobs.Select(j => j.ToArray()).ToArray());
    }

    [Fact]
    public void FromLines_CarriageReturnAndEmptyLines_AreData()
    {
        InputSource source = InputSource.FromLines(() => new MemoryStream("a\r\n\nb c"u8.ToArray()));

        Assert.Equal(["a\r", string.Empty, "b c"], source.Read());
    }
}
