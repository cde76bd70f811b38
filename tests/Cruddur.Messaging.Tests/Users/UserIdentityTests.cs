using Cruddur.Messaging.Errors;
using Cruddur.Messaging.Users;
using Cruddur.Messaging.Tests.Patterns;
using Cruddur.Testing;
using Npgsql;

namespace Cruddur.Messaging.Tests.Users;

/// <summary>Names that look alike are one name: handles unique without regard to case, no invisible characters.</summary>
public sealed class UserIdentityTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_handle_differing_only_in_case_is_the_same_user()
    {
        await using var dataSource = NpgsqlDataSource.Create(await services.CreateDatabaseAsync(Token));
        await UserSchema.CreateIfMissingAsync(dataSource, Token);
        var store = new UserStore(dataSource);

        var andrew = await store.CreateIfAbsentAsync("andrewbrown", "Andrew Brown", "andrew@example.com", null, Token);
        var lookAlike = await store.CreateIfAbsentAsync("AndrewBrown", "Not Andrew", "other@example.com", null, Token);

        lookAlike.ShouldBe(andrew);
        (await store.FindByHandleAsync("ANDREWBROWN", Token)).ShouldBe(andrew);
        await using var insert = dataSource.CreateCommand("INSERT INTO public.users (handle, display_name, email) VALUES ('AndrewBROWN', 'x', 'x@example.com')");
        (await Should.ThrowAsync<PostgresException>(() => insert.ExecuteNonQueryAsync(Token))).SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
    }

    [Fact]
    public async Task Migrating_a_table_with_case_duplicates_refuses_names_them_and_changes_nothing()
    {
        await using var dataSource = NpgsqlDataSource.Create(await services.CreateDatabaseAsync(Token));
        // The table as the first wave created it: unique only case-sensitively.
        await using (var old = dataSource.CreateCommand("""
            CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
            CREATE TABLE public.users (uuid UUID DEFAULT uuid_generate_v4() PRIMARY KEY, display_name text NOT NULL, handle text NOT NULL,
              email text NOT NULL, cognito_user_id text, created_at TIMESTAMP DEFAULT current_timestamp NOT NULL);
            CREATE UNIQUE INDEX users_handle_key ON public.users (handle);
            INSERT INTO public.users (handle, display_name, email) VALUES
              ('AndrewBrown', 'a', 'a@x'), ('andrewbrown', 'b', 'b@x'), ('bayko', 'c', 'c@x'), ('Bayko', 'd', 'd@x'), ('BAYKO', 'e', 'e@x'), ('carol', 'f', 'f@x');
            """))
        {
            await old.ExecuteNonQueryAsync(Token);
        }

        var refusal = await Should.ThrowAsync<InvalidOperationException>(() => UserSchema.CreateIfMissingAsync(dataSource, Token));
        refusal.Message.ShouldContain("AndrewBrown / andrewbrown");
        refusal.Message.ShouldContain("BAYKO / Bayko / bayko");
        refusal.Message.ShouldNotContain("carol");
        (await IndexExistsAsync(dataSource)).ShouldBeFalse();

        await using (var rename = dataSource.CreateCommand("UPDATE public.users SET handle = handle || '_' || display_name WHERE handle IN ('AndrewBrown', 'Bayko', 'BAYKO')"))
        {
            await rename.ExecuteNonQueryAsync(Token);
        }

        (await UserSchema.CreateIfMissingAsync(dataSource, Token)).ShouldBeFalse();
        (await IndexExistsAsync(dataSource)).ShouldBeTrue();
        (await UserSchema.CreateIfMissingAsync(dataSource, Token)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("alice\u202Eecila", "right-to-left override")]
    [InlineData("\u2066alice\u2069", "isolate")]
    [InlineData("al\u200Bice", "zero-width space")]
    [InlineData("al\u200Dice", "zero-width joiner between letters")]
    [InlineData("\uFEFFalice", "byte-order mark")]
    [InlineData("alice\u200F", "right-to-left mark")]
    [InlineData("ring\u0007", "bell")]
    public void A_display_name_with_invisible_or_reordering_characters_is_refused(string name, string why)
    {
        UserText.DisplayName(name, "fallback").Error.ShouldNotBeNull(why).Code.ShouldBe(MessagingErrorCodes.DisplayNameInvalid);
    }

    [Theory]
    [InlineData("Alice Liddell")]
    [InlineData("Zoë 漢字")]
    [InlineData("Dev \U0001F469\u200D\U0001F4BB")]
    [InlineData("\u05D0\u05DC\u05D9\u05E1")]
    public void A_display_name_in_any_script_or_with_joined_emoji_is_kept(string name)
    {
        UserText.DisplayName(name, "fallback").Value.ShouldBe(name);
    }

    [Theory]
    [InlineData("al\u200Bice")]
    [InlineData("\u202Ealice")]
    [InlineData("ａlice")]
    [InlineData("аlice")]
    [InlineData("")]
    public void A_handle_outside_plain_ASCII_is_refused(string handle)
    {
        UserText.Handle(handle).Error.ShouldNotBeNull().Code.ShouldBe(MessagingErrorCodes.HandleInvalid);
    }

    private static async Task<bool> IndexExistsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT to_regclass('public.users_handle_lower_key') IS NOT NULL");
        return (bool)(await command.ExecuteScalarAsync(Token))!;
    }
}
