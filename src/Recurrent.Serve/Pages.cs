using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Recurrent.Serve;

/// <summary>The pages, their style and their scripts, served from the assembly's embedded resources.</summary>
internal static class Pages
{
    private static readonly (string Route, string Resource, string Type)[] Files =
    [
        ("/", "index.html", "text/html"),
        ("/train", "train.html", "text/html"),
        ("/style.css", "style.css", "text/css"),
        ("/generate.js", "generate.js", "text/javascript"),
        ("/train.js", "train.js", "text/javascript"),
    ];

    public static void Map(WebApplication app)
    {
        foreach (var (route, resource, type) in Files)
        {
            byte[] content = Read(resource);
            app.MapGet(route, (HttpContext http) =>
            {
                http.Response.ContentType = type + "; charset=utf-8";
                http.Response.Headers.CacheControl = "no-cache";
                return http.Response.Body.WriteAsync(content, http.RequestAborted).AsTask();
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(Pages).Assembly.GetManifestResourceStream("Pages/" + name)
            ?? throw new InvalidOperationException($"The page {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
