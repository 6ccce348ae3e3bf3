namespace PosixProcs;

/// <summary>Which stage's status is the status of a whole <see cref="Pipeline"/>.</summary>
public enum PipelineStatusMode
{
    /// <summary>The last stage's, as POSIX sh reports <c>$?</c> of a pipeline: an earlier stage killed by SIGPIPE does not count.</summary>
    LastStage = 0,

    /// <summary>The rightmost stage that did not succeed, or the last stage's if all succeeded, as bash's <c>set -o pipefail</c>.</summary>
    Pipefail = 1,
}
