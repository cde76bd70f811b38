using System.Net;
using System.Text.RegularExpressions;
using Cruddur.Testing;
using Cruddur.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Cruddur.Web.Tests.Ui;

/// <summary>The web UI's ES modules, in wwwroot and its nested folders, are served as the page is.</summary>
public sealed partial class UiStaticFilesTests(LocalServicesFixture services)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_module_in_every_folder_is_served_as_JavaScript_with_the_page_headers_and_imports_only_served_modules()
    {
        await using var app = await CruddurWebApplication.StartAsync(services);
        using var client = app.CreateClient();
        var webRoot = app.Services.GetRequiredService<IWebHostEnvironment>().WebRootPath;
        var modules = Directory.GetFiles(webRoot, "*.js", SearchOption.AllDirectories)
            .ToDictionary(path => new Uri(new Uri("http://ui/"), Path.GetRelativePath(webRoot, path).Replace('\\', '/')).AbsolutePath);
        using var page = await client.GetAsync("/", Token);
        var pagePolicy = page.Headers.GetValues("Content-Security-Policy").Single();

        modules.Keys.ShouldContain("/app.js");
        modules.Keys.ShouldContain(path => path.StartsWith("/js/views/", StringComparison.Ordinal));
        foreach (var (module, file) in modules)
        {
            using var response = await client.GetAsync(module, Token);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, module);
            response.Content.Headers.ContentType?.MediaType.ShouldBe("text/javascript", module);
            response.Headers.GetValues("Content-Security-Policy").Single().ShouldBe(pagePolicy, module);
            response.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"], module);
            response.Headers.CacheControl?.NoCache.ShouldBe(true, module);
            foreach (Match import in RelativeImport().Matches(await File.ReadAllTextAsync(file, Token)))
            {
                var target = new Uri(new Uri("http://ui" + module), import.Groups["path"].Value).AbsolutePath;
                modules.Keys.ShouldContain(target, $"{module} imports {import.Groups["path"].Value}");
            }
        }
    }

    [GeneratedRegex("""(?:import|from)\s*["'](?<path>\.{1,2}/[^"']+)["']""")]
    private static partial Regex RelativeImport();
}
