using System.Buffers;
using System.Text;
using PosixProcs.SharedMemory;

namespace PosixProcs.SharedMemoryTests;

[Collection(SerialChildProcesses.Name)]
public class SharedQueueTests
{
    public record struct Sample(int Id, double Value, long Stamp);

    public sealed record Message(int Id, string Text, IReadOnlyList<int> Numbers);

    [Fact]
    public void TryEnqueue_UnmanagedItems_DequeuedRawInOrder()
    {
        using SharedQueue<Sample> queue = SharedQueue.Create<Sample>(new SharedQueueOptions { Capacity = 1024 });
        for (int i = 0; i < 5; i++)
        {
            Assert.True(queue.TryEnqueue(new Sample(i, i / 2.0, -i)));
        }

        for (int i = 0; i < 5; i++)
        {
            Assert.True(queue.TryDequeue(out Sample sample));
            Assert.Equal(new Sample(i, i / 2.0, -i), sample);
        }

        Assert.False(queue.TryDequeue(out _));
        Assert.Equal(5, queue.UnfinishedCount);
    }

    [Fact]
    public void TryEnqueue_ReferenceItems_RoundTripThroughJsonByDefault()
    {
        using SharedQueue<Message> queue = SharedQueue.Create<Message>();
        var message = new Message(7, "héllo", [1, 2, 3]);
        Assert.True(queue.TryEnqueue(message, TimeSpan.FromSeconds(5)));
        Assert.True(queue.TryDequeue(out Message? received, TimeSpan.FromSeconds(5)));
        Assert.Equal(message.Id, received.Id);
        Assert.Equal(message.Text, received.Text);
        Assert.Equal(message.Numbers, received.Numbers);
    }

    [Fact]
    public void TryEnqueue_CustomSerializer_IsUsedBothWays()
    {
        using SharedQueue<string> queue = SharedQueue.Create<string>(serializer: new ReversingSerializer());
        Assert.True(queue.TryEnqueue("abc"));
        Assert.True(queue.TryDequeue(out string? text));
        Assert.Equal("abc", text);
        Assert.Equal(2, ReversingSerializer.Calls);
    }

    [Fact]
    public void TryEnqueue_Full_ReturnsFalseAndTimedEnqueueTimesOut()
    {
        using SharedQueue<long> queue = SharedQueue.Create<long>(new SharedQueueOptions { Capacity = 256 });
        int count = 0;
        while (queue.TryEnqueue(count))
        {
            count++;
        }

        Assert.Equal(256 / 16, count);
        Assert.False(queue.TryEnqueue(99, TimeSpan.FromMilliseconds(20)));
        Assert.Equal(count, queue.UnfinishedCount);
    }

    [Fact]
    public void TryEnqueue_ItemLargerThanMax_ThrowsArgumentException()
    {
        using SharedQueue<string> queue = SharedQueue.Create<string>(new SharedQueueOptions { Capacity = 1024 });
        var ex = Assert.Throws<ArgumentException>(() => queue.TryEnqueue(new string('x', 200)));
        Assert.Contains($"at most {queue.MaxItemLength}", ex.Message, StringComparison.Ordinal);
        Assert.Equal("item", ex.ParamName);
        Assert.Equal(0, queue.UnfinishedCount);

        using SharedQueue<Sample> small = SharedQueue.Create<Sample>(new SharedQueueOptions { Capacity = 128 });
        Assert.Equal("item", Assert.Throws<ArgumentException>(() => small.TryEnqueue(default)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentException>(() => small.TryEnqueue(default, TimeSpan.FromSeconds(1))).ParamName);
    }

    [Fact]
    public void Join_UntilEveryTaskDone_TimesOutThenSucceeds()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        Assert.True(queue.Join(TimeSpan.Zero));
        Assert.True(queue.TryEnqueue(1));
        Assert.True(queue.TryEnqueue(2));
        Assert.False(queue.Join(TimeSpan.FromMilliseconds(20)));
        Assert.True(queue.TryDequeue(out _));
        queue.TaskDone();
        Assert.False(queue.Join(TimeSpan.Zero));
        Assert.True(queue.TryDequeue(out _));
        queue.TaskDone();
        Assert.True(queue.Join(TimeSpan.Zero));
        Assert.Throws<InvalidOperationException>(queue.TaskDone);
    }

