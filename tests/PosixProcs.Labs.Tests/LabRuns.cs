using System.Text.Json;
using PosixProcs.CliTesting;

namespace PosixProcs.LabsTests;

/// <summary>Lab runs fork and time things: one at a time, so they do not compete with each other for the 2 CPUs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LabRuns
{
    public const string Name = "lab runs";

    /// <summary>Runs <c>posixprocs lab NAME --json</c> and returns its JSON, after checking the shape every lab shares.</summary>
    public static LabJson Run(string lab)
    {
        CliRun run = CliRunner.Run(TimeSpan.FromSeconds(120), "lab", lab, "--json");
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
        bool holds = json.GetProperty("holds").GetBoolean();
        Assert.Equal(holds ? 0 : 1, run.ExitCode);
        return new LabJson(json, run);
    }
}

/// <summary>A lab's JSON result, with typed access to its measurements and checks.</summary>
public sealed record LabJson(JsonElement Root, CliRun Run)
{
    public bool Holds => Root.GetProperty("holds").GetBoolean();

    public long Whole(string name) => Measurement(name).GetInt64();

    public double Number(string name) => Measurement(name).GetDouble();

    public bool Bool(string name) => Measurement(name).GetBoolean();

    public string Text(string name) => Measurement(name).GetString()!;

    public bool Check(string name)
    {
        foreach (JsonElement check in Root.GetProperty("checks").EnumerateArray())
        {
            if (check.GetProperty("name").GetString() == name)
            {
                return check.GetProperty("holds").GetBoolean();
            }
        }

        throw new KeyNotFoundException($"no check named {name}\n{Run}");
    }

    private JsonElement Measurement(string name) =>
        Root.GetProperty("measurements").TryGetProperty(name, out JsonElement value) ? value : throw new KeyNotFoundException($"no measurement named {name}\n{Run}");

    public override string ToString() => Run.ToString();
}
