using System.Net;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.Messages;

public sealed class SmokeTests(LocalServicesFixture services)
{
    [Fact]
    public async Task Health_check_answers_success()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var client = app.CreateClient();
        var json = await client.GetJsonAsync("/api/health-check");
        json.GetProperty("success").GetBoolean().ShouldBeTrue();
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        using var bob = await app.SignInAsync(CruddurWebApplication.UniqueHandle("bob"));
        var sent = await alice.Client.SendToHandleAsync(bob.Handle, "hello");
        sent.GetProperty("message").GetString().ShouldBe("hello");
        using var response = await bob.Client.GetAsync("/api/message_groups", TestContext.Current.CancellationToken);
        (await response.ShouldBeJsonAsync(HttpStatusCode.OK)).GetArrayLength().ShouldBe(1);
    }
}
