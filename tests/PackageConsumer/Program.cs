// A new user's app, built from the packed packages only (scripts/package-test.sh). Each check
// prints one line; the exit code is 0 only if every value was right.
using System.Text;
using PosixProcs;
using PosixProcs.Pool;
using PosixProcs.SharedMemory;

int failures = 0;

// `PackageConsumer worker-missing`: run from a copy of the output without the worker host's
// runtimeconfig.json, the pool must say which file is missing (it used to report `write: EPIPE`).
if (args is ["worker-missing"])
{
    try
    {
        await using ProcessPool pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = StartMethod.ForkServer, WorkerCount = 1 });
        await pool.MapAsync([1], static x => x);
        Console.WriteLine("FAIL worker-missing: the pool started without the worker's runtimeconfig.json");
        return 1;
    }
    catch (FileNotFoundException e) when (e.Message.Contains("PosixProcs.Pool.Worker.runtimeconfig.json is missing", StringComparison.Ordinal))
    {
        Console.WriteLine($"ok   worker-missing: {e.Message}");
        return 0;
    }
}

void Check(string what, bool ok, string detail)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}: {detail}");
    if (!ok)
    {
        failures++;
    }
}

// 1. Fork a delegate that answers over a duplex channel (needs the shim and the fork switches).
using (ChildProcess child = ChildProcess.Fork(context =>
       {
           byte[] question = context.Channel!.Receive();
           context.Channel.Send(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(question).ToUpperInvariant()));
       }, new ForkOptions { Channel = true }))
{
    child.Channel!.Send("hello from the parent"u8);
    string answer = Encoding.UTF8.GetString(child.Channel.Receive());
    WaitStatus status = await child.WaitAsync();
    Check("fork + channel", answer == "HELLO FROM THE PARENT" && status.IsSuccess, $"child answered '{answer}', {status}");
}

// 2. Spawn ls with piped output.
string directory = Directory.CreateTempSubdirectory("posixprocs-consumer-").FullName;
try
{
    File.WriteAllText(Path.Combine(directory, "alpha.txt"), "a");
    File.WriteAllText(Path.Combine(directory, "beta.txt"), "b");
    using ChildProcess ls = ChildProcess.Spawn("ls", [directory], new SpawnOptions { StandardOutput = StdioRedirect.Pipe });
    string listing = await new StreamReader(ls.StandardOutput!).ReadToEndAsync();
    WaitStatus status = await ls.WaitAsync();
    Check("spawn ls", listing == "alpha.txt\nbeta.txt\n" && status.IsSuccess, $"{listing.Replace('\n', ' ').Trim()}, {status}");
}
finally
{
    Directory.Delete(directory, recursive: true);
}

// 3. A pool map under each start method (Spawn and ForkServer need the packaged worker host).
foreach (StartMethod method in new[] { StartMethod.Fork, StartMethod.ForkServer, StartMethod.Spawn })
{
    await using ProcessPool pool = ProcessPool.Start(new ProcessPoolOptions { StartMethod = method, WorkerCount = 2 });
    IReadOnlyList<long> squares = await pool.MapAsync(Enumerable.Range(0, 10_000), static x => (long)x * x);
    bool right = squares.Count == 10_000 && squares.Select((value, index) => value == (long)index * index).All(same => same);
    Check($"pool map ({method})", right, $"{squares.Count} results, sum {squares.Sum()}");
}

// 4. A SharedQueue across a fork: every item exactly once, in order.
using (SharedQueue<int> queue = SharedQueue.Create<int>())
{
    using ChildProcess producer = ChildProcess.Fork(() =>
    {
        for (int i = 1; i <= 1000; i++)
        {
            if (!queue.TryEnqueue(i, TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("the queue stayed full");
            }
        }
    });
    long sum = 0;
    int count = 0;
    bool ordered = true;
    while (count < 1000 && queue.TryDequeue(out int item, TimeSpan.FromSeconds(30)))
    {
        ordered &= item == count + 1;
        sum += item;
        count++;
    }

    WaitStatus status = await producer.WaitAsync();
    Check("shared queue across fork", count == 1000 && sum == 500_500 && ordered && status.IsSuccess, $"{count} items, sum {sum}, in order: {ordered}, producer {status}");
}

// 5. The README's examples, exactly as written there.
try
{
    await ReadmeExamples.RunAllAsync();
    Check("README examples", true, "compiled and ran");
}
catch (Exception e)
{
    Check("README examples", false, e.ToString());
}

Console.WriteLine(failures == 0 ? "package consumer: all checks passed" : $"package consumer: {failures} check(s) failed");
return failures == 0 ? 0 : 1;
