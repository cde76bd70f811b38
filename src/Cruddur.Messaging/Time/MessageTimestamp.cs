using System.Globalization;

namespace Cruddur.Messaging.Time;

/// <summary>
/// The table's time format: UTC, fixed width, microseconds and <c>+00:00</c>
/// (<c>2026-11-24T22:41:58.123456+00:00</c>), so that string order is time order.
/// </summary>
public static class MessageTimestamp
{
    private const string Pattern = "yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'";

    /// <summary>Formats a time as the table stores it, truncated to the microsecond.</summary>
    public static string Format(DateTimeOffset time) =>
        TruncateToMicroseconds(time.ToUniversalTime()).ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads the table's format and older shapes tolerantly: no offset (the original scripts' naive
    /// timestamps, taken as UTC), other offsets, fewer or no fractional digits.
    /// </summary>
    public static bool TryParse(string? text, out DateTimeOffset time)
    {
        var parsed = DateTimeOffset.TryParse(
            text,
            CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal,
            out time);
        if (parsed)
        {
            time = TruncateToMicroseconds(time);
        }

        return parsed;
    }

    /// <summary>Like <see cref="TryParse"/>, failing with a <see cref="FormatException"/>.</summary>
    public static DateTimeOffset Parse(string text) =>
        TryParse(text, out var time) ? time : throw new FormatException($"Not a timestamp: '{text}'.");

    /// <summary>The next representable table time, one microsecond later.</summary>
    public static DateTimeOffset NextMicrosecond(DateTimeOffset time) => TruncateToMicroseconds(time).AddTicks(TimeSpan.TicksPerMicrosecond);

    /// <summary>The time as the table keeps it: cut to the microsecond, so what is returned equals what is read back.</summary>
    public static DateTimeOffset TruncateToMicroseconds(DateTimeOffset time) =>
        new(time.Ticks - (time.Ticks % TimeSpan.TicksPerMicrosecond), time.Offset);
}
