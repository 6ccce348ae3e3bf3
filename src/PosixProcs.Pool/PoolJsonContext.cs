using System.Text.Json.Serialization;

namespace PosixProcs.Pool;

/// <summary>Source-generated JSON for what the pool itself sends: task faults, function definitions, fork-server messages.</summary>
[JsonSerializable(typeof(ChildFault))]
[JsonSerializable(typeof(FunctionDefinition))]
[JsonSerializable(typeof(ForkServerMessage))]
internal sealed partial class PoolJsonContext : JsonSerializerContext;
