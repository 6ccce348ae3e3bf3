using PosixProcs.Labs;
using PosixProcs.SharedMemory;

namespace PosixProcs.LabsTests;

/// <summary>
/// Every lab runs for real (the posixprocs command, --json), and its claim is asserted here
/// again on the measured numbers, independently of the lab's own checks. Claims that are not
/// about time are asserted on any load; a timing claim may be inconclusive, but only when the
/// lab measured a busy machine (see <see cref="LabJson.AssertClaimHoldsOrTimingInconclusive"/>).
/// </summary>
[Collection(LabRuns.Name)]
public class LabClaimTests
{
    [Fact]
    public void Fork_ChildGetsACopy_ParentStillSees42()
    {
        LabJson lab = LabRuns.Run("fork");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.Equal(lab.Whole("childPid"), lab.Whole("forkReturnedInParent"));
        Assert.Equal(lab.Whole("parentPid"), lab.Whole("childPpid"));
        Assert.NotEqual(lab.Whole("parentPid"), lab.Whole("childPid"));
        Assert.Equal("child", lab.Text("forkReturnedInChild"));
        Assert.Equal(99, lab.Whole("childGlobal"));
        Assert.Equal(42, lab.Whole("parentGlobal"));
        Assert.Equal(1, lab.Whole("parentArray0"));
        Assert.Equal(lab.Text("childAddress"), lab.Text("parentAddress"));
        Assert.True(lab.Number("forkExitWaitMilliseconds") > 0);
    }

