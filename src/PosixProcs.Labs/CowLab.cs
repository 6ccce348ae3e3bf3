namespace PosixProcs.Labs;

/// <summary>
/// Copy-on-write after fork: the child shares the parent's pages until it writes; each
/// written page costs one minor fault and one page of private memory, whatever the size of
/// the whole. MAP_SHARED pages are not copied at all. A GC in the child writes to the
/// whole live managed heap, and so copies it.
/// </summary>
public sealed class CowLab : Lab
{
    private const byte ParentByte = 42;
    private const byte ChildByte = 99;
    private const long SharedMiB = 4;

    /// <summary>Hang protection only: on a saturated machine a child may wait long for a CPU.</summary>
    private static readonly TimeSpan ChildTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Objects kept alive across the fork so that the child's GC has a heap to mark.</summary>
    private static List<Node>? heap;

    /// <inheritdoc/>
    public override string Name => "cow";

    /// <inheritdoc/>
    public override string Title => "cow: copy-on-write after fork";

    /// <inheritdoc/>
    public override string Claim => "After fork the child shares the parent's memory: reading it costs nothing, and writing costs one minor fault and one page of private memory per page touched, whatever the size of the whole; MAP_SHARED pages are not copied, and a GC in the child copies the managed heap it marks.";

    /// <inheritdoc/>
    public override string Summary => "N MiB mapped, fork; minor faults and Private_Dirty grow with pages written, not N; shared vs private; GC in the child";

    /// <inheritdoc/>
    public override IReadOnlyList<string> NextSteps =>
    [
        "Touch every page instead of one in K: how long does the child's write pass take now (each fault is a page copy)?",
        "Drop the NoHugePage advice: with transparent huge pages, what does one written byte cost?",
        "Fork a .NET process with a 1 GiB live heap and call GC.Collect() in the child: watch Private_Dirty in /proc/PID/smaps_rollup.",
    ];

    /// <inheritdoc/>
    protected override void Run(LabContext context, LabRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        if (!ProcFiles.Available)
        {
            throw new PlatformNotSupportedException("the cow lab reads /proc/self/smaps_rollup, which exists on Linux only");
        }

        int pageKiB = Posix.PageSize / 1024;
        using var children = new Children();
        recorder.Step($"1. The parent maps N MiB (MAP_PRIVATE, anonymous, no huge pages) and writes {ParentByte} into every page. The child reads every page, then writes one byte every K pages; it measures minor faults (getrusage) and Private_Dirty (smaps_rollup) and reports them over a pipe.");
        Touch small = TouchRun(children, recorder, "small", mib: 32, touched: 512);
        Touch large = TouchRun(children, recorder, "large", mib: 128, touched: 512);
        Touch many = TouchRun(children, recorder, "many", mib: 128, touched: 2048);

        foreach (Touch run in new[] { small, large, many })
        {
            recorder.Check($"{run.Label}ReadIsFree", $"{run.Label}: reading all {run.Pages} pages cost {run.ReadFaults} faults and {run.ReadDirtyKiB} KiB", run.ReadFaults <= 64 && run.ReadDirtyKiB <= 512);
            recorder.Check($"{run.Label}FaultPerPage", $"{run.Label}: writing {run.Touched} pages cost {run.WriteFaults} minor faults (≈ 1 per page)", Near(run.WriteFaults, run.Touched));
            recorder.Check($"{run.Label}PagePerPage", $"{run.Label}: Private_Dirty grew {run.WriteDirtyKiB} KiB for {run.Touched} pages of {pageKiB} KiB", Near(run.WriteDirtyKiB, run.Touched * pageKiB));
            recorder.Check($"{run.Label}ParentUnchanged", $"{run.Label}: the parent still reads {ParentByte} in all {run.Pages} pages ({run.ParentChangedPages} changed)", run.ParentChangedPages == 0);
        }

        double sizeRatio = (double)large.WriteFaults / small.WriteFaults;
        double touchRatio = (double)many.WriteFaults / large.WriteFaults;
        recorder.Measure("faultRatioFor4xSize", sizeRatio, "×", "write faults, 128 MiB vs 32 MiB, same pages touched");
        recorder.Measure("faultRatioFor4xPages", touchRatio, "×", "write faults, 2048 vs 512 pages touched, same 128 MiB");
        recorder.Check("notWithSize", $"4× the memory, same pages written: {sizeRatio:0.##}× the faults", sizeRatio is > 0.8 and < 1.25);
        recorder.Check("withPagesTouched", $"4× the pages written, same memory: {touchRatio:0.##}× the faults", touchRatio is > 3.2 and < 4.8);

        SharedVersusPrivate(children, recorder, out long sharedDirty, out long privateDirty);
        GcInChild(children, recorder, out long gcDirty, out long heapKiB);
        recorder.Evidence = $"512 pages written: {small.WriteFaults} faults in 32 MiB, {large.WriteFaults} in 128 MiB; 2048 pages: {many.WriteFaults}; private +{privateDirty} KiB vs shared +{sharedDirty} KiB; GC +{gcDirty} KiB";
    }

