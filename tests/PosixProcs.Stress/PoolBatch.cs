using System.Diagnostics;
using PosixProcs.Pool;

namespace PosixProcs.Stress;

/// <summary>How a batch of small pool tasks ended: every task is counted exactly once.</summary>
/// <param name="Submitted">Tasks submitted.</param>
/// <param name="Correct">Returned the right value.</param>
/// <param name="Wrong">Returned a wrong value.</param>
/// <param name="Crashed">Failed with WorkerCrashedException (its worker was killed more often than the retries allow): resolved, typed.</param>
/// <param name="Unexpected">Failed with any other exception.</param>
/// <param name="Lost">Not resolved when the batch's time ran out.</param>
/// <param name="Seconds">How long the batch took.</param>
internal sealed record BatchResult(int Submitted, int Correct, int Wrong, int Crashed, int Unexpected, int Lost, double Seconds)
{
    public int Resolved => Correct + Wrong + Crashed + Unexpected;

    public double TasksPerSecond => Seconds > 0 ? Resolved / Seconds : 0;

    public void Record(CaseRecorder recorder, string prefix)
    {
        recorder.Metric($"{prefix}.submitted", Submitted);
        recorder.Metric($"{prefix}.correct", Correct);
        recorder.Metric($"{prefix}.wrong", Wrong);
        recorder.Metric($"{prefix}.crashed", Crashed);
        recorder.Metric($"{prefix}.unexpected", Unexpected);
        recorder.Metric($"{prefix}.lost", Lost);
        recorder.Metric($"{prefix}.seconds", Math.Round(Seconds, 3));
        recorder.Metric($"{prefix}.tasksPerSecond", Math.Round(TasksPerSecond, 1));
    }
}

/// <summary>Submits many small tasks (x → 3x + 1) and counts how each one ended.</summary>
internal static class PoolBatch
{
    /// <summary>The task: static, captures nothing, so it works with every start method.</summary>
    public static long Work(long x) => (x * 3) + 1;

    public static BatchResult Run(ProcessPool pool, int count, TimeSpan limit, CaseRecorder recorder)
    {
        Stopwatch clock = Stopwatch.StartNew();
        Task<long>[] tasks = Submit(pool, count);
        WaitAll(tasks, limit);
        return Evaluate(tasks, clock.Elapsed.TotalSeconds, recorder);
    }

    /// <summary>Submits tasks for x = <paramref name="first"/> .. first + count - 1.</summary>
    public static Task<long>[] Submit(ProcessPool pool, int count, int first = 0)
    {
        var tasks = new Task<long>[count];
        for (int i = 0; i < count; i++)
        {
            tasks[i] = pool.SubmitAsync(static (long x) => Work(x), (long)(first + i));
        }

        return tasks;
    }

    /// <summary>Waits until every task has resolved or <paramref name="limit"/> has passed.</summary>
    public static void WaitAll(Task<long>[] tasks, TimeSpan limit) =>
        Task.WhenAll(tasks).ContinueWith(static _ => { }, TaskScheduler.Default).Wait(limit);

    /// <summary>Counts how each task ended; a task still running counts as lost.</summary>
    public static BatchResult Evaluate(Task<long>[] tasks, double seconds, CaseRecorder? recorder)
    {
        int correct = 0, wrong = 0, crashed = 0, unexpected = 0, lost = 0;
        for (int i = 0; i < tasks.Length; i++)
        {
            Task<long> task = tasks[i];
            if (!task.IsCompleted)
            {
                lost++;
            }
            else if (task.IsCompletedSuccessfully)
            {
                if (task.Result == Work(i))
                {
                    correct++;
                }
                else
                {
                    wrong++;
                }
            }
            else
            {
                Exception error = task.Exception?.InnerException ?? new TaskCanceledException(task);
                if (error is WorkerCrashedException)
                {
                    crashed++;
                }
                else
                {
                    unexpected++;
                }

                recorder?.Error(error, "task");
            }
        }

        return new BatchResult(tasks.Length, correct, wrong, crashed, unexpected, lost, seconds);
    }
}
