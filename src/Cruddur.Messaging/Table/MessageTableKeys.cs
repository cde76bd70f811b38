namespace Cruddur.Messaging.Table;

/// <summary>
/// Key formats and attribute names of the single table, in one place. The first two item types are the
/// original Cruddur's; group and pair items are ours and use attribute names the original never reads
/// (in particular not <c>message_group_uuid</c>, which would put them into the sparse GSI).
/// </summary>
internal static class MessageTableKeys
{
    public const string Pk = "pk";
    public const string Sk = "sk";
    public const string GroupIndexName = "message-group-sk-index";

    // Attributes of the original item shapes.
    public const string MessageGroupUuid = "message_group_uuid";
    public const string MessageUuid = "message_uuid";
    public const string Message = "message";
    public const string UserUuid = "user_uuid";
    public const string UserDisplayName = "user_display_name";
    public const string UserHandle = "user_handle";

    // Attributes of our own item types.
    public const string GroupUuid = "group_uuid";
    public const string MemberUuids = "member_uuids";
    public const string CreatedAt = "created_at";

    // The owner's read state on a group row (see GroupRowReadState).
    public const string ReadAt = "read_at";
    public const string UnreadTimes = "unread";
    public const string ReadVersion = "read_version";

    // Attributes of the idempotency item (never message_group_uuid: it stays out of the GSI).
    public const string IdempotencyState = "state";
    public const string RequestHash = "request_hash";
    public const string Response = "response";
    public const string LeaseUntil = "lease_until";
    public const string ClaimToken = "claim_token";

    /// <summary>The table's TTL attribute (epoch seconds); DynamoDB deletes an item some time after it passes.</summary>
    public const string ExpiresAt = "expires_at";

    /// <summary>A participant's message-group row: <c>GRP#{owner}</c>, sk = last message time.</summary>
    public static string GroupRowPk(Guid ownerUserUuid) => "GRP#" + ownerUserUuid.ToString("D");

    /// <summary>The messages of a group: <c>MSG#{group}</c>, sk = created time.</summary>
    public static string MessagesPk(Guid messageGroupUuid) => "MSG#" + messageGroupUuid.ToString("D");

    /// <summary>Our group item with its two members, read with a consistent GetItem for the membership check.</summary>
    public static string GroupPk(Guid messageGroupUuid) => "GROUP#" + messageGroupUuid.ToString("D");

    /// <summary>Sort key of the group item.</summary>
    public const string GroupSk = "GROUP";

    /// <summary>Our pair item, keyed by the two user uuids in sorted order; points at the pair's group.</summary>
    public static string PairPk(Guid userA, Guid userB)
    {
        var (low, high) = userA.CompareTo(userB) <= 0 ? (userA, userB) : (userB, userA);
        return $"PAIR#{low:D}#{high:D}";
    }

    /// <summary>Sort key of the pair item.</summary>
    public const string PairSk = "PAIR";

    /// <summary>An idempotent send: <c>IDEM#{user}#{Idempotency-Key}</c>, holding the first request's result for a while.</summary>
    public static string IdempotencyPk(Guid userUuid, string key) => $"IDEM#{userUuid:D}#{key}";

    /// <summary>Sort key of the idempotency item.</summary>
    public const string IdempotencySk = "IDEM";

    /// <summary>Attribute of our stream checkpoint item: the last handled sequence number of a shard.</summary>
    public const string SequenceNumber = "sequence_number";

    /// <summary>
    /// Our stream checkpoint items (local stream processor only): <c>STREAMPOS#{stream label}</c>, sk = shard id.
    /// One partition per stream, so a recreated table (new stream label) starts afresh.
    /// </summary>
    public static string StreamCheckpointPk(string streamLabel) => StreamCheckpointPrefix + streamLabel;

    /// <summary>True for the pk of a stream checkpoint item (whose own stream records the processor ignores).</summary>
    public static bool IsStreamCheckpointPk(string? pk) => pk is not null && pk.StartsWith(StreamCheckpointPrefix, StringComparison.Ordinal);

    /// <summary>
    /// Our dead-letter items (local stream processor only): the stream records pattern E passed over, all in the one
    /// partition <c>DLQ#</c>, sk = <c>{stream label}#{sequence number, zero-padded}</c> so they list in stream order.
    /// Never <c>message_group_uuid</c>: they stay out of the GSI and out of patterns A and B.
    /// </summary>
    public const string DeadLetterPk = "DLQ#";

    /// <summary>Sort key of the dead-letter item of one record (AWS sequence numbers have up to 40 digits).</summary>
    public static string DeadLetterSk(string streamLabel, string sequenceNumber) => $"{streamLabel}#{sequenceNumber.PadLeft(40, '0')}";

    /// <summary>True for the pk of a dead-letter item.</summary>
    public static bool IsDeadLetterPk(string? pk) => pk == DeadLetterPk;

    // Attributes of the dead-letter item.
    public const string StreamLabel = "stream_label";
    public const string ShardId = "shard_id";
    public const string StreamRecordJson = "record";
    public const string LastError = "error";
    public const string Attempts = "attempts";

    /// <summary>True for the pk of a message item (<c>MSG#{group}</c>); the partition also holds the group's read marker.</summary>
    public static bool IsMessagesPk(string? pk) => pk is not null && pk.StartsWith("MSG#", StringComparison.Ordinal);

    /// <summary>True for the key of a message item: in a messages partition and not the read marker.</summary>
    public static bool IsMessageKey(string? pk, string? sk) => IsMessagesPk(pk) && sk != ReadMarkerSk;

    /// <summary>
    /// Sort key of a group's read marker, kept in the group's messages partition (<c>MSG#{group}</c>): <c>~</c> sorts
    /// above every timestamp, so pattern A's newest-first query returns the marker with the first page in the same call.
    /// The original scripts list messages with <c>begins_with(sk, year)</c> and never see it.
    /// </summary>
    public const string ReadMarkerSk = "~READ";

    /// <summary>The read marker's attribute holding how far <paramref name="member"/> has read the group.</summary>
    public static string ReadMarkerAttribute(Guid member) => ReadMarkerPrefix + member.ToString("D");

    /// <summary>The read marker's attribute names start with this; the rest is the member's uuid.</summary>
    public const string ReadMarkerPrefix = "read_at#";

    private const string StreamCheckpointPrefix = "STREAMPOS#";
}
