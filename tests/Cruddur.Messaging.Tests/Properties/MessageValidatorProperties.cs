using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Messages;
using CsCheck;

namespace Cruddur.Messaging.Tests.Properties;

/// <summary>
/// The message rule: never throws; accepts exactly 1–1024 user-perceived characters after trimming, without C0 controls
/// other than tab and newline, and keeps the trimmed text.
/// </summary>
public sealed class MessageValidatorProperties
{
    [Fact]
    public void Arbitrary_text_never_throws_and_is_judged_by_its_trimmed_length() =>
        Gen.OneOf(Generators.AnyText, Generators.MessageLikeText).Sample(Check, iter: 3000);

    [Fact]
    public void Text_near_the_limit_is_judged_in_user_perceived_characters() =>
        Generators.MessageLikeText.Sample(Check, iter: 3000);

    private static void Check(string text)
    {
        var outcome = MessageValidator.Text(text);
        var trimmed = text.Trim();
        var count = trimmed.Length == 0 ? 0 : Generators.TextElementCount(trimmed);
        var control = trimmed.Any(c => c < ' ' && c != '\t' && c != '\n');
        if (count > 0 && control)
        {
            outcome.Error.ShouldNotBeNull(text).Code.ShouldBe(MessagingErrorCodes.MessageControlCharacter);
        }
        else if (count is >= 1 and <= MessageValidator.MaxTextElements)
        {
            outcome.Error.ShouldBeNull(text);
            outcome.Value.ShouldBe(trimmed);
        }
        else
        {
            outcome.Error.ShouldNotBeNull(text).Code.ShouldBe(count == 0 ? MessagingErrorCodes.MessageBlank : MessagingErrorCodes.MessageTooLong);
        }
    }
}
