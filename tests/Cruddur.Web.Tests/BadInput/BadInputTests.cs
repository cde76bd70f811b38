using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.BadInput;

/// <summary>
/// Hostile and broken input over HTTP: each case asserts its status and one error code, that the answer leaks no
/// internals, and that nothing was written (every item of the table, every row of <c>users</c>, before and after).
/// Placeholders in braces are filled by <see cref="BadInputWorld.Fill"/>; LONG_* become over-long messages and
/// BAD_BYTE an invalid UTF-8 byte.
/// </summary>
public sealed class BadInputTests(BadInputWorld world) : IClassFixture<BadInputWorld>
{
    private const string SqlText = "' OR 1=1 --";
    private const string ConditionText = "attribute_exists(pk)";
    private const string ExpressionText = "#pk = :v";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, HttpStatusCode, string> BadSends() => new()
    {
        // Blank and whitespace-only messages.
        { "empty message", """{"message": "", "handle": "{bob}"}""", HttpStatusCode.UnprocessableEntity, "message_blank" },
        { "tabs and newlines", """{"message": "\t\r\n \t", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_blank" },
        { "unicode spaces", """{"message": "\u00a0\u2003\u3000\u2029", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_blank" },
        { "null message", """{"message": null, "handle": "{bob}"}""", HttpStatusCode.UnprocessableEntity, "message_blank" },
        // Control characters other than tab and newline.
        { "a NUL inside", """{"message": "a\u0000b", "handle": "{bob}"}""", HttpStatusCode.UnprocessableEntity, "message_control_character" },
        { "a terminal escape", """{"message": "\u001b[2Jcleared", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_control_character" },
        { "a bell", """{"message": "ring\u0007", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_control_character" },
        { "a carriage return", """{"message": "one\rtwo", "handle": "{bob}"}""", HttpStatusCode.UnprocessableEntity, "message_control_character" },
        // Over-long messages, counted in user-perceived characters.
        { "1025 emoji with skin tone", """{"message": "LONG_EMOJI", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_exceed_max_chars_1024" },
        { "1025 CJK characters", """{"message": "LONG_CJK", "handle": "{bob}"}""", HttpStatusCode.UnprocessableEntity, "message_exceed_max_chars_1024" },
        { "1025 letters with combining marks", """{"message": "LONG_COMBINING", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_exceed_max_chars_1024" },
        { "1025 letters inside spaces", """{"message": "   LONG_ASCII   ", "message_group_uuid": "{group}"}""", HttpStatusCode.UnprocessableEntity, "message_exceed_max_chars_1024" },
        // Wrong JSON types.
        { "message is a boolean", """{"message": true, "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "message is an array", """{"message": ["hi"], "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "message is an object", """{"message": {"text": "hi"}, "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "handle is a number", """{"message": "hi", "handle": 7}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "group is an object", """{"message": "hi", "message_group_uuid": {"S": "{group}"}}""", HttpStatusCode.BadRequest, "body_malformed" },
        // Malformed JSON.
        { "trailing comma", """{"message": "hi", "handle": "{bob}",}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "single quotes", """{'message': 'hi', 'handle': '{bob}'}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "comment", """{"message": "hi", /* who */ "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "empty body", "", HttpStatusCode.BadRequest, "body_malformed" },
        { "a bare string", "\"hi\"", HttpStatusCode.BadRequest, "body_malformed" },
        { "nested 200 deep", """{"message": "hi", "handle": "{bob}", "x": DEEP}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "invalid UTF-8", """{"message": "hiBAD_BYTE", "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "lone surrogate", """{"message": "hi \ud800", "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        { "duplicate field", """{"message": "hi", "handle": "{alice}", "handle": "{bob}"}""", HttpStatusCode.BadRequest, "body_malformed" },
        // Invalid and unknown uuids.
        { "group of two others", """{"message": "hi", "message_group_uuid": "{foreign}"}""", HttpStatusCode.NotFound, "message_group_not_found" },
        { "group uuid with a character more", """{"message": "hi", "message_group_uuid": "{group}0"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "group uuid with a NUL", """{"message": "hi", "message_group_uuid": "{group}\u0000"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "group uuid as a number", """{"message": "hi", "message_group_uuid": "1234"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        // Unknown, malformed and own handles.
        { "handle of only @", """{"message": "hi", "handle": "@"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "handle with a path", """{"message": "hi", "handle": "{bob}/../admin"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "handle with a NUL", """{"message": "hi", "handle": "{bob}\u0000"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "handle of 5000 characters", """{"message": "hi", "handle": "LONG_HANDLE"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "own handle with @ and blanks", """{"message": "hi", "handle": "  @{alice} "}""", HttpStatusCode.UnprocessableEntity, "message_self" },
        // Both or neither recipient.
        { "both, the group invalid", """{"message": "hi", "handle": "{bob}", "message_group_uuid": "nope"}""", HttpStatusCode.BadRequest, "recipient_ambiguous" },
        { "neither, both blank", """{"message": "hi", "handle": " ", "message_group_uuid": ""}""", HttpStatusCode.BadRequest, "recipient_missing" },
        { "neither, both null", """{"message": "hi", "handle": null, "message_group_uuid": null}""", HttpStatusCode.BadRequest, "recipient_missing" },
        // Query and expression text in every field.
        { "SQL as handle", $$"""{"message": "hi", "handle": "{{SqlText}}"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "condition as handle", $$"""{"message": "hi", "handle": "{{ConditionText}}"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "expression as handle", $$"""{"message": "hi", "handle": "{{ExpressionText}}"}""", HttpStatusCode.NotFound, "handle_unknown" },
        { "SQL as group", $$"""{"message": "hi", "message_group_uuid": "{{SqlText}}"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "condition as group", $$"""{"message": "hi", "message_group_uuid": "{{ConditionText}}"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "expression as group", $$"""{"message": "hi", "message_group_uuid": "{{ExpressionText}}"}""", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "expression as a field name", $$"""{"message": "hi", "handle": "{bob}", "{{ExpressionText}}": "x"}""", HttpStatusCode.BadRequest, "body_unknown_field" },
        // Too large, in multi-byte characters (about 18 KB of UTF-8 in 6000 characters).
        { "6000 CJK characters", """{"message": "HUGE_CJK", "handle": "{bob}"}""", HttpStatusCode.RequestEntityTooLarge, "body_too_large" },
    };

    [Theory]
    [MemberData(nameof(BadSends))]
    public async Task A_bad_send_is_refused_with_its_code_and_writes_nothing(string why, string body, HttpStatusCode status, string code)
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);
        using var content = new ByteArrayContent(Bytes(world.Fill(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await world.Alice.Client.PostAsync("/api/messages", content, Token);

        await response.ShouldBeProblemAsync(status, code);
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before, why);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/html")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/jsonp")]
    public async Task A_body_in_another_content_type_is_415_and_writes_nothing(string contentType)
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);
        using var content = new StringContent(world.Fill("""{"message": "hi", "handle": "{bob}"}"""), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await world.Alice.Client.PostAsync("/api/messages", content, Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.UnsupportedMediaType, "content_type_unsupported");
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before);
    }

    public static TheoryData<string, HttpStatusCode, string> BadReads() => new()
    {
        // Limits.
        { "/api/messages/{group}?limit=-1", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/messages/{group}?limit=99999999999", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/messages/{group}?limit=1e2", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/messages/{group}?limit=%2B5", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/message_groups?limit=101", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/message_groups?limit=abc", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/message_groups?limit=", HttpStatusCode.BadRequest, "limit_out_of_range" },
        { "/api/message_groups?limit=%27%20OR%201%3D1%20--", HttpStatusCode.BadRequest, "limit_out_of_range" },
        // Tampered and foreign cursors.
        { "/api/messages/{group}?cursor={tampered_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/message_groups?cursor={tampered_groups_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/{group}?cursor={bob_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/{foreign}?cursor={alice_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/message_groups?cursor={alice_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/{group}?cursor={groups_cursor}", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/{group}?cursor=%27%20OR%201%3D1%20--", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/{group}?cursor=attribute_exists(pk)", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/message_groups?cursor=%23pk%20%3D%20%3Av", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/message_groups?cursor=LONG_CURSOR", HttpStatusCode.BadRequest, "cursor_invalid" },
        // A group of others in the route is a 404 like one that does not exist; a malformed or hostile id is a 400,
        // the same answer the core gives for it in a send's body (issue 11: one answer for one fault).
        { "/api/messages/{foreign}", HttpStatusCode.NotFound, "message_group_not_found" },
        { "/api/messages/%27%20OR%201%3D1%20--", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "/api/messages/attribute_exists(pk)", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "/api/messages/%23pk%20%3D%20%3Av", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "/api/messages/{group}?cursor=%00", HttpStatusCode.BadRequest, "cursor_invalid" },
        { "/api/messages/..%2F..%2Fetc%2Fpasswd", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "/api/messages/..%2F{group}", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        { "/api/messages/00000000-0000-0000-0000-000000000000", HttpStatusCode.BadRequest, "message_group_uuid_invalid" },
        // Handles in the public user route.
        { "/api/users/@..%2Fadmin/short", HttpStatusCode.NotFound, "user_not_found" },
        { "/api/users/@%27%20OR%201%3D1%20--/short", HttpStatusCode.NotFound, "user_not_found" },
        { "/api/users/@attribute_exists(pk)/short", HttpStatusCode.NotFound, "user_not_found" },
        { "/api/users/@%23pk%20%3D%20%3Av/short", HttpStatusCode.NotFound, "user_not_found" },
        { "/api/users/@%F0%9F%98%80%E6%BC%A2/short", HttpStatusCode.NotFound, "user_not_found" },
        { "/api/users/@LONG_HANDLE/short", HttpStatusCode.NotFound, "user_not_found" },
    };

    [Theory]
    [MemberData(nameof(BadReads))]
    public async Task A_bad_read_is_refused_with_its_code_and_writes_nothing(string path, HttpStatusCode status, string code)
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);

        using var response = await world.Alice.Client.GetAsync(Expand(world.Fill(path)), Token);

        await response.ShouldBeProblemAsync(status, code);
        response.Headers.Contains("Link").ShouldBeFalse();
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before, path);
    }

    public static TheoryData<string, string> AwkwardMessages() => new()
    {
        { "1024 emoji with skin tone", "LONG_EMOJI" },
        { "1024 CJK characters", "LONG_CJK" },
        { "1024 letters with combining marks", "LONG_COMBINING" },
        { "1024 letters inside spaces", "  LONG_ASCII\n" },
        { "SQL", SqlText },
        { "a condition expression", ConditionText },
        { "an update expression", "SET #pk = :v REMOVE message" },
        { "tabs and newlines inside", "a\tb\nc" },
        { "markup", "<script>alert(1)</script>" },
    };

    [Theory]
    [MemberData(nameof(AwkwardMessages))]
    public async Task An_awkward_but_valid_message_is_stored_once_exactly_as_sent(string why, string text)
    {
        var message = Expand(text, maxOffset: 1024).Trim();
        var before = await StoreCounts.ReadAsync(world.Services, world.App);

        // Raw UTF-8 like a browser's JSON.stringify: escaped as \uXXXX (as System.Text.Json always does for emoji),
        // 1024 emoji with skin tones exceed the 16 KiB body limit.
        var escaped = Expand(text, maxOffset: 1024).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
        var body = $$"""{"message": "{{escaped}}", "message_group_uuid": "{{world.Group}}"}""";
        using var response = await world.Alice.Client.PostRawAsync("/api/messages", body);

        var sent = await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        sent.GetProperty("message").GetString().ShouldBe(message, why);
        var stored = (await TableItems.ScanAsync(world.Services, world.App.TableName))
            .Where(item => item.TryGetValue("message_uuid", out var uuid) && uuid.S == sent.GetProperty("uuid").GetString())
            .ToList();
        stored.Count.ShouldBe(1, why);
        stored[0]["message"].S.ShouldBe(message, why);
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before with { Items = before.Items + 1 }, why);
    }

    [Theory]
    [InlineData("""{"handle": "nul_name", "display_name": "a\u0000b"}""", "display_name_invalid")]
    [InlineData("""{"handle": "bell_name", "display_name": "ring\u0007"}""", "display_name_invalid")]
    [InlineData("""{"handle": "nul_mail", "email": "x\u0000@example.invalid"}""", "email_invalid")]
    [InlineData("""{"handle": "' OR 1=1 --"}""", "handle_invalid")]
    [InlineData("""{"handle": "attribute_exists(pk)"}""", "handle_invalid")]
    [InlineData("""{"handle": "bidi_name", "display_name": "alice\u202Eevil"}""", "display_name_invalid")]
    [InlineData("""{"handle": "isolate_name", "display_name": "\u2067alice\u2069"}""", "display_name_invalid")]
    [InlineData("""{"handle": "zwsp_name", "display_name": "ali\u200Bce"}""", "display_name_invalid")]
    [InlineData("""{"handle": "al\u200Bice"}""", "handle_invalid")]
    [InlineData("""{"handle": "\u202Ealice"}""", "handle_invalid")]
    [InlineData("""{"handle": "\uff41lice"}""", "handle_invalid")]
    public async Task A_dev_sign_in_with_unstorable_or_hostile_fields_is_422_and_creates_nobody(string body, string code)
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);
        using var response = await world.App.CreateClient().PostRawAsync("/api/dev/sign-in", body);
        await response.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, code);
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before);
    }

    [Fact]
    public async Task A_dev_sign_in_with_another_case_of_a_handle_is_that_user_and_creates_nobody()
    {
        var before = await StoreCounts.ReadAsync(world.Services, world.App);
        using var response = await world.App.CreateClient().PostRawAsync("/api/dev/sign-in", $$"""{"handle": "{{world.Bob.Handle.ToUpperInvariant()}}", "display_name": "Not Bob"}""");

        var user = (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("user");
        user.GetProperty("uuid").GetGuid().ShouldBe(world.Bob.Uuid);
        user.GetProperty("handle").GetString().ShouldBe(world.Bob.Handle);
        (await StoreCounts.ReadAsync(world.Services, world.App)).ShouldBe(before);
        using var lookUp = await world.Alice.Client.GetAsync($"/api/users/@{world.Bob.Handle.ToUpperInvariant()}/short", Token);
        (await lookUp.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("uuid").GetGuid().ShouldBe(world.Bob.Uuid);
    }

    /// <summary>The placeholders that stand for long or unencodable text; <paramref name="maxOffset"/> 1024 makes the long ones just fit.</summary>
    private static string Expand(string text, int maxOffset = 1025) => text
        .Replace("LONG_EMOJI", string.Concat(Enumerable.Repeat("\U0001F44D\U0001F3FD", maxOffset)), StringComparison.Ordinal)
        .Replace("LONG_CJK", new string('漢', maxOffset), StringComparison.Ordinal)
        .Replace("LONG_COMBINING", string.Concat(Enumerable.Repeat("e\u0301", maxOffset)), StringComparison.Ordinal)
        .Replace("LONG_ASCII", new string('x', maxOffset), StringComparison.Ordinal)
        .Replace("LONG_HANDLE", new string('h', 5000), StringComparison.Ordinal)
        .Replace("LONG_CURSOR", new string('A', 5000), StringComparison.Ordinal)
        .Replace("HUGE_CJK", new string('漢', 6000), StringComparison.Ordinal)
        .Replace("DEEP", new string('[', 200) + new string(']', 200), StringComparison.Ordinal);

    /// <summary>The body as UTF-8, with BAD_BYTE as a byte no UTF-8 text contains.</summary>
    private static byte[] Bytes(string body)
    {
        var parts = Expand(body).Split("BAD_BYTE");
        return [.. parts.SelectMany((part, i) => i == 0 ? Encoding.UTF8.GetBytes(part) : [0xFF, .. Encoding.UTF8.GetBytes(part)])];
    }
}
