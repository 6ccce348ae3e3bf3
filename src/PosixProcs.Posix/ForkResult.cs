namespace PosixProcs;

/// <summary>What <see cref="Posix.Fork"/> returned, in the process that sees it: a closed set.</summary>
public abstract record ForkResult
{
    private ForkResult()
    {
    }

    /// <summary>This is the parent; the child has this pid.</summary>
    /// <param name="ChildPid">The new child.</param>
    public sealed record Parent(Pid ChildPid) : ForkResult;

    /// <summary>This is the child. Leave it through <see cref="Posix.Exit"/>, never by returning to the caller's loop.</summary>
    public sealed record Child : ForkResult
    {
        /// <summary>The one value.</summary>
        public static Child Instance { get; } = new();
    }
}
