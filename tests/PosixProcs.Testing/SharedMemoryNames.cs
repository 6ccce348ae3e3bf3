using System.Security.Cryptography;

namespace PosixProcs.Testing;

/// <summary>
/// Names for named shared memory in tests, and the check that none is left in /dev/shm
/// (Linux: where glibc's shm_open keeps the objects). Each test class uses its own prefix,
/// so counts before and after are not disturbed by other tests running in parallel.
/// </summary>
public static class SharedMemoryNames
{
    /// <summary>Where Linux keeps shared memory objects.</summary>
    public const string Directory = "/dev/shm";

    /// <summary>A name no other test uses: <paramref name="prefix"/> and 12 random hex digits.</summary>
    /// <param name="prefix">The test class's prefix.</param>
    /// <returns>The bare name (no slash).</returns>
    public static string Fresh(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>The objects whose names start with <paramref name="prefix"/>, sorted.</summary>
    /// <param name="prefix">The prefix.</param>
    /// <returns>The bare names.</returns>
    public static IReadOnlyList<string> Existing(string prefix) =>
        [.. System.IO.Directory.GetFiles(Directory, prefix + "*").Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)];

    /// <summary>Whether an object of that bare name exists.</summary>
    /// <param name="name">The bare name.</param>
    /// <returns>True if /dev/shm/NAME exists.</returns>
    public static bool Exists(string name) => File.Exists(Path.Combine(Directory, name));

    /// <summary>Removes an object a failed test may have left (no error if it is gone).</summary>
    /// <param name="name">The bare name.</param>
    public static void Remove(string name) => File.Delete(Path.Combine(Directory, name));
}
