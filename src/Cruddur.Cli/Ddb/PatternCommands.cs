using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Cruddur.Cli.Connection;
using Cruddur.Local.DemoData;
using Cruddur.Local.Launcher;
using Cruddur.Messaging;
using Cruddur.Messaging.Errors;
using Cruddur.Messaging.MessageGroups;
using Cruddur.Messaging.Messages;
using Cruddur.Messaging.Paging;
using Cruddur.Messaging.Users;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Cruddur.Cli.Ddb;

internal sealed class ListConversationsSettings : JsonOutputSettings
{
    [CommandArgument(0, "<handle>")]
    [Description("The user whose conversations to list (with or without @).")]
    public required string Handle { get; init; }
}

internal sealed class GetConversationSettings : JsonOutputSettings
{
    [CommandArgument(0, "<message_group_uuid>")]
    [Description("The conversation to print.")]
    public required Guid MessageGroupUuid { get; init; }

    [CommandOption("--as <HANDLE>")]
    [Description("Read it as this member (only members may read a conversation). Default: the first demo user.")]
    public string? As { get; init; }
}

/// <summary><c>ddb patterns list-conversations</c>: pattern B through the core's API, every page.</summary>
internal sealed class ListConversationsCommand(IAnsiConsole console) : CruddurCommand<ListConversationsSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.All;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, ListConversationsSettings settings, CancellationToken cancellationToken)
    {
        var me = await PatternLookups.FindUserAsync(environment, settings.Handle, cancellationToken);
        var messaging = environment.Services.GetRequiredService<DirectMessages>();
        var groups = await PatternLookups.AllPagesAsync(settings.PageSize, (page, token) => messaging.ListMessageGroupsAsync(me, page, token), cancellationToken);
        if (settings.Json)
        {
            WriteRaw(JsonSerializer.Serialize(groups.Select(group => new ConversationJson(group.Uuid, group.Other.DisplayName, group.Other.Handle, group.LastMessage, group.LastMessageAt)), ItemJson.Options));
            return ExitCodes.Ok;
        }

        var zone = environment.Services.GetRequiredService<TimeProvider>().LocalTimeZone;
        var table = new Table()
            .AddColumn("with")
            .AddColumn("last message")
            .AddColumn(new TableColumn("at").NoWrap())
            .AddColumn(new TableColumn("message_group_uuid").NoWrap());
        foreach (var group in groups)
        {
            table.AddRow(
                Markup.Escape($"@{group.Other.Handle} ({group.Other.DisplayName})"),
                Markup.Escape(group.LastMessage),
                PatternLookups.LocalTime(group.LastMessageAt, zone),
                group.Uuid.ToString("D"));
        }

        Console.Write(table);
        Console.MarkupLineInterpolated($"{groups.Count} conversation(s) of @{me.Handle}.");
        return ExitCodes.Ok;
    }

    private sealed record ConversationJson(Guid Uuid, string DisplayName, string Handle, string Message, DateTimeOffset CreatedAt);
}

/// <summary><c>ddb patterns get-conversation</c>: pattern A through the core's API, every page, oldest first.</summary>
internal sealed class GetConversationCommand(IAnsiConsole console) : CruddurCommand<GetConversationSettings>(console)
{
    protected override LocalServiceKinds Needs => LocalServiceKinds.All;

    protected override async Task<int> ExecuteAsync(CommandEnvironment environment, GetConversationSettings settings, CancellationToken cancellationToken)
    {
        var me = await PatternLookups.FindUserAsync(environment, settings.As ?? DemoSeeder.Users[0].Handle, cancellationToken);
        var messaging = environment.Services.GetRequiredService<DirectMessages>();
        // Pages come newest first, each ordered oldest to newest: reverse the pages, keep their order inside.
        List<IReadOnlyList<Message>> pages = [];
        string? cursor = null;
        do
        {
            var outcome = await messaging.ListMessagesAsync(me, settings.MessageGroupUuid, new PageRequest(settings.PageSize, cursor), cancellationToken);
            var page = outcome.Value ?? throw new CliException(
                outcome.Error!.Kind == MessagingErrorKind.NotFound
                    ? $"Conversation {settings.MessageGroupUuid} was not found, or @{me.Handle} is not a member of it (--as names a member)."
                    : $"{outcome.Error.Code}: {outcome.Error.Detail}");
            pages.Add(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var messages = Enumerable.Reverse(pages).SelectMany(page => page).ToList();
        if (settings.Json)
        {
            WriteRaw(JsonSerializer.Serialize(messages.Select(message => new MessageJson(message.Uuid, message.Sender.DisplayName, message.Sender.Handle, message.Text, message.CreatedAt)), ItemJson.Options));
            return ExitCodes.Ok;
        }

        // Like the original script: sender handle, local time, text; one line each, never wrapped.
        var zone = environment.Services.GetRequiredService<TimeProvider>().LocalTimeZone;
        var width = messages.Select(message => message.Sender.Handle.Length).DefaultIfEmpty(0).Max() + 2;
        foreach (var message in messages)
        {
            WriteRaw($"{message.Sender.Handle.PadRight(width)}{PatternLookups.LocalTime(message.CreatedAt, zone),-22}{message.Text}");
        }

        Console.MarkupLineInterpolated($"{messages.Count} message(s).");
        return ExitCodes.Ok;
    }

    private sealed record MessageJson(Guid Uuid, string DisplayName, string Handle, string Message, DateTimeOffset CreatedAt);
}

internal static class PatternLookups
{
    public static async Task<UserSummary> FindUserAsync(CommandEnvironment environment, string handle, CancellationToken cancellationToken)
    {
        handle = handle.TrimStart('@');
        var user = await environment.Services.GetRequiredService<UserStore>().FindByHandleAsync(handle, cancellationToken)
            ?? throw new CliException($"No user @{handle} in PostgreSQL (`cruddur db seed` adds the demo users).");
        return user.Summary;
    }

    public static async Task<List<T>> AllPagesAsync<T>(int pageSize, Func<PageRequest, CancellationToken, Task<Outcome<Page<T>>>> list, CancellationToken cancellationToken)
    {
        List<T> items = [];
        string? cursor = null;
        do
        {
            var outcome = await list(new PageRequest(pageSize, cursor), cancellationToken);
            var page = outcome.Value ?? throw new CliException($"{outcome.Error!.Code}: {outcome.Error.Detail}");
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return items;
    }

    public static string LocalTime(DateTimeOffset time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time, zone).ToString("yyyy-MM-dd hh:mm tt", CultureInfo.InvariantCulture);
}
