using System.Text.Json.Nodes;
using Amazon.CDK.Assertions;

namespace Cruddur.Deploy.Tests;

public sealed class MessagesTableTests(CruddurStackFixture stack) : IClassFixture<CruddurStackFixture>
{
    private const string TableType = "AWS::DynamoDB::Table";

    [Fact]
    public void The_table_has_the_keys_index_stream_billing_and_recovery_of_the_design()
    {
        var table = stack.SingleProperties(TableType);

        table["BillingMode"]!.GetValue<string>().ShouldBe("PAY_PER_REQUEST");
        table["StreamSpecification"]!["StreamViewType"]!.GetValue<string>().ShouldBe("NEW_AND_OLD_IMAGES");
        table["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>().ShouldBeTrue();
        Keys(table["KeySchema"]!).ShouldBe(["pk:HASH", "sk:RANGE"]);
        var index = table["GlobalSecondaryIndexes"]!.AsArray().ShouldHaveSingleItem()!;
        index["IndexName"]!.GetValue<string>().ShouldBe("message-group-sk-index");
        Keys(index["KeySchema"]!).ShouldBe(["message_group_uuid:HASH", "sk:RANGE"]);
        index["Projection"]!["ProjectionType"]!.GetValue<string>().ShouldBe("ALL");
    }

    [Fact]
    public void Idempotency_records_expire_through_TTL_on_expires_at()
    {
        stack.Template.HasResourceProperties(TableType, Match.ObjectLike(Props.Of(
            ("TimeToLiveSpecification", Props.Of(("AttributeName", "expires_at"), ("Enabled", true))))));
    }

    [Fact]
    public void The_table_survives_a_stack_deletion_and_an_accidental_delete_call()
    {
        stack.Template.HasResource(TableType, Props.Of(
            ("DeletionPolicy", "Retain"),
            ("UpdateReplacePolicy", "Retain"),
            ("Properties", Match.ObjectLike(Props.Of(("DeletionProtectionEnabled", true), ("TableName", Props.Of(("Ref", "TableName"))))))));
    }

    private static IEnumerable<string> Keys(JsonNode keySchema) =>
        keySchema.AsArray().Select(key => $"{key!["AttributeName"]!.GetValue<string>()}:{key["KeyType"]!.GetValue<string>()}");
}
