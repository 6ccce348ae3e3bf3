namespace PosixProcs;

/// <summary>fork() was refused because it would crash the parent or hang the child.</summary>
public sealed class ForkHazardException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="hazards">The hazards found.</param>
    /// <param name="message">What was found and how to fix it.</param>
    public ForkHazardException(ForkHazards hazards, string message)
        : base(message)
    {
        Hazards = hazards;
    }

    /// <summary>The hazards that were found.</summary>
    public ForkHazards Hazards { get; }
}