    private static bool Near(long measured, long expected) => Math.Abs(measured - expected) <= (expected / 10) + 64;

    private static unsafe Touch TouchRun(Children children, LabRecorder recorder, string label, long mib, int touched)
    {
        long length = mib * 1024 * 1024;
        int pages = (int)(length / Posix.PageSize);
        int stride = pages / touched;
        using MemoryMapping memory = Posix.Map(length, MappingSharing.Private);
        if (OperatingSystem.IsLinux())
        {
            memory.Advise(MemoryAdvice.NoHugePage);
        }

        byte* bytes = memory.BaseAddress;
        for (long i = 0; i < length; i += 4096)
        {
            new Span<byte>(bytes + i, (int)Math.Min(4096, length - i)).Fill(ParentByte);
        }

        using PipeEnds report = Posix.Pipe();
        Pid child = children.Fork(() =>
        {
            report.Read.Dispose();

            // The first measurement in the child pays for itself (allocations on a copied heap
            // fault too): take one to warm up, then the baseline; their difference is the noise.
            long warmFaults = Posix.GetResourceUsage().MinorFaults;
            long warmDirty = ProcFiles.PrivateDirtyKiB();
            long faults0 = Posix.GetResourceUsage().MinorFaults;
            long dirty0 = ProcFiles.PrivateDirtyKiB();
            long sum = 0;
            for (int page = 0; page < pages; page++)
            {
                sum += bytes[(long)page * Posix.PageSize];
            }

            long faults1 = Posix.GetResourceUsage().MinorFaults;
            long dirty1 = ProcFiles.PrivateDirtyKiB();
            for (int page = 0; page < pages; page += stride)
            {
                bytes[(long)page * Posix.PageSize] = ChildByte;
            }

            long faults2 = Posix.GetResourceUsage().MinorFaults;
            long dirty2 = ProcFiles.PrivateDirtyKiB();
            LabIo.WriteReport(
                report.Write,
                ("sum", sum),
                ("warmupFaults", faults0 - warmFaults),
                ("warmupDirty", dirty0 - warmDirty),
                ("readFaults", faults1 - faults0),
                ("readDirty", dirty1 - dirty0),
                ("writeFaults", faults2 - faults1),
                ("writeDirty", dirty2 - dirty1),
                ("touched", (pages + stride - 1) / stride));
            return 0;
        });
        report.Write.Dispose();
        Report values = LabIo.ReadReport(report.Read, ChildTimeout);
        children.Wait(child, ChildTimeout);

        int changed = 0;
        for (int page = 0; page < pages; page++)
        {
            if (new ReadOnlySpan<byte>(bytes + ((long)page * Posix.PageSize), Posix.PageSize).IndexOfAnyExcept(ParentByte) >= 0)
            {
                changed++;
            }
        }

        var run = new Touch(
            label,
            pages,
            values.Number("touched"),
            values.Number("readFaults"),
            values.Number("readDirty"),
            values.Number("writeFaults"),
            values.Number("writeDirty"),
            changed);
        recorder.Step($"{label}: N = {mib} MiB ({pages} pages), K = {stride}: the child writes {run.Touched} pages.");
        recorder.Measure($"{label}MiB", mib, "MiB", "N");
        recorder.Measure($"{label}PagesTouched", run.Touched, "pages", "pages the child wrote");
        recorder.Measure($"{label}FirstMeasurementFaults", values.Number("warmupFaults"), "faults", "minor faults of the child's first measurement itself (not counted below)");
        recorder.Measure($"{label}ReadFaults", run.ReadFaults, "faults", "minor faults while the child read every page");
        recorder.Measure($"{label}ReadDirtyKiB", run.ReadDirtyKiB, "KiB", "Private_Dirty growth while reading");
        recorder.Measure($"{label}WriteFaults", run.WriteFaults, "faults", "minor faults while the child wrote");
        recorder.Measure($"{label}WriteDirtyKiB", run.WriteDirtyKiB, "KiB", "Private_Dirty growth while writing");
        recorder.Measure($"{label}ParentChangedPages", changed, "pages", "pages that changed in the parent");
        return run;
    }

