namespace PosixProcs.Runner;

/// <summary>How jobs' output reaches the runner's output.</summary>
public enum OutputMode
{
    /// <summary>Each job's stdout (then stderr) written in one piece when it ends: never interleaved (GNU parallel's default, --group).</summary>
    Group,

    /// <summary>Complete lines written as they arrive: lines of different jobs interleave, a line never splits (--line-buffer).</summary>
    LineBuffer,

    /// <summary>One JSON object per job, on one line, with its output captured in it (--json).</summary>
    Json,
}
