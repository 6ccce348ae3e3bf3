using System.Text;

namespace PosixProcs.Runner;

/// <summary>
/// Where a job's values come from: the arguments after <c>:::</c>, the lines of a file
/// (<c>-a FILE</c>, <c>:::: FILE</c>) or of a stream such as standard input. Lines are read
/// lazily, so a long stdin starts jobs before it ends; a trailing <c>\r</c> is kept (it is data).
/// </summary>
public abstract class InputSource
{
    private InputSource()
    {
    }

    /// <summary>Values given directly (<c>::: a b c</c>).</summary>
    /// <param name="values">The values.</param>
    /// <returns>The source.</returns>
    public static InputSource FromValues(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new ValuesSource([.. values]);
    }

    /// <summary>One value per line of a file, read when the run reaches it.</summary>
    /// <param name="path">The file; <c>-</c> is standard input.</param>
    /// <returns>The source.</returns>
    public static InputSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return path == "-" ? FromLines(Console.OpenStandardInput) : new LinesSource(() => File.OpenRead(path), path);
    }

    /// <summary>One value per line of a stream, opened when the run reaches it and disposed at its end.</summary>
    /// <param name="open">Opens the stream (for example <see cref="Console.OpenStandardInput()"/>).</param>
    /// <returns>The source.</returns>
    public static InputSource FromLines(Func<Stream> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        return new LinesSource(open, "standard input");
    }

    /// <summary>The values, in order.</summary>
    /// <returns>A lazy sequence.</returns>
    public abstract IEnumerable<string> Read();

    /// <summary>
    /// Every combination of the sources' values, as GNU parallel forms them: the first source
    /// varies slowest (<c>::: a b ::: 1 2</c> gives a 1, a 2, b 1, b 2). The first source is read
    /// lazily; the others are read once, up front, because each of their values is used many times.
    /// </summary>
    /// <param name="sources">One or more sources.</param>
    /// <returns>One list of values (one per source) per job.</returns>
    /// <exception cref="ArgumentException">No sources.</exception>
    public static IEnumerable<IReadOnlyList<string>> Combine(IReadOnlyList<InputSource> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            throw new ArgumentException("At least one input source is needed.", nameof(sources));
        }

        return CombineLazily(sources);
    }

    private static IEnumerable<IReadOnlyList<string>> CombineLazily(IReadOnlyList<InputSource> sources)
    {
        List<string>[] rest = [.. sources.Skip(1).Select(s => s.Read().ToList())];
        foreach (string first in sources[0].Read())
        {
            if (rest.Length == 0)
            {
                yield return [first];
                continue;
            }

            foreach (string[] tail in Product(rest, 0))
            {
                yield return [first, .. tail];
            }
        }
    }

    private static IEnumerable<string[]> Product(List<string>[] lists, int index)
    {
        if (index == lists.Length)
        {
            yield return [];
            yield break;
        }

        foreach (string value in lists[index])
        {
            foreach (string[] tail in Product(lists, index + 1))
            {
                yield return [value, .. tail];
            }
        }
    }

    private sealed class ValuesSource(IReadOnlyList<string> values) : InputSource
    {
        public override IEnumerable<string> Read() => values;
    }

    private sealed class LinesSource(Func<Stream> open, string name) : InputSource
    {
        public override IEnumerable<string> Read()
        {
            using Stream stream = open();
            using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), detectEncodingFromByteOrderMarks: false);
            while (ReadLine(reader) is { } line)
            {
                yield return line;
            }
        }

        public override string ToString() => name;

        /// <summary>A line ended by <c>\n</c> only (StreamReader.ReadLine also splits at a lone <c>\r</c>, which is data in a file name).</summary>
        private static string? ReadLine(StreamReader reader)
        {
            var line = new StringBuilder();
            int c;
            while ((c = reader.Read()) >= 0)
            {
                if (c == '\n')
                {
                    return line.ToString();
                }

                line.Append((char)c);
            }

            return line.Length > 0 ? line.ToString() : null;
        }
    }
}
