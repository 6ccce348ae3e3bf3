using System.Text.Json.Serialization;

namespace PosixProcs.Pool;

/// <summary>Source-generated JSON for what the pool itself sends (task faults).</summary>
[JsonSerializable(typeof(ChildFault))]
internal sealed partial class PoolJsonContext : JsonSerializerContext;
