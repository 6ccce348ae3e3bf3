using System.Diagnostics;

namespace PosixProcs.Labs;

/// <summary>
/// One lab: a claim about processes, stated in one sentence, and a run that measures the
/// numbers which decide whether it holds. Labs fork: run them from a single-threaded
/// process whose runtime has the fork switches (see README, "Fork from .NET").
/// </summary>
public abstract class Lab
{
    /// <summary>The name on the command line, e.g. <c>"cow"</c>.</summary>
    public abstract string Name { get; }

    /// <summary>A short header, e.g. <c>"Copy-on-write after fork"</c>.</summary>
    public abstract string Title { get; }

    /// <summary>What the lab shows, in one sentence; the checks decide whether it holds.</summary>
    public abstract string Claim { get; }

    /// <summary>One line for <c>posixprocs lab --list</c>: what the lab does.</summary>
    public abstract string Summary { get; }

    /// <summary>What to try next, after reading the numbers.</summary>
    public abstract IReadOnlyList<string> NextSteps { get; }

    /// <summary>Runs the lab: narrates, measures and checks through <paramref name="context"/>.</summary>
    /// <param name="context">Where the narration goes, and the command that starts this program again.</param>
    /// <returns>The claim, the measurements, the checks and the verdict: held, did not hold, or inconclusive (a timing check on a busy machine).</returns>
    /// <exception cref="PosixException">A system call failed.</exception>
    public LabResult Execute(LabContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var recorder = new LabRecorder(context.Narrator);
        context.Narrator.Section(Title);
        context.Narrator.Claim(Claim);
        if (recorder.MeasureLoadAtStart().IsBusy)
        {
            recorder.Step("The machine is busy: a timing check that fails here is inconclusive, not false; the other checks hold under any load.");
        }

        Stopwatch elapsed = Stopwatch.StartNew();
        try
        {
            Run(context, recorder);
        }
        catch (Exception ex) when (ex is PosixException or TimeoutException or InvalidOperationException or IOException or KeyNotFoundException or FormatException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            // Reported, not hidden: the claim cannot hold, the check says why, the result carries the exception.
            recorder.Check("ranToEnd", $"the lab ran to the end ({ex.GetType().Name}: {ex.Message})", false);
            recorder.Error = ex.ToString();
        }

        elapsed.Stop();
        foreach (string suggestion in NextSteps)
        {
            context.Narrator.Suggest(suggestion);
        }

        return recorder.ToResult(this, elapsed.Elapsed);
    }

    /// <summary>The lab itself.</summary>
    /// <param name="context">The narrator and the self command.</param>
    /// <param name="recorder">Where measurements, checks and the evidence go.</param>
    protected abstract void Run(LabContext context, LabRecorder recorder);
}
