using Amazon.DynamoDBv2.Model;
using Cruddur.Messaging.Errors;
using Cruddur.Testing;
using static Cruddur.Messaging.Errors.MessagingErrorCodes;

namespace Cruddur.Messaging.Tests.Patterns;

/// <summary>The membership cache knows only what the store has said, never what this process wrote.</summary>
public sealed class GroupMembershipTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_group_the_store_lost_after_D_answered_is_not_found_for_C_and_gets_no_message()
    {
        await using var world = await MessagingWorld.CreateAsync(services);
        var (andrew, bayko) = (await world.UserAsync("andrew"), await world.UserAsync("bayko"));
        var group = (await world.Messaging.PostToHandleAsync(andrew, "bayko", "first", Token)).ShouldSucceed().MessageGroupUuid;

        // What DynamoDB Local does to the last acknowledged transaction when it is killed: the whole of it is gone.
        var items = await world.ScanAsync();
        items.Count.ShouldBeGreaterThan(1);
        foreach (var item in items)
        {
            await world.Client.DeleteItemAsync(new DeleteItemRequest { TableName = world.TableName, Key = new() { ["pk"] = item["pk"], ["sk"] = item["sk"] } }, Token);
        }

        (await world.Messaging.PostToGroupAsync(bayko, group, "into nowhere?", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.Messaging.PostToGroupAsync(andrew, group, "into nowhere?", Token)).ShouldFail(MessageGroupNotFound, MessagingErrorKind.NotFound);
        (await world.ScanAsync()).ShouldBeEmpty();
    }
}
