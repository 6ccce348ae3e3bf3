using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace PosixProcs.SharedMemory;

/// <summary>The default <see cref="ISharedQueueSerializer{T}"/> for items that are not unmanaged: UTF-8 JSON (System.Text.Json).</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class JsonSharedQueueSerializer<T> : ISharedQueueSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Serializes with <paramref name="options"/>, or System.Text.Json's defaults (reflection-based).</summary>
    /// <param name="options">Serializer options, made read-only by this call; <c>null</c> for the defaults.</param>
    public JsonSharedQueueSerializer(JsonSerializerOptions? options = null)
    {
        options ??= JsonSerializerOptions.Default;
        options.MakeReadOnly(populateMissingResolver: true);
        _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    }

    /// <summary>Serializes with source-generated metadata (trimming- and AOT-friendly).</summary>
    /// <param name="typeInfo">The metadata, e.g. from a <c>JsonSerializerContext</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="typeInfo"/> is null.</exception>
    public JsonSharedQueueSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <inheritdoc/>
    public void Serialize(T value, IBufferWriter<byte> destination)
    {
        using var writer = new Utf8JsonWriter(destination);
        JsonSerializer.Serialize(writer, value, _typeInfo);
    }

    /// <inheritdoc/>
    /// <exception cref="JsonException">The bytes are not JSON for <typeparamref name="T"/>.</exception>
    public T Deserialize(ReadOnlySpan<byte> source) => JsonSerializer.Deserialize(source, _typeInfo)!;
}
