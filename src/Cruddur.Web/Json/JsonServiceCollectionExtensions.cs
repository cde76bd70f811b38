namespace Cruddur.Web.Json;

internal static class JsonServiceCollectionExtensions
{
    /// <summary>Puts the source-generated contract first, ahead of the framework's own resolvers.</summary>
    public static IServiceCollection AddApiJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
}
