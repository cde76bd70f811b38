using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;

namespace Cruddur.Web.Tests.ScaleOut;

/// <summary>An event stream lives no longer than the token that opened it.</summary>
public sealed class EventStreamExpiryTests(LocalServicesFixture services)
{
    [Fact]
    public async Task An_event_stream_ends_with_an_expired_event_when_its_token_expires()
    {
        await using var app = await CruddurWebApplication.StartAsync(services, extra: new Dictionary<string, string?> { ["Authentication:Development:TokenLifetime"] = "00:00:02" });
        using var alice = await app.SignInAsync(CruddurWebApplication.UniqueHandle("alice"));
        await using var events = await EventReader.OpenAsync(alice.Client);

        var lines = await events.ReadToEndAsync();

        lines.ShouldContain("event: expired");
    }
}
