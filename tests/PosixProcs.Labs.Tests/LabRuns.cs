using System.Text.Json;
using PosixProcs.CliTesting;
using PosixProcs.Labs;

namespace PosixProcs.LabsTests;

/// <summary>Lab runs fork and time things: one at a time, so they do not compete with each other for the 2 CPUs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabRuns
{
    public const string Name = "lab runs";

    /// <summary>Runs <c>posixprocs lab NAME --json</c> and returns its JSON, after checking the shape every lab shares.</summary>
    public static LabJson Run(string lab)
    {
        // Hang protection only: on a saturated machine a lab may take several times its usual time.
        CliRun run = CliRunner.Run(TimeSpan.FromSeconds(600), "lab", lab, "--json");
        JsonElement json;
        try
        {
            json = run.Json;
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"not JSON: {ex.Message}\n{run}", ex);
        }

        Assert.Equal(lab, json.GetProperty("lab").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("claim").GetString()));
        string verdict = json.GetProperty("verdict").GetString()!;
        Assert.Contains(verdict, new[] { "held", "inconclusive", "did not hold" });
        Assert.Equal(verdict == "did not hold" ? 1 : 0, run.ExitCode);
        Assert.Equal(verdict == "held", json.GetProperty("holds").GetBoolean());
        return new LabJson(json, run);
    }
}

/// <summary>A lab's JSON result, with typed access to its measurements and checks.</summary>
public sealed record LabJson(JsonElement Root, CliRun Run)
{
    public bool Holds => Root.GetProperty("holds").GetBoolean();

    public string Verdict => Root.GetProperty("verdict").GetString()!;

    /// <summary>Whether the lab saw a busy machine, by the rule the labs use, from the load it recorded.</summary>
    public bool SawBusyMachine => Busy("AtStart") || Busy("AtCheck");

    /// <summary>
    /// The claim held, or is inconclusive only because timing checks failed on a machine the
    /// lab itself measured as busy: every check that is not about time held, whatever the load.
    /// </summary>
    public void AssertClaimHoldsOrTimingInconclusive()
    {
        Assert.True(Verdict != "did not hold", ToString());
        foreach (JsonElement check in Root.GetProperty("checks").EnumerateArray())
        {
            string name = check.GetProperty("name").GetString()!;
            bool holds = check.GetProperty("holds").GetBoolean();
            if (!check.GetProperty("timing").GetBoolean())
            {
                Assert.True(holds, $"the check {name} is not about time and must hold on any load\n{Run}");
            }
            else if (!holds)
            {
                Assert.Equal("inconclusive", check.GetProperty("verdict").GetString());
                Assert.True(SawBusyMachine || Environment.ProcessorCount < 2, $"the timing check {name} failed and was called inconclusive, but the lab saw an idle machine\n{Run}");
            }
        }

        Assert.Equal(Root.GetProperty("checks").EnumerateArray().All(c => c.GetProperty("holds").GetBoolean()) ? "held" : "inconclusive", Verdict);
    }

    public bool IsTiming(string check) => CheckElement(check).GetProperty("timing").GetBoolean();

    public long Whole(string name) => Measurement(name).GetInt64();

    public double Number(string name) => Measurement(name).GetDouble();

    public bool Bool(string name) => Measurement(name).GetBoolean();

    public string Text(string name) => Measurement(name).GetString()!;

    public bool Check(string name) => CheckElement(name).GetProperty("holds").GetBoolean();

    private JsonElement CheckElement(string name)
    {
        foreach (JsonElement check in Root.GetProperty("checks").EnumerateArray())
        {
            if (check.GetProperty("name").GetString() == name)
            {
                return check;
            }
        }

        throw new KeyNotFoundException($"no check named {name}\n{Run}");
    }

    private bool Busy(string when) =>
        Root.GetProperty("measurements").TryGetProperty("cpuShare" + when, out JsonElement share)
        && new MachineLoad(
            Root.GetProperty("measurements").TryGetProperty("loadAverage" + when, out JsonElement load) ? load.GetDouble() : double.NaN,
            Environment.ProcessorCount,
            share.GetDouble()).IsBusy;

    private JsonElement Measurement(string name) =>
        Root.GetProperty("measurements").TryGetProperty(name, out JsonElement value) ? value : throw new KeyNotFoundException($"no measurement named {name}\n{Run}");

    public override string ToString() => Run.ToString();
}
