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
internal sealed class WorkerLoop(int slot, RingBuffer requests, RingBuffer responses, DelegateTable functions, Pid parent)
{
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
        byte[] argument = message[12..].ToArray();
        byte status;
        byte[] result;
        try
        {
            result = functions.Get(delegateId)(argument);
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
        while (!MessageFrames.Write(responses, prefix, header, result, IdleCheck))
        {
            if (Pid.Parent != parent)
            {
                Posix.Exit(0);
            }
        }
    }
}
