namespace Recurrent.Serve;

/// <summary>
/// Where the server listens and the limits it holds every request to. Each limit has a default that keeps one
/// machine responsive; the <c>serve</c> command sets them from its options.
/// </summary>
public sealed record ServeOptions
{
    /// <summary>The option keys of serving, as messages name them.</summary>
    public static class Keys
    {
        public const string Host = "host", Port = "port", ApiKey = "api_key", MaxBodyBytes = "max_body_bytes",
            MaxPrefixLength = "max_prefix_length", MaxLength = "max_length", MaxBeam = "max_beam",
            MaxConcurrent = "max_concurrent", RequestSeconds = "request_seconds", DrainSeconds = "drain_seconds";
    }

    /// <summary>The address to listen on: loopback unless a wider one is asked for.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port (0: any free port, see <see cref="GenerationServer.Address"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>When set, every <c>/v1/</c> request must carry <c>Authorization: Bearer</c> this key.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The largest request body accepted, in bytes (413 above).</summary>
    public int MaxBodyBytes { get; init; } = 64 * 1024;

    /// <summary>The longest prefix accepted, in characters (400 above): the model reads it one token per step.</summary>
    public int MaxPrefixLength { get; init; } = 10_000;

    /// <summary>The most tokens one request may ask for (400 above), at most <see cref="Models.GenerationOptions.MaxLength"/>.</summary>
    public int MaxLength { get; init; } = 5_000;

    /// <summary>The widest beam accepted (400 above): a beam search runs alone, between the batched steps.</summary>
    public int MaxBeam { get; init; } = 16;

    /// <summary>Generations in flight at once, streamed or not, over all models (429 above).</summary>
    public int MaxConcurrent { get; init; } = 256;

    /// <summary>The time a request may take, from its arrival to its last token (503 or an error event after).</summary>
    public double RequestSeconds { get; init; } = 120;

    /// <summary>On shutdown, how long the generations in flight may take to finish before they are cut.</summary>
    public double DrainSeconds { get; init; } = 30;

    /// <summary>A training log that the <c>/train</c> page shows, or null.</summary>
    public string? LogPath { get; init; }

    /// <summary>Rejects values that cannot make a server, with one sentence naming the option.</summary>
    /// <exception cref="OptionException">A value is out of range.</exception>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new OptionException($"{{{Keys.Port}}} must be from 0 to 65535, not {Port}.");
        if (string.IsNullOrWhiteSpace(Host)) throw new OptionException($"{{{Keys.Host}}} cannot be empty.");
        if (ApiKey is { Length: 0 }) throw new OptionException($"{{{Keys.ApiKey}}} cannot be empty.");
        Positive(MaxBodyBytes, Keys.MaxBodyBytes);
        Positive(MaxPrefixLength, Keys.MaxPrefixLength);
        if (MaxLength is < 1 or > Models.GenerationOptions.MaxLength)
            throw new OptionException($"{{{Keys.MaxLength}}} must be from 1 to {Models.GenerationOptions.MaxLength} tokens, not {MaxLength}.");
        Positive(MaxConcurrent, Keys.MaxConcurrent);
        if (MaxBeam is < 0 or > Models.GenerationOptions.MaxBeam)
            throw new OptionException($"{{{Keys.MaxBeam}}} must be from 0 (no beam search) to {Models.GenerationOptions.MaxBeam}, not {MaxBeam}.");
        if (!(RequestSeconds > 0) || double.IsInfinity(RequestSeconds)) throw new OptionException($"{{{Keys.RequestSeconds}}} must be a positive number of seconds, not {RequestSeconds}.");
        if (!(DrainSeconds >= 0) || double.IsInfinity(DrainSeconds)) throw new OptionException($"{{{Keys.DrainSeconds}}} must be 0 or a positive number of seconds, not {DrainSeconds}.");
    }

    private static void Positive(int value, string key)
    {
        if (value < 1) throw new OptionException($"{{{key}}} must be at least 1, not {value}.");
    }
}
