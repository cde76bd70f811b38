using Cruddur.Local.Launcher;

namespace Cruddur.Testing;

/// <summary>
/// cognito-local, started once per test assembly by the launcher's <see cref="CognitoLocal"/> and stopped afterwards.
/// Only the assemblies that name it in an <c>AssemblyFixture</c> start it; each test makes its own pool and users.
/// </summary>
public sealed class CognitoLocalFixture : IAsyncLifetime
{
    private CognitoLocal? emulator;

    public CognitoLocal Emulator => emulator ?? throw new InvalidOperationException("cognito-local has not started.");

    public async ValueTask InitializeAsync()
    {
        try
        {
            emulator = await CognitoLocal.StartAsync(LocalServicesOptions.Throwaway(), CancellationToken.None);
        }
        catch (LocalServiceException exception)
        {
            throw new InvalidOperationException($"cognito-local for the tests could not start (it needs node and tools/cognito-local installed by building src/Cruddur.Local). {exception.Message}", exception);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (emulator is not null)
        {
            await emulator.DisposeAsync();
        }
    }

    /// <summary>A fresh pool with an app client that may send the browser back to <paramref name="callbackUrls"/>.</summary>
    public Task<LocalUserPool> CreatePoolAsync(params Uri[] callbackUrls) =>
        Emulator.CreateUserPoolAsync($"test-{Guid.NewGuid():N}"[..20], callbackUrls.Length > 0 ? callbackUrls : [new Uri("http://127.0.0.1/")], TestContext.Current.CancellationToken);
}
