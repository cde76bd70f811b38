using System.Globalization;
using System.Net;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.Messages;

/// <summary>Sends with an Idempotency-Key: a retry answers the first result and stores nothing new.</summary>
public sealed class IdempotencyTests(LocalServicesFixture services) : IAsyncLifetime
{
    private CruddurWebApplication app = null!;
    private SignedInUser alice = null!;
    private SignedInUser bob = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        app = await CruddurWebApplication.StartAsync(services);
        alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
    }

    public async ValueTask DisposeAsync()
    {
        alice.Dispose();
        bob.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task A_sequential_retry_answers_the_first_message_and_stores_one()
    {
        var key = Guid.NewGuid().ToString();
        using var first = await alice.Client.PostMessageAsync(new { message = "once", handle = bob.Handle }, key);
        var created = await first.ShouldBeJsonAsync(HttpStatusCode.OK);
        using var retry = await alice.Client.PostMessageAsync(new { message = "once", handle = bob.Handle }, key);
        var again = await retry.ShouldBeJsonAsync(HttpStatusCode.OK);

        again.GetRawText().ShouldBe(created.GetRawText());
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(1);
        var group = created.GetProperty("message_group_uuid").GetGuid();
        (await alice.Client.GetJsonAsync($"/api/messages/{group}")).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Concurrent_retries_all_answer_the_one_stored_message()
    {
        using var carol = await app.SignInAsync(CruddurWebApplication.UniqueHandle("carol"));
        var group = (await alice.Client.SendToHandleAsync(carol.Handle, "start")).GetProperty("message_group_uuid").GetGuid();
        var key = Guid.NewGuid().ToString();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await alice.Client.PostMessageAsync(new { message = "racing", message_group_uuid = group }, key);
            return await response.ShouldBeJsonAsync(HttpStatusCode.OK);
        }));

        answers.Select(a => a.GetProperty("uuid").GetGuid()).Distinct().Count().ShouldBe(1);
        var messages = await alice.Client.GetJsonAsync($"/api/messages/{group}");
        messages.EnumerateArray().Select(m => m.GetProperty("message").GetString()).ShouldBe(["start", "racing"]);
    }

    [Fact]
    public async Task The_same_key_for_another_message_is_422_and_stores_nothing()
    {
        var key = Guid.NewGuid().ToString();
        (await alice.Client.PostMessageAsync(new { message = "first", handle = bob.Handle }, key)).Dispose();

        using var reused = await alice.Client.PostMessageAsync(new { message = "second", handle = bob.Handle }, key);

        await reused.ShouldBeProblemAsync(HttpStatusCode.UnprocessableEntity, "idempotency_key_reused");
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(1);
    }

    [Fact]
    public async Task Keys_are_per_user()
    {
        var key = Guid.NewGuid().ToString();
        (await alice.Client.PostMessageAsync(new { message = "same words", handle = bob.Handle }, key)).Dispose();
        using var fromBob = await bob.Client.PostMessageAsync(new { message = "same words", handle = alice.Handle }, key);
        await fromBob.ShouldBeJsonAsync(HttpStatusCode.OK);

        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(2);
    }

    [Fact]
    public async Task A_refused_send_gives_its_key_back()
    {
        var key = Guid.NewGuid().ToString();
        using var refused = await alice.Client.PostMessageAsync(new { message = "hi", handle = "nobody_has_this_one" }, key);
        await refused.ShouldBeProblemAsync(HttpStatusCode.NotFound, "handle_unknown");
        using var again = await alice.Client.PostMessageAsync(new { message = "hi", handle = "nobody_has_this_one" }, key);
        await again.ShouldBeProblemAsync(HttpStatusCode.NotFound, "handle_unknown");

        (await TableItems.ScanAsync(services, app.TableName)).ShouldNotContain(item => item["pk"].S.StartsWith("IDEM#", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_record_lives_in_DynamoDB_with_a_TTL_and_stays_out_of_the_GSI()
    {
        var key = Guid.NewGuid().ToString();
        (await alice.Client.PostMessageAsync(new { message = "recorded", handle = bob.Handle }, key)).Dispose();

        var item = (await TableItems.ScanAsync(services, app.TableName)).Single(i => i["pk"].S == $"IDEM#{alice.Uuid:D}#{key}");
        item.ShouldNotContainKey("message_group_uuid");
        item["state"].S.ShouldBe("done");
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(item["expires_at"].N, CultureInfo.InvariantCulture));
        expiresAt.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(10));
        JsonDocument.Parse(item["response"].S).RootElement.GetProperty("message").GetString().ShouldBe("recorded");

        using var client = services.CreateDynamoDbClient();
        var ttl = await client.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = app.TableName }, Token);
        ttl.TimeToLiveDescription.AttributeName.ShouldBe("expires_at");
    }

    [Fact]
    public async Task A_retry_while_the_first_request_is_still_pending_is_409_after_waiting()
    {
        var key = Guid.NewGuid().ToString();
        await PutPendingAsync(key, "stuck", leaseFromNow: TimeSpan.FromMinutes(5));

        var started = DateTime.UtcNow;
        using var response = await alice.Client.PostMessageAsync(new { message = "stuck", handle = bob.Handle }, key);

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "idempotency_request_in_flight");
        (DateTime.UtcNow - started).ShouldBeGreaterThan(TimeSpan.FromSeconds(5)); // it waited for the first to finish
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(0);
    }

    [Fact]
    public async Task A_pending_request_whose_lease_has_passed_is_taken_over()
    {
        var key = Guid.NewGuid().ToString();
        await PutPendingAsync(key, "abandoned", leaseFromNow: TimeSpan.FromSeconds(-1));

        using var response = await alice.Client.PostMessageAsync(new { message = "abandoned", handle = bob.Handle }, key);

        (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetProperty("message").GetString().ShouldBe("abandoned");
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(1);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("ünïcode")]
    public async Task An_invalid_key_is_400(string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/messages")
        {
            Content = new StringContent($"{{\"message\": \"hi\", \"handle\": \"{bob.Handle}\"}}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        using var response = await alice.Client.SendAsync(request, Token);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "idempotency_key_invalid");
        (await TableItems.CountMessagesAsync(services, app.TableName)).ShouldBe(0);
    }

    /// <summary>Writes the item a first request leaves while it runs (or after it died), as the app would.</summary>
    private async Task PutPendingAsync(string key, string message, TimeSpan leaseFromNow)
    {
        using var client = services.CreateDynamoDbClient();
        var now = DateTimeOffset.UtcNow;
        await client.PutItemAsync(
            new PutItemRequest
            {
                TableName = app.TableName,
                Item = new()
                {
                    ["pk"] = new() { S = $"IDEM#{alice.Uuid:D}#{key}" },
                    ["sk"] = new() { S = "IDEM" },
                    ["state"] = new() { S = "pending" },
                    ["request_hash"] = new() { S = Web.Messages.SendMessage.Fingerprint(null, bob.Handle, message) },
                    ["lease_until"] = new() { N = (now + leaseFromNow).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                    ["expires_at"] = new() { N = now.AddHours(1).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
                },
            },
            Token);
    }
}