    [Fact]
    public void Pipe_EofOnlyAfterEveryWriteEndCloses()
    {
        LabJson lab = LabRuns.Run("pipe");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.StartsWith("hello from child ", lab.Text("message"), StringComparison.Ordinal);
        Assert.True(lab.Bool("eofWhenClosed"));
        Assert.StartsWith("hello again from child ", lab.Text("messageWhileOpen"), StringComparison.Ordinal);
        Assert.False(lab.Bool("eofWhileParentHeldWriteEnd"));
        Assert.True(lab.Number("eofPatienceMs") >= 100);
        Assert.True(lab.Bool("eofAfterParentClosed"));
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("childStatusBeforePoll"));
    }

    [Fact]
    public void Duplex_BothWritersStallAtCapacity_ReaderFirstCompletes()
    {
        LabJson lab = LabRuns.Run("duplex");
        lab.AssertClaimHoldsOrTimingInconclusive();
        long capacity = lab.Whole("pipeCapacity");
        Assert.True(capacity >= 4096);
        Assert.Equal(2000, lab.Whole("correctReplies"));
        Assert.Equal(capacity, lab.Whole("deadlockParentWrote"));
        Assert.Equal(capacity, lab.Whole("deadlockChildWrote"));
        Assert.True(lab.Bool("deadlockChildKilled"));
        Assert.Equal(2 * capacity, lab.Whole("fixParentWrote"));
        Assert.Equal(2 * capacity, lab.Whole("fixParentRead"));
    }

    [Fact]
    public void Wait_StatusesZombieAndSubreaper()
    {
        LabJson lab = LabRuns.Run("wait");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.Equal(new WaitStatus.Exited(42).ToString(), lab.Text("exit42"));
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGTERM, false).ToString(), lab.Text("killedBySIGTERM"));
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false).ToString(), lab.Text("killedBySIGKILL"));
        Assert.True(lab.Whole("pollsStillRunning") >= 1);
        Assert.Equal(new WaitStatus.Exited(7).ToString(), lab.Text("polledStatus"));
        Assert.Equal("Z", lab.Text("zombieState"));
        Assert.True(lab.Bool("zombieExists"));
        Assert.Equal("gone", lab.Text("stateAfterReap"));
        Assert.NotEqual(lab.Whole("orphanPpidBefore"), lab.Whole("orphanPpidAfter"));
        Assert.Equal(lab.Whole("labPid"), lab.Whole("subreaperPpidAfter"));
    }

    [Fact]
    public void Cow_FaultsAndDirtyMemoryFollowPagesWritten()
    {
        LabJson lab = LabRuns.Run("cow");
        lab.AssertClaimHoldsOrTimingInconclusive();
        int pageKiB = Environment.SystemPageSize / 1024;
        foreach (string run in new[] { "small", "large", "many" })
        {
            long touched = lab.Whole($"{run}PagesTouched");
            Assert.InRange(lab.Whole($"{run}WriteFaults"), touched, touched + (touched / 10) + 64);
            Assert.InRange(lab.Whole($"{run}WriteDirtyKiB"), (touched * pageKiB) - 64, (touched * pageKiB * 11 / 10) + 256);
            Assert.InRange(lab.Whole($"{run}ReadFaults"), 0, 64);
            Assert.Equal(0, lab.Whole($"{run}ParentChangedPages"));
        }

        Assert.Equal(lab.Whole("smallPagesTouched"), lab.Whole("largePagesTouched"));
        Assert.Equal(4 * lab.Whole("smallMiB"), lab.Whole("largeMiB"));
        Assert.InRange(lab.Number("faultRatioFor4xSize"), 0.8, 1.25);
        Assert.InRange(lab.Number("faultRatioFor4xPages"), 3.2, 4.8);
        Assert.True(lab.Whole("sharedWriteDirtyKiB") < lab.Whole("privateWriteDirtyKiB") / 4);
        Assert.Equal(0, lab.Whole("parentSeesPrivateWrites"));
        Assert.True(lab.Whole("parentSeesSharedWrites") > 0);
        Assert.True(lab.Whole("gcDirtyKiB") >= lab.Whole("managedHeapKiB") / 4);
    }

    [Fact]
    public void Spawn_ErrnoInsteadOf127_NoLeakedDescriptors()
    {
        LabJson lab = LabRuns.Run("spawn");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.Contains("execve: ENOENT", lab.Text("spawnMissingProgram"), StringComparison.Ordinal);
        Assert.Contains("execve: EACCES", lab.Text("spawnNotExecutable"), StringComparison.Ordinal);
        Assert.Equal(new WaitStatus.Exited(127).ToString(), lab.Text("forkExecMissingProgram"));
        Assert.Contains("pipe:", lab.Text("forkExecDescriptors"), StringComparison.Ordinal);
        Assert.True(lab.Check("forkExecLeaks"));
        Assert.True(lab.Check("spawnPassesOnlyMapped"));
    }

    [Fact]
    public void ThreadsVsProcesses_NoGil_CrashIsolation()
    {
        LabJson lab = LabRuns.Run("threads-vs-processes");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.False(lab.IsTiming("sameResults"));
        Assert.False(lab.IsTiming("threadCrashKillsAll"));
        Assert.False(lab.IsTiming("processCrashIsolated"));
        Assert.True(lab.IsTiming("threadsScale"));
        Assert.True(lab.IsTiming("processesScale"));
        Assert.True(lab.IsTiming("processesCost"));
        Assert.StartsWith("killed by", lab.Text("threadCrashProcess"), StringComparison.Ordinal);
        Assert.False(lab.Bool("threadCrashSurvived"));
        Assert.StartsWith("killed by", lab.Text("workerCrashStatus"), StringComparison.Ordinal);
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("siblingStatus"));
        Assert.Equal(ThreadsVsProcessesLab.Fib(34).ToString(System.Globalization.CultureInfo.InvariantCulture), lab.Text("siblingResult"));
        Assert.InRange(lab.Number("serialParallelism"), 0, 1.1);

        // The timing claims, on the numbers, where the lab judged them (not inconclusive).
        if (lab.Check("processesCost"))
        {
            Assert.True(lab.Number("tinyProcessesMs") > lab.Number("tinyThreadsMs"));
        }

        if (lab.Check("threadsScale"))
        {
            Assert.True(lab.Number("threadScaling") >= 1.3, lab.ToString());
        }

        if (lab.Check("processesScale"))
        {
            Assert.True(lab.Number("processScaling") >= 1.3, lab.ToString());
        }
    }

    [Fact]
    public void Shared_PlainLosesUpdates_AtomicAndLockKeepAll_SemaphoreAdmitsTwo()
    {
        LabJson lab = LabRuns.Run("shared");
        lab.AssertClaimHoldsOrTimingInconclusive();
        long expected = lab.Whole("adders") * lab.Whole("incrementsPerChild");
        Assert.Equal(expected, lab.Whole("expectedTotal"));
        Assert.InRange(lab.Whole("racyTotal"), 1, expected - 1);
        Assert.Equal(expected - lab.Whole("racyTotal"), lab.Whole("lostUpdates"));
        Assert.Equal(expected, lab.Whole("atomicTotal"));
        Assert.Equal(lab.Whole("adders") * lab.Whole("lockedIncrementsPerChild"), lab.Whole("lockedTotal"));
        Assert.Equal(lab.Whole("semaphorePermits"), lab.Whole("maxConcurrentFromEvents"));
        Assert.Equal(lab.Whole("semaphorePermits"), lab.Whole("maxConcurrentFromCounter"));
        Assert.Equal(5, lab.Whole("semaphoreEntries"));
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false).ToString(), lab.Text("holderStatus"));
        Assert.Equal(lab.Whole("holderPid"), lab.Whole("ownerBeforeTakeover"));
        Assert.Equal("OwnerDied", lab.Text("takeover"));
    }

    [Fact]
    public void IoThreads_TwoOneSecondWaits_EveryWaitRanItsSecondAndThreadsOverlapThem()
    {
        LabJson lab = LabRuns.Run("io-threads");
        lab.AssertClaimHoldsOrTimingInconclusive();
        double wait = lab.Number("waitMs");
        Assert.True(lab.Number("sequenceMs") >= 2 * wait);
        Assert.True(lab.Number("threadsMs") >= wait);
        Assert.True(lab.Number("processesMs") >= wait);
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("processStatuses"));
        Assert.False(lab.IsTiming("everyWaitWaitedItsSecond"));
        Assert.True(lab.IsTiming("threadsOverlapTheWaits"));
        Assert.True(lab.IsTiming("processesAddOnlyTheirStart"));
        Assert.True(lab.IsTiming("waitingUsesNoCpu"));
    }

    [Fact]
    public void RLock_TakenThreeTimes_PassesOnAfterThreeReleasesAndPlainLockWaitsForItself()
    {
        LabJson lab = LabRuns.Run("rlock");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.Equal("1 2 3", lab.Text("recursionCounts"));
        Assert.Equal("this process, this process, free", lab.Text("ownerAfterEachRelease"));
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("childTookReentrant"));
        Assert.Equal(nameof(LockAcquisition.Acquired), lab.Text("plainFirst"));
        Assert.Equal(nameof(LockAcquisition.TimedOut), lab.Text("plainSecond"));
        Assert.Equal(new WaitStatus.Signaled(Signal.SIGKILL, false).ToString(), lab.Text("stuckChildStatus"));
        Assert.Equal(nameof(LockAcquisition.OwnerDied), lab.Text("takeoverAfterKill"));
        Assert.False(lab.IsTiming("unboundedSelfDeadlockOnlyEndsByKill"));
        Assert.True(lab.IsTiming("stuckChildSleeps"));
    }

    [Fact]
    public void Condition_EachNotificationEndsOneWait_ConsumerSleepsBetweenItems()
    {
        LabJson lab = LabRuns.Run("condition");
        lab.AssertClaimHoldsOrTimingInconclusive();
        long items = lab.Whole("items");
        Assert.Equal(items, lab.Whole("received"));
        Assert.Equal(0, lab.Whole("outOfOrder"));
        Assert.Equal(lab.Whole("notifications"), lab.Whole("wakeUps"));
        Assert.InRange(lab.Whole("wakeUps"), 0, items);
        Assert.Equal(0, lab.Whole("waitTimeouts"));
        Assert.Equal(items, lab.Whole("pollReceived"));
        Assert.True(lab.Number("consumerWallMs") > 0);
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("waitStatuses"));
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("pollStatuses"));
        Assert.False(lab.IsTiming("everyItemOnceInOrder"));
        Assert.False(lab.IsTiming("oneWakeUpPerNotification"));
        Assert.True(lab.IsTiming("consumerSleeps"));
        Assert.True(lab.IsTiming("waitingCheaperThanPolling"));
    }

    [Fact]
    public void Queue_EveryItemOnceInProducerOrder_JoinWaitsForTaskDone()
    {
        LabJson lab = LabRuns.Run("queue");
        lab.AssertClaimHoldsOrTimingInconclusive();
        long producers = lab.Whole("producers");
        Assert.Equal(producers * lab.Whole("itemsPerProducer"), lab.Whole("itemsReceived"));
        Assert.Equal(0, lab.Whole("duplicates"));
        Assert.Equal(0, lab.Whole("missing"));
        Assert.Equal(0, lab.Whole("outOfOrder"));
        Assert.Equal(producers, lab.Whole("sentinelsSeen"));
        Assert.True(lab.Number("itemsPerSecond") > 0);
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("producerStatuses"));
        Assert.False(lab.Bool("earlyJoinReturned"));
        Assert.True(lab.Whole("unfinishedAtEarlyJoin") > 0);
        Assert.True(lab.Bool("joinReturned"));
        Assert.Equal(lab.Whole("joinItems"), lab.Whole("doneAtJoin"));
        Assert.Equal(0, lab.Whole("unfinishedAtJoin"));
        Assert.True(lab.Number("joinAfterLastTaskDoneMs") >= 0);
        Assert.Equal(new WaitStatus.Exited(0).ToString(), lab.Text("workerStatus"));
    }

    [Fact]
    public void Pool_MapOrderedUnorderedByCompletion_CrashAndTimeoutIsolated()
    {
        LabJson lab = LabRuns.Run("pool");
        lab.AssertClaimHoldsOrTimingInconclusive();
        string inputs = lab.Text("inputOrder");
        Assert.Equal(inputs, lab.Text("mapOrder"));
        string[] unordered = lab.Text("unorderedOrder").Split(',');
        Assert.Equal(inputs.Split(',').Order(), unordered.Order());
        Assert.False(lab.IsTiming("mapKeepsInputOrder"));
        Assert.False(lab.IsTiming("crashFailsOnlyItsTask"));
        Assert.False(lab.IsTiming("timeoutKillsTask"));
        Assert.True(lab.IsTiming("unorderedFollowsCompletion"));
        Assert.True(lab.IsTiming("firstBeforeSlowest"));
        Assert.True(lab.IsTiming("timeoutIsPrompt"));
        if (lab.Check("unorderedFollowsCompletion"))
        {
            Assert.NotEqual(inputs, lab.Text("unorderedOrder"));
        }

        if (lab.Check("firstBeforeSlowest"))
        {
            Assert.True(lab.Number("firstUnorderedMs") < lab.Whole("slowestTaskMs"));
            Assert.True(lab.Number("firstUnorderedMs") < lab.Number("slowestArrivedMs"));
        }

        Assert.Matches(@"^task \d+: worker \d+ killed by SIGKILL", lab.Text("crashedTask"));
        Assert.Equal(7, lab.Whole("tasksSucceeded"));
        Assert.Equal("none", lab.Text("otherFailures"));
        Assert.Equal(42, lab.Whole("taskAfterCrash"));
        Assert.Equal(2, lab.Whole("workersAfter"));
        Assert.True(lab.Bool("crashedWorkerGone"));
        Assert.StartsWith(nameof(TimeoutException), lab.Text("slowTaskOutcome"), StringComparison.Ordinal);
        Assert.True(lab.Number("slowTaskFailedAfterMs") >= lab.Number("taskTimeoutMs") * 0.9, "a task cannot time out before its limit");
        Assert.NotEqual(lab.Whole("workerBeforeTimeout"), lab.Whole("workerAfterTimeout"));
    }

    [Fact]
    public void WxTrap_ForkBreaksWithWx_GuardRefuses()
    {
        LabJson lab = LabRuns.Run("wx-trap");
        lab.AssertClaimHoldsOrTimingInconclusive();
        Assert.False(lab.Bool("labWriteXorExecute"));
        Assert.Equal(0, lab.Whole("labDoubleMappings"));
        Assert.True(lab.Whole("helperDoubleMappings") > 0);
        Assert.True(lab.Bool("guardRefused"));
        Assert.Contains("WriteXorExecute", lab.Text("guardHazards"), StringComparison.Ordinal);
        Assert.Contains("EnableWriteXorExecute", lab.Text("guardMessage"), StringComparison.Ordinal);
        Assert.True(lab.Whole("breakages") >= 1);
        Assert.Equal(lab.Whole("breakages"), lab.Whole("childCrashes") + lab.Whole("parentsHarmed"));
    }

    [Fact]
    public void Catalog_HasEveryLabOnceInTeachingOrder()
    {
        Assert.Equal(
            ["fork", "pipe", "duplex", "wait", "cow", "spawn", "threads-vs-processes", "io-threads", "shared", "rlock", "condition", "queue", "pool", "wx-trap"],
            LabCatalog.All.Select(l => l.Name).ToArray());
        Assert.All(LabCatalog.All, l => Assert.NotEmpty(l.NextSteps));
        Assert.Same(LabCatalog.All[4], LabCatalog.Find("COW"));
        Assert.Null(LabCatalog.Find("nope"));
    }
}
