using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace PosixProcs.Pool;

/// <summary>
/// The default serializer: an unmanaged value (int, double, a struct of them) and an array
/// of them are copied as their raw bytes; anything else goes through System.Text.Json
/// (fields included, so value tuples work).
/// </summary>
public sealed class PoolSerializer : IPoolSerializer
{
    private readonly JsonSerializerOptions _json;

    /// <summary>Creates a serializer whose JSON includes fields (so value tuples work). Spawned workers create it this way.</summary>
    public PoolSerializer()
        : this(null)
    {
    }

    /// <summary>Creates a serializer with the given JSON options for types that are not unmanaged.</summary>
    /// <param name="json">The JSON options; null: the defaults with fields included.</param>
    public PoolSerializer(JsonSerializerOptions? json) => _json = json ?? new JsonSerializerOptions { IncludeFields = true };

    /// <summary>The shared default instance.</summary>
    public static PoolSerializer Default { get; } = new();

    /// <inheritdoc/>
    /// <exception cref="PoolSerializationException">System.Text.Json cannot serialize the value's type.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Callers choose JSON for their own types; a trimmed app supplies its own IPoolSerializer.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "As above.")]
    public byte[] Serialize<T>(T value)
    {
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            var bytes = new byte[Unsafe.SizeOf<T>()];
            Unsafe.WriteUnaligned(ref bytes[0], value);
            return bytes;
        }

        if (RawArray<T>.Codec is { } codec && value is not null)
        {
            return codec.Serialize(value);
        }

        try
        {
            return JsonSerializer.SerializeToUtf8Bytes(value, _json);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new PoolSerializationException(value?.GetType() ?? typeof(T), ex);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="PoolSerializationException">System.Text.Json cannot deserialize <typeparamref name="T"/>.</exception>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "See Serialize.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "See Serialize.")]
    public T Deserialize<T>(ReadOnlySpan<byte> bytes)
    {
        if (!RuntimeHelpers.IsReferenceOrContainsReferences<T>())
        {
            return bytes.Length == Unsafe.SizeOf<T>()
                ? Unsafe.ReadUnaligned<T>(ref MemoryMarshal.GetReference(bytes))
                : throw new InvalidDataException($"{typeof(T).Name} is {Unsafe.SizeOf<T>()} bytes; got {bytes.Length}.");
        }

        if (RawArray<T>.Codec is { } codec)
        {
            return codec.Deserialize(bytes);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes, _json)!;
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new PoolSerializationException(typeof(T), ex);
        }
    }

    /// <summary>For T = E[] with E unmanaged: the raw-bytes codec; otherwise null. Built once per T.</summary>
    private static class RawArray<T>
    {
        public static readonly IRawCodec<T>? Codec = Create();

        [UnconditionalSuppressMessage("Trimming", "IL2060", Justification = "E is the element type of T, which the caller uses.")]
        [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "E is a value type known from T.")]
        private static IRawCodec<T>? Create()
        {
            Type type = typeof(T);
            if (!type.IsSZArray || type.GetElementType() is not { IsValueType: true } element)
            {
                return null;
            }

            bool containsReferences = (bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!
                .MakeGenericMethod(element).Invoke(null, null)!;
            return containsReferences ? null : (IRawCodec<T>)Activator.CreateInstance(typeof(RawArrayCodec<>).MakeGenericType(element))!;
        }
    }

    private interface IRawCodec<T>
    {
        byte[] Serialize(T value);

        T Deserialize(ReadOnlySpan<byte> bytes);
    }

    private sealed class RawArrayCodec<TElement> : IRawCodec<TElement[]>
        where TElement : unmanaged
    {
        public byte[] Serialize(TElement[] value) => MemoryMarshal.AsBytes(value.AsSpan()).ToArray();

        public TElement[] Deserialize(ReadOnlySpan<byte> bytes) => MemoryMarshal.Cast<byte, TElement>(bytes).ToArray();
    }
}
