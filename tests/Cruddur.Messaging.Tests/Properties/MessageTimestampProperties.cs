using System.Globalization;
using CsCheck;
using Cruddur.Messaging.Time;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>The table's time format: parse(format(t)) is t to the microsecond, string order is time order, TryParse never throws.</summary>
public sealed class MessageTimestampProperties
{
    [Fact]
    public void Format_then_parse_gives_the_time_back_to_the_microsecond() =>
        Generators.AnyTime.Sample(time =>
        {
            var text = MessageTimestamp.Format(time);
            MessageTimestamp.TryParse(text, out var parsed).ShouldBeTrue(text);
            parsed.ShouldBe(MessageTimestamp.TruncateToMicroseconds(time.ToUniversalTime()));
            parsed.Offset.ShouldBe(TimeSpan.Zero);
            MessageTimestamp.Format(parsed).ShouldBe(text);
        });

    [Fact]
    public void Formatted_times_are_fixed_width_and_sort_as_text_in_time_order() =>
        Gen.Select(Generators.AnyTime, Generators.AnyTime).Sample((a, b) =>
        {
            var (ta, tb) = (MessageTimestamp.Format(a), MessageTimestamp.Format(b));
            ta.Length.ShouldBe(32);
            Math.Sign(string.CompareOrdinal(ta, tb)).ShouldBe(
                MessageTimestamp.TruncateToMicroseconds(a.ToUniversalTime()).CompareTo(MessageTimestamp.TruncateToMicroseconds(b.ToUniversalTime())));
        });

    [Fact]
    public void Older_shapes_read_as_the_same_instant() =>
        Generators.AnyTime.Sample(time =>
        {
            var utc = MessageTimestamp.TruncateToMicroseconds(time.ToUniversalTime());
            // The original scripts' naive timestamps are UTC.
            var naive = utc.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            MessageTimestamp.TryParse(naive, out var parsed).ShouldBeTrue(naive);
            parsed.ShouldBe(utc);
        });

    [Fact]
    public void TryParse_never_throws_on_arbitrary_text() =>
        Gen.Select(Generators.AnyText, Gen.String[0, 40], Generators.AnyTime, Gen.Int[0, 40], Gen.Char).Sample((any, ascii, time, at, c) =>
        {
            Reparses(any);
            Reparses(ascii);
            var text = MessageTimestamp.Format(time);
            var index = at % text.Length;
            Reparses(string.Concat(text.AsSpan(0, index), c.ToString(), text.AsSpan(index + 1)));
            Reparses(text[..index]);
        });

    /// <summary>Whatever TryParse accepts is a UTC time that survives the table's format.</summary>
    private static void Reparses(string text)
    {
        if (MessageTimestamp.TryParse(text, out var time))
        {
            time.Offset.ShouldBe(TimeSpan.Zero, text);
            MessageTimestamp.Parse(MessageTimestamp.Format(time)).ShouldBe(time, text);
        }
    }
}
