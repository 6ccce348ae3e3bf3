using System.Globalization;

namespace PosixProcs.Pool.Tests;

public class PoolApiTests
{
    [Theory]
    [InlineData(StartMethod.Fork, "ordered", "sync", 1, 4)]
    [InlineData(StartMethod.Spawn, "ordered", "sync", 1, 4)]
    [InlineData(StartMethod.ForkServer, "ordered", "sync", 1, 4)]
    [InlineData(StartMethod.ForkServer, "ordered", "async", 3, 5)]
    [InlineData(StartMethod.Fork, "unordered", "async", 1, 4)]
    [InlineData(StartMethod.ForkServer, "unordered", "sync", 7, 2)]
    [InlineData(StartMethod.Spawn, "ordered", "sync", 1, 0)]
    public void MapOrderedAsync_EndlessInputFirstThousandTaken_InputReadBoundedAheadAndPoolUsable(StartMethod method, string order, string input, int chunkSize, int window)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.LazyMapOverEndlessInput), null,
            method.ToString(), order, input, chunkSize.ToString(CultureInfo.InvariantCulture), window.ToString(CultureInfo.InvariantCulture)).Values;
        Assert.Equal("1000", values["taken"]);
        int read = int.Parse(values["read"], CultureInfo.InvariantCulture);
        if (window == 0)
        {
            window = 2 * new ProcessPoolOptions().PipelineDepth; // the default: workers (2) x pipeline depth
        }

        // While the 1000th result is yielded, its chunk and at most window - 1 more were read.
        Assert.InRange(read, 1000, ((((999 / chunkSize) + window) * chunkSize) + 1));
        if (order == "ordered")
        {
            Assert.Equal("True", values["inOrder"]);
        }

        Assert.Equal("1000", values["distinct"]);
        Assert.Equal("True", values["allSquares"]);
        Assert.Equal("0", values["pendingAfter"]);
        Assert.Equal("42", values["after"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void MapOrderedAsync_LeftWhileChunksRun_RunningChunksFinishNothingPending(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.LazyMapLeftWhileChunksRun), null, method.ToString()).Values;
        Assert.Equal("0", values["first"]);
        Assert.Equal("True", values["startedAny"]);
        Assert.Equal("True", values["allFinished"]);
        Assert.Equal("0", values["pendingAfter"]);
        Assert.Equal("7", values["after"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void MapOrderedAsync_ChunkFailsOrTokenCancelled_ThrowsInOrderAndPoolCarriesOn(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.LazyMapFailureAndCancellation), null, method.ToString()).Values;
        Assert.Equal("System.FormatException", values["failure"]);
        Assert.Equal("50", values["beforeFailure"]);
        Assert.Equal("True", values["beforeInOrder"]);
        Assert.Equal("True", values["cancelled"]);
        Assert.Equal("10", values["received"]);
        Assert.Equal("0", values["pendingAfter"]);
        Assert.Equal("True", values["finiteInOrder"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void Apply_MapAndStarMapOneToFour_ResultsInPlace(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.BlockingFormsAndStarMaps), null, method.ToString()).Values;
        Assert.Equal("42", values["apply"]);
        Assert.Equal("ABC", values["applyArg"]);
        Assert.Equal("0,10,20,30,40", values["map"]);
        Assert.Equal("System.FormatException", values["applyThrows"]);
        Assert.Equal("4,9", values["star1"]);
        Assert.Equal("a,bb", values["star2"]);
        Assert.Equal("x3,y7", values["star3"]);
        Assert.Equal("s48:96:e,s49:98:o", values["star4"]);
    }

    [Theory]
    [InlineData(StartMethod.Fork, "one", "model.bin")]
    [InlineData(StartMethod.Spawn, "one", "model.bin")]
    [InlineData(StartMethod.ForkServer, "one", "model.bin")]
    [InlineData(StartMethod.Fork, "two", "sum6")]
    [InlineData(StartMethod.Spawn, "two", "sum6")]
    [InlineData(StartMethod.ForkServer, "two", "sum6")]
    public void Start_InitializerWithArguments_RunsInEachWorkerOnItsArguments(StartMethod method, string arity, string expected)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.InitializerWithArgumentsInEachWorker), null, method.ToString(), arity).Values;
        Assert.Equal(expected, values["values"]);
        Assert.Equal("True", values["ownPid"]);
        Assert.Equal("0", values["inParent"]);
    }

    [Fact]
    public void Start_BothInitializersSet_ArgumentExceptionBeforeAnyWorker()
    {
        var options = new ProcessPoolOptions
        {
            Initializer = static () => { },
            InitializerWithArguments = WorkerInitializer.Create(static (int _) => { }, 1),
        };
        var ex = Assert.Throws<ArgumentException>(() => ProcessPool.Start(options));
        Assert.Contains(nameof(ProcessPoolOptions.InitializerWithArguments), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_InitializerArgumentCannotCross_PoolSerializationExceptionBeforeAnyWorker()
    {
        using var stream = new MemoryStream();
        var options = new ProcessPoolOptions { InitializerWithArguments = WorkerInitializer.Create(static (MemoryStream _) => { }, stream) };
        var ex = Assert.Throws<PoolSerializationException>(() => ProcessPool.Start(options));
        Assert.Equal(typeof(MemoryStream), ex.ValueType);
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void Close_ThenJoin_SubmittedWorkFinishesNewWorkRefusedWorkersReaped(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.CloseThenJoin), null, method.ToString()).Values;

        // One comparison of every value, so that a failure shows them all.
        Assert.Equal(
            "joinBeforeClose=InvalidOperationException submitAfterClose=ObjectDisposedException sum=380 workersLeft=0 zombies=0",
            string.Join(' ', new[] { "joinBeforeClose", "submitAfterClose", "sum", "workersLeft", "zombies" }.Select(k => $"{k}={values.GetValueOrDefault(k)}")));
    }

    [Theory]
    [InlineData(StartMethod.Fork)]
    [InlineData(StartMethod.Spawn)]
    [InlineData(StartMethod.ForkServer)]
    public void Terminate_TaskNeverEnds_KilledCancelledAndJoinReturns(StartMethod method)
    {
        var values = Helper.Run(nameof(PoolApiScenarios.TerminateThenJoin), null, method.ToString()).Values;
        Assert.Equal(
            "endless=cancelled workersLeft=0 zombies=0 queuedSettled=True",
            string.Join(' ', new[] { "endless", "workersLeft", "zombies", "queuedSettled" }.Select(k => $"{k}={values.GetValueOrDefault(k)}")));
    }
}
