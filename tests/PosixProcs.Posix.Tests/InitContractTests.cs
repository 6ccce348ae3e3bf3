using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

/// <summary>
/// The container init (native/init/posixprocs-init.c) against the contract in
/// InitContract/init-contract.sh, and tini against the same script: the behaviour is proved
/// the same as the reference's, case by case. Needs root (PID namespaces) and tini (both are
/// there in CI: `make` installs tini).
/// </summary>
[Collection(SerialChildProcesses.Name)]
public class InitContractTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string init in new[] { "posixprocs-init", "tini" })
        {
            foreach (string name in new[] { "exit-code", "killed-by-signal", "orphans-reaped", "signals-forwarded", "group-forwarding", "subreaper", "exec-failure" })
            {
                data.Add(init, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Init_ContractCase_BehavesAsAnInitMust(string init, string contractCase)
    {
        string program = init == "tini" ? "/usr/bin/tini" : InitPath;
        Assert.True(File.Exists(program), $"{program} is missing: `make native` builds posixprocs-init and installs tini");
        string script = Path.Combine(RepositoryRoot, "tests", "PosixProcs.Posix.Tests", "InitContract", "init-contract.sh");
        // Every signal at its default action, as a container runtime starts its init: a test
        // run under nohup (SIGHUP ignored) would otherwise hand tini a SIGHUP it passes on
        // ignored, and the program could not trap it (posixprocs-init resets it; tini does not).
        ScenarioResult result = ExternalProcess.Run("env", ["--default-signal", "bash", script, program, contractCase], TimeSpan.FromSeconds(150));
        Assert.True(result.ExitCode == 0 && result.Output.StartsWith("PASS ", StringComparison.Ordinal), result.ToString());
    }

    [Fact]
    public void Init_NoProgram_UsageAndExitCode2()
    {
        ScenarioResult result = ExternalProcess.Run(InitPath, [], TimeSpan.FromSeconds(30));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("usage: posixprocs-init", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_ProgramLeavesAJobThatIgnoresTerm_GracePeriodThenKilledAndExitCodeKept()
    {
        // -t: what is left of the program's group gets SIGTERM, then SIGKILL after the grace;
        // -s makes the orphaned job come to init, which reaps it, so it must be gone entirely.
        string marker = Path.Combine(Path.GetTempPath(), $"init-grace-{Guid.NewGuid():N}");
        ScenarioResult result = ExternalProcess.Run(
            InitPath,
            ["-s", "-t", "200", "-v", "--", "sh", "-c", $"sh -c \"trap '' TERM; echo \\$\\$ > {marker}; exec sleep 300\" & while [ ! -s {marker} ]; do sleep 0.01; done; exit 5"],
            TimeSpan.FromSeconds(60));
        try
        {
            Assert.True(result.ExitCode == 5, result.ToString());
            Assert.Contains("SIGTERM to what is left", result.Error, StringComparison.Ordinal);
            Assert.Contains("SIGKILL to what is left", result.Error, StringComparison.Ordinal);
            int job = int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.False(Directory.Exists($"/proc/{job}"), $"the job {job} that ignored SIGTERM is still there");
        }
        finally
        {
            File.Delete(marker);
        }
    }

    // make native builds it into artifacts/native/RID/, next to the shim of this machine.
    private static string InitPath => Path.Combine(RepositoryRoot, "artifacts", "native", HostRid, "posixprocs-init");

    private static string HostRid =>
        (OperatingSystem.IsMacOS() ? "osx-" : "linux-") +
        (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "x64");

    private static string RepositoryRoot
    {
        get
        {
            for (DirectoryInfo? directory = new(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "PosixProcs.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"no PosixProcs.sln above {AppContext.BaseDirectory}");
        }
    }
}