    [Fact]
    public async Task Join_SleepingJoiner_WokenByLastTaskDone()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        Assert.True(queue.TryEnqueue(1));
        Task<bool> joiner = Task.Run(() => queue.Join(TimeSpan.FromSeconds(30)));
        await Task.Delay(50);
        Assert.True(queue.TryDequeue(out _));
        queue.TaskDone();
        Assert.True(await joiner.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Close_SleepingReader_WakesAndReturnsFalse()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        Task<bool> reader = Task.Run(() => queue.TryDequeue(out _, TimeSpan.FromSeconds(60)));
        await Task.Delay(50);
        queue.Close();
        Assert.False(await reader.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(queue.IsClosed);
    }

    [Fact]
    public void Close_ItemsLeft_DrainedThenFalseAndEnqueueThrows()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        Assert.True(queue.TryEnqueue(5));
        queue.Close();
        Assert.Throws<InvalidOperationException>(() => queue.TryEnqueue(6));
        Assert.Throws<InvalidOperationException>(() => queue.TryEnqueue(6, TimeSpan.FromSeconds(1)));
        Assert.True(queue.TryDequeue(out int item, TimeSpan.FromSeconds(5)));
        Assert.Equal(5, item);
        Assert.False(queue.TryDequeue(out _, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Close_SleepingWriterOnFullQueue_WakesAndThrows()
    {
        using SharedQueue<long> queue = SharedQueue.Create<long>(new SharedQueueOptions { Capacity = 128 });
        while (queue.TryEnqueue(1))
        {
        }

        Task<bool> writer = Task.Run(() => queue.TryEnqueue(2, TimeSpan.FromSeconds(60)));
        await Task.Delay(50);
        queue.Close();
        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void TryDequeue_Cancelled_ThrowsOperationCanceled()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(20));
        Assert.ThrowsAny<OperationCanceledException>(() => queue.TryDequeue(out _, TimeSpan.FromSeconds(60), cancellation.Token));
    }

    [Fact]
    public void Attach_SameRegion_SharesItems()
    {
        using SharedQueue<Sample> queue = SharedQueue.Create<Sample>(new SharedQueueOptions { Memory = new SharedMemoryOptions { Backing = SharedMemoryBacking.Descriptor } });
        using var region = SharedMemoryRegion.Attach(new FileDescriptorHandle(queue.Region.Descriptor!.Number, ownsHandle: false), queue.Region.Length);
        using SharedQueue<Sample> attached = SharedQueue.Attach<Sample>(region);
        Assert.True(attached.TryEnqueue(new Sample(1, 2, 3)));
        Assert.True(queue.TryDequeue(out Sample sample));
        Assert.Equal(new Sample(1, 2, 3), sample);
    }

    [Fact]
    public void Attach_WrongMemoryOrItemType_ThrowsInvalidData()
    {
        using var empty = SharedMemoryRegion.Create(SharedQueue.RequiredLength(1024));
        Assert.Contains("No shared queue", Assert.Throws<InvalidDataException>(() => SharedQueue.Attach<int>(empty)).Message, StringComparison.Ordinal);

        using SharedQueue<long> queue = SharedQueue.Create<long>(new SharedQueueOptions { Capacity = 1024 });
        var ex = Assert.Throws<InvalidDataException>(() => SharedQueue.Attach<int>(queue.Region));
        Assert.Contains("raw items of 8 bytes", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => SharedQueue.Attach<string>(queue.Region));
    }

    [Fact]
    public void Capacity_NotAPowerOfTwo_ThrowsWithTheNumber()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SharedQueueOptions { Capacity = 1000 });
        Assert.Contains("got 1000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDequeue_TwoProducerProcessesThenJoin_EveryItemOnceAndJoinReturns()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.QueueTwoProducersJoin), "20000");
        Assert.Equal("exited with code 0", values["producer0"]);
        Assert.Equal("exited with code 0", values["producer1"]);
        Assert.Equal("40000", values["received"]);
        Assert.Equal("0", values["errors"]);
        Assert.Equal("0", values["unfinished"]);
    }

    [Fact]
    public void Close_ReaderInAnotherProcess_IsWoken()
    {
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.QueueCloseWakesReaderProcess));
        Assert.Equal("exited with code 0", values["reader"]);
    }

    private sealed class ReversingSerializer : ISharedQueueSerializer<string>
    {
        public static int Calls { get; private set; }

        public void Serialize(string value, IBufferWriter<byte> destination)
        {
            Calls++;
            byte[] bytes = Encoding.UTF8.GetBytes(value);
            Array.Reverse(bytes);
            destination.Write(bytes);
        }

        public string Deserialize(ReadOnlySpan<byte> source)
        {
            Calls++;
            byte[] bytes = source.ToArray();
            Array.Reverse(bytes);
            return Encoding.UTF8.GetString(bytes);
        }
    }

    [Fact]
    public void TryDequeue_ProducerKilledMidItem_ConsumerSkipsItAndGetsTheNext()
    {
        // Before: the consumer waited behind the dead producer's claimed item for ever (timed out).
        IReadOnlyDictionary<string, string> values = Helper.RunOk(nameof(SharedMemoryScenarios.QueueProducerKilledMidItem));
        Assert.Equal("killed by SIGKILL", values["dying"]);
        Assert.Equal("exited with code 0", values["live"]);
        Assert.Equal("True:42", values["dequeued"]);
        Assert.Equal("1", values["skipped"]);
        Assert.Equal("True", values["emptyAfter"]);
    }

    [Fact]
    public void StuckRecordTimeout_NotPositive_Throws()
    {
        using SharedQueue<int> queue = SharedQueue.Create<int>();
        Assert.Throws<ArgumentOutOfRangeException>(() => queue.StuckRecordTimeout = TimeSpan.Zero);
    }
}
