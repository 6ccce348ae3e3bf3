namespace PosixProcs.Stress;

/// <summary>Runs a step that might hang (pool start, dispose) with a bound: a hang becomes a TimeoutException naming the step.</summary>
internal static class Bounded
{
    public static T Run<T>(string step, TimeSpan limit, Func<T> body)
    {
        Task<T> task = Task.Run(body);
        if (!task.Wait(limit) && !task.IsCompleted)
        {
            throw new TimeoutException($"{step} did not return within {limit.TotalSeconds:0} s (a hang)");
        }

        return task.GetAwaiter().GetResult();
    }

    public static void Run(string step, TimeSpan limit, Action body) => Run(step, limit, () =>
    {
        body();
        return 0;
    });
}