    private static unsafe void SharedVersusPrivate(Children children, LabRecorder recorder, out long sharedDirty, out long privateDirty)
    {
        long length = SharedMiB * 1024 * 1024;
        int pages = (int)(length / Posix.PageSize);
        recorder.Step($"2. MAP_SHARED vs MAP_PRIVATE, side by side: {SharedMiB} MiB of each, written by the parent; the child writes every page of both.");
        using MemoryMapping shared = Posix.Map(length, MappingSharing.Shared);
        using MemoryMapping copied = Posix.Map(length, MappingSharing.Private);
        shared.Span.Fill(ParentByte);
        copied.Span.Fill(ParentByte);
        using PipeEnds report = Posix.Pipe();
        Pid child = children.Fork(() =>
        {
            report.Read.Dispose();
            long dirty0 = ProcFiles.PrivateDirtyKiB();
            for (int page = 0; page < pages; page++)
            {
                shared.BaseAddress[(long)page * Posix.PageSize] = ChildByte;
            }

            long dirty1 = ProcFiles.PrivateDirtyKiB();
            for (int page = 0; page < pages; page++)
            {
                copied.BaseAddress[(long)page * Posix.PageSize] = ChildByte;
            }

            long dirty2 = ProcFiles.PrivateDirtyKiB();
            LabIo.WriteReport(report.Write, ("shared", dirty1 - dirty0), ("private", dirty2 - dirty1));
            return 0;
        });
        report.Write.Dispose();
        Report values = LabIo.ReadReport(report.Read, ChildTimeout);
        children.Wait(child, ChildTimeout);
        int sharedSeen = 0;
        int privateSeen = 0;
        for (int page = 0; page < pages; page++)
        {
            sharedSeen += shared.BaseAddress[(long)page * Posix.PageSize] == ChildByte ? 1 : 0;
            privateSeen += copied.BaseAddress[(long)page * Posix.PageSize] == ChildByte ? 1 : 0;
        }

        sharedDirty = recorder.Measure("sharedWriteDirtyKiB", values.Number("shared"), "KiB", "Private_Dirty growth when the child wrote every MAP_SHARED page");
        privateDirty = recorder.Measure("privateWriteDirtyKiB", values.Number("private"), "KiB", "Private_Dirty growth when the child wrote every MAP_PRIVATE page");
        recorder.Measure("parentSeesSharedWrites", sharedSeen, "pages", "MAP_SHARED pages where the parent sees the child's byte");
        recorder.Measure("parentSeesPrivateWrites", privateSeen, "pages", "MAP_PRIVATE pages where the parent sees the child's byte");
        long expected = length / 1024;
        recorder.Check("sharedNotCopied", $"MAP_SHARED: +{sharedDirty} KiB private, and the parent sees all {sharedSeen}/{pages} writes", sharedDirty <= 512 && sharedSeen == pages);
        recorder.Check("privateCopied", $"MAP_PRIVATE: +{privateDirty} KiB private (≈ {expected} KiB), and the parent sees {privateSeen} writes", Near(privateDirty / (Posix.PageSize / 1024), pages) && privateSeen == 0);
    }

    private static void GcInChild(Children children, LabRecorder recorder, out long gcDirty, out long heapKiB)
    {
        recorder.Step("3. A GC in the child: the parent holds a live graph of small objects; the child only calls GC.Collect().");
        heap = new List<Node>(400_000);
        Node? previous = null;
        for (int i = 0; i < 400_000; i++)
        {
            previous = new Node(i, previous);
            heap.Add(previous);
        }

        heapKiB = GC.GetTotalMemory(forceFullCollection: true) / 1024;
        try
        {
            using PipeEnds report = Posix.Pipe();
            Pid child = children.Fork(() =>
            {
                report.Read.Dispose();
                long dirty0 = ProcFiles.PrivateDirtyKiB();
                long faults0 = Posix.GetResourceUsage().MinorFaults;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                long faults1 = Posix.GetResourceUsage().MinorFaults;
                long dirty1 = ProcFiles.PrivateDirtyKiB();
                LabIo.WriteReport(report.Write, ("dirty", dirty1 - dirty0), ("faults", faults1 - faults0), ("alive", heap.Count));
                return 0;
            });
            report.Write.Dispose();
            Report values = LabIo.ReadReport(report.Read, ChildTimeout);
            children.Wait(child, ChildTimeout);
            recorder.Measure("managedHeapKiB", heapKiB, "KiB", "the managed heap at fork (GC.GetTotalMemory)");
            gcDirty = recorder.Measure("gcDirtyKiB", values.Number("dirty"), "KiB", "Private_Dirty growth from one GC.Collect() in the child");
            long faults = recorder.Measure("gcFaults", values.Number("faults"), "faults", "minor faults during that GC");
            recorder.Check("gcCopiesHeap", $"one GC in the child copied {gcDirty} KiB ({faults} faults) of a {heapKiB} KiB heap it did not otherwise write", gcDirty >= heapKiB / 4);
        }
        finally
        {
            heap = null;
        }
    }

    private sealed record Touch(string Label, int Pages, long Touched, long ReadFaults, long ReadDirtyKiB, long WriteFaults, long WriteDirtyKiB, int ParentChangedPages);

    private sealed class Node(int value, Node? next)
    {
        public int Value { get; } = value;

        public Node? Next { get; } = next;
    }
}
