namespace PosixProcs.Runner;

/// <summary>The path edits behind the placeholders, with GNU parallel's rules (its Perl substitutions).</summary>
internal static class PathParts
{
    /// <summary><c>{.}</c>: the value without its extension (<c>s:\.[^/.]*$::</c>): <c>dir/a.txt</c> gives <c>dir/a</c>.</summary>
    public static string WithoutExtension(string value)
    {
        int dot = value.LastIndexOf('.');
        if (dot < 0 || value.AsSpan(dot + 1).IndexOf('/') >= 0)
        {
            return value;
        }

        return value[..dot];
    }

    /// <summary><c>{/}</c>: everything after the last slash (<c>s:.*/::</c>).</summary>
    public static string Basename(string value)
    {
        int slash = value.LastIndexOf('/');
        return slash < 0 ? value : value[(slash + 1)..];
    }

    /// <summary><c>{//}</c>: the directory, as Perl's File::Basename::dirname (POSIX dirname) gives it.</summary>
    public static string Dirname(string value)
    {
        if (value.Length == 0)
        {
            return ".";
        }

        string trimmed = value.TrimEnd('/');
        if (trimmed.Length == 0)
        {
            return "/";
        }

        int slash = trimmed.LastIndexOf('/');
        if (slash < 0)
        {
            return ".";
        }

        string directory = trimmed[..slash].TrimEnd('/');
        return directory.Length == 0 ? "/" : directory;
    }
}
