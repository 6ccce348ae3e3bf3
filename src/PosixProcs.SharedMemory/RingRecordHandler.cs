namespace PosixProcs.SharedMemory;

/// <summary>Receives one record read from a <see cref="RingBuffer"/>, in place.</summary>
/// <param name="type">The record's type, as given to the writer (1 or more).</param>
/// <param name="payload">
/// The payload, in the ring's memory: valid only during the call (the slot is zeroed and
/// reused afterwards). Copy what must outlive the call.
/// </param>
public delegate void RingRecordHandler(int type, ReadOnlySpan<byte> payload);
