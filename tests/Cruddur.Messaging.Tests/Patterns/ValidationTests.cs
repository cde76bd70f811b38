using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Paging;
using Cruddur.Testing;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>Every refusal has its stable code, and nothing is written when input is refused.</summary>
public sealed class ValidationTests(LocalServicesFixture services)
{
    private const string Family = "👨‍👩‍👧";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string> RefusedTexts => new()
    {
        { "", MessageBlank },
        { "   ", MessageBlank },
        { " \t\n\u00a0\u2003 ", MessageBlank },
        { new string('x', 1025), MessageTooLong },
        { "  " + new string('x', 1025) + "  ", MessageTooLong },
        { string.Concat(Enumerable.Repeat(Family, 1025)), MessageTooLong },
        { string.Concat(Enumerable.Repeat("e\u0301", 1025)), MessageTooLong },
        { "a\u0000b", MessageControlCharacter },
        { "ring\u0007", MessageControlCharacter },
        { "\u001b[31mred", MessageControlCharacter },
        { "line\r\nbreak", MessageControlCharacter },
    };

    [Theory]
    [MemberData(nameof(RefusedTexts))]
    public async Task A_refused_text_is_refused_by_C_and_D_and_writes_nothing(string text, string code)
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, _) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "hi", Token)).ShouldSucceed().MessageGroupUuid;
        await world.UserAsync("carol");
        var before = await world.CountItemsAsync();

        (await world.Messaging.PostToGroupAsync(andrew, group, text, Token)).ShouldFail(code);
        (await world.Messaging.PostToHandleAsync(andrew, "bayko", text, Token)).ShouldFail(code);
        (await world.Messaging.PostToHandleAsync(andrew, "carol", text, Token)).ShouldFail(code);

        (await world.CountItemsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task A_message_of_1024_user_perceived_characters_is_accepted_however_long_in_code_units()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, _) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var families = string.Concat(Enumerable.Repeat(Family, 1024));
        var accents = string.Concat(Enumerable.Repeat("e\u0301", 1024));

        (await world.Messaging.PostToHandleAsync(andrew, "bayko", families, Token)).ShouldSucceed().Text.ShouldBe(families);
        (await world.Messaging.PostToHandleAsync(andrew, "bayko", accents, Token)).ShouldSucceed().Text.ShouldBe(accents);
        (await world.Messaging.PostToHandleAsync(andrew, "bayko", " " + new string('x', 1024) + " ", Token)).ShouldSucceed().Text.Length.ShouldBe(1024);
    }

    [Fact]
    public async Task Refused_requests_of_every_kind_write_nothing()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, _, mallory) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"), await world.UserAsync("mallory"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "hi", Token)).ShouldSucceed().MessageGroupUuid;
        var before = await world.CountItemsAsync();

        (await world.Messaging.PostToHandleAsync(andrew, "nobody", "hi", Token)).ShouldFail(HandleUnknown, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToHandleAsync(andrew, "  ", "hi", Token)).ShouldFail(HandleUnknown, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToHandleAsync(andrew, "@", "hi", Token)).ShouldFail(HandleUnknown, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToHandleAsync(andrew, "andrew", "hi", Token)).ShouldFail(MessageSelf);
        (await world.Messaging.PostToHandleAsync(andrew, "@andrew", "hi", Token)).ShouldFail(MessageSelf);
        (await world.Messaging.PostToGroupAsync(andrew, Guid.Empty, "hi", Token)).ShouldFail(MessageGroupUuidInvalid);
        (await world.Messaging.PostToGroupAsync(andrew, Guid.NewGuid(), "hi", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToGroupAsync(mallory, group, "hi", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(0), Token)).ShouldFail(LimitOutOfRange);
        (await world.Messaging.ListMessagesAsync(andrew, group, new PageRequest(20, "junk"), Token)).ShouldFail(CursorInvalid);
        (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(101), Token)).ShouldFail(LimitOutOfRange);
        (await world.Messaging.ListMessageGroupsAsync(andrew, new PageRequest(20, "junk"), Token)).ShouldFail(CursorInvalid);

        (await world.CountItemsAsync()).ShouldBe(before);
    }
}
