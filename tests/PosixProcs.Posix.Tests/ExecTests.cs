using PosixProcs.Testing;

namespace PosixProcs.PosixTests;

[Collection(SerialChildProcesses.Name)]
public class ExecTests
{
    [Fact]
    public void Exec_MissingProgram_ThrowsENOENTAndReturns()
    {
        var ex = Assert.Throws<PosixException>(() => Posix.Exec("/no/such/program", ["x"]));
        Assert.Equal("execve", ex.CallName);
        Assert.Equal(PosixErrno.ENOENT, ex.Errno);
    }

    [Fact]
    public void Exec_NoArgv0_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Posix.Exec("/bin/true", []));
    }

    [Fact]
    public void Exec_InForkedChild_RunsTheProgramWithArgumentsAndEnvironment()
    {
        ScenarioResult result = Helper.Run(nameof(ExecScenarios.ForkThenExec));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("exited with code 5", result.Values["status"]);
        Assert.Equal("a b|set", result.Values["output"]);
    }
}

public static class ExecScenarios
{
    [Scenario]
    public static int ForkThenExec(string[] args)
    {
        using PipeEnds output = Posix.Pipe();
        if (Posix.Fork() is ForkResult.Parent parent)
        {
            output.Write.Dispose();
            byte[] buffer = new byte[256];
            int n = Posix.Read(output.Read, buffer);
            Console.WriteLine($"status={Posix.WaitPid(parent.ChildPid)}");
            Console.WriteLine($"output={System.Text.Encoding.UTF8.GetString(buffer, 0, n).Trim()}");
            return 0;
        }

        using FileDescriptorHandle stdout = Posix.Dup2(output.Write, 1);
        Posix.Exec("/bin/sh", ["sh", "-c", "echo \"$1|$X\"; exit 5", "sh", "a b"], ["X=set"]);
        Posix.Exit(127);
        return 127;
    }
}
