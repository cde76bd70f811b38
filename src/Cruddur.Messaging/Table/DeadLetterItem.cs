namespace Cruddur.Messaging.Table;

/// <summary>
/// A stream record pattern E passed over after its attempts (the local processor's dead letter; in AWS the function's
/// on-failure queue holds them instead).
/// </summary>
/// <param name="StreamLabel">The label of the stream it was read from.</param>
/// <param name="ShardId">The shard it was read from.</param>
/// <param name="SequenceNumber">Its sequence number, as the stream gave it.</param>
/// <param name="RecordJson">The whole record, as the handler was given it (Lambda's event shape).</param>
/// <param name="Error">Why the last attempt failed.</param>
/// <param name="Attempts">How many times the handler was given it.</param>
/// <param name="KeptAt">When it was passed over.</param>
internal sealed record DeadLetterItem(
    string StreamLabel,
    string ShardId,
    string SequenceNumber,
    string RecordJson,
    string Error,
    int Attempts,
    DateTimeOffset KeptAt);
