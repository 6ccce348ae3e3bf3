using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using PosixProcs.SharedMemory;

namespace PosixProcs.Pool;

/// <summary>
/// What a worker process does, from its fork to its exit: read a task from its ring, run it,
/// write the result (or the exception, as text) to the shared response ring. It checks its
/// parent on every idle second: a worker never outlives its pool, even where there is no
/// PR_SET_PDEATHSIG (macOS).
/// </summary>
internal sealed class WorkerLoop(int slot, RingBuffer requests, RingBuffer responses, TaskClaim claim, Func<int, Func<byte[], byte[]>> functions, Action<FunctionDefinition>? define, Pid parent)
{
    /// <summary>The task id of a message that defines a function instead of running one.</summary>
    internal const long DefinitionTaskId = -1;

    /// <summary>Bytes before a request's argument: task id (8), function id (4), the task's number on this worker (8).</summary>
    internal const int RequestHeaderLength = 20;

    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);
    private readonly MessageAssembler _assembler = new();
    private bool _stop;
    private bool _haveMessage;

    [DoesNotReturn]
    public void Run(Action? initializer)
    {
        initializer?.Invoke();
        RingRecordHandler handler = OnRecord;
        byte[] prefix = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(prefix, slot);

        // Tell the pool that start-up is over: task time limits count from here.
        while (!responses.Write(MessageFrames.Ready, prefix, IdleCheck))
        {
            if (Pid.Parent != parent)
            {
                Posix.Exit(0);
            }
        }
        while (true)
        {
            _haveMessage = false;
            if (requests.Read(handler, IdleCheck, maxRecords: 1) == 0)
            {
                if (Pid.Parent != parent)
                {
                    Posix.Exit(0);
                }

                continue;
            }

            if (_stop)
            {
                Posix.Exit(0);
            }

            if (_haveMessage)
            {
                RunTask(prefix);
            }
        }
    }

    private void OnRecord(int type, ReadOnlySpan<byte> payload)
    {
        if (type == MessageFrames.Stop)
        {
            _stop = true;
            return;
        }

        _haveMessage = _assembler.Add(type, payload);
    }

    private void RunTask(byte[] prefix)
    {
        ReadOnlySpan<byte> message = _assembler.Message;
        long taskId = BinaryPrimitives.ReadInt64LittleEndian(message);
        int delegateId = BinaryPrimitives.ReadInt32LittleEndian(message[8..]);
        if (taskId == DefinitionTaskId)
        {
            Define(delegateId, message[RequestHeaderLength..]);
            return;
        }

        if (!claim.TryStart(BinaryPrimitives.ReadInt64LittleEndian(message[12..])))
        {
            return; // taken back by the pool before it started (cancelled, or moved to an idle worker)
        }

        byte[] argument = message[RequestHeaderLength..].ToArray();
        byte status;
        byte[] result;
        try
        {
            if (_failedDefinitions.TryGetValue(delegateId, out Exception? loadFailure))
            {
                throw new InvalidOperationException($"The worker could not load function {delegateId}: {loadFailure.Message}", loadFailure);
            }

            result = functions(delegateId)(argument);
            status = 0;
        }
        catch (Exception ex)
        {
            result = JsonSerializer.SerializeToUtf8Bytes(ChildFault.From(ex), PoolJsonContext.Default.ChildFault);
            status = 1;
        }

        Span<byte> header = stackalloc byte[9];
        BinaryPrimitives.WriteInt64LittleEndian(header, taskId);
        header[8] = status;
        int sent = 0;
        while (!MessageFrames.Write(responses, prefix, header, result, ref sent, IdleCheck))
        {
            if (Pid.Parent != parent)
            {
                Posix.Exit(0);
            }
        }
    }

    private void Define(int id, ReadOnlySpan<byte> json)
    {
        FunctionDefinition definition = JsonSerializer.Deserialize(json, PoolJsonContext.Default.FunctionDefinition)!;
        try
        {
            define!(definition);
        }
        catch (Exception ex) when (definition.Kind != FunctionKind.Initializer)
        {
            // The function cannot be loaded here: every task that uses it fails with the reason.
            _failedDefinitions[id] = ex;
        }
    }

    private readonly Dictionary<int, Exception> _failedDefinitions = [];
}
