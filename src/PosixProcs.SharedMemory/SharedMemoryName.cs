using System.Security.Cryptography;

namespace PosixProcs.SharedMemory;

/// <summary>
/// The names of <see cref="SharedMemoryBacking.Named"/> regions: checked before any system
/// call, and made up at random when the creator gives none (Python's <c>psm_</c> names).
/// </summary>
internal static class SharedMemoryName
{
    /// <summary>The prefix of the names made up by <see cref="Random"/>.</summary>
    public const string RandomPrefix = "pp_";

    /// <summary>
    /// The name without a leading slash, as <see cref="SharedMemoryRegion.Name"/> reports it;
    /// one leading slash is accepted and dropped (shm_open's own spelling).
    /// </summary>
    /// <exception cref="ArgumentException">Empty, only a slash, "." or "..", a slash or NUL inside, or longer than the platform allows.</exception>
    public static string Normalize(string? name, string parameterName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, parameterName);
        string bare = name[0] == '/' ? name[1..] : name;
        if (bare.Length == 0 || bare is "." or "..")
        {
            throw new ArgumentException($"\"{name}\" is not a shared memory name: it needs at least one character besides a leading slash, and cannot be \".\" or \"..\".", parameterName);
        }

        if (bare.AsSpan().IndexOfAny('/', '\0') >= 0)
        {
            throw new ArgumentException($"The shared memory name \"{name}\" holds a slash or a NUL: only one leading slash is allowed.", parameterName);
        }

        if (bare.Length > Posix.MaxSharedMemoryNameLength)
        {
            throw new ArgumentException($"The shared memory name \"{name}\" has {bare.Length} characters; this platform allows at most {Posix.MaxSharedMemoryNameLength}.", parameterName);
        }

        return bare;
    }

    /// <summary>
    /// A fresh random name: <see cref="RandomPrefix"/> and 12 hex digits (48 random bits), 15
    /// characters, short enough for macOS; Python's are <c>psm_</c> and 10 hex digits.
    /// </summary>
    public static string Random() => RandomPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The name as shm_open and shm_unlink take it.</summary>
    public static string ForSystem(string bareName) => "/" + bareName;
}
