using System.Text.Json.Serialization;

namespace Recurrent.Serve;

/// <summary>
/// The body of <c>POST /v1/generate</c>. Absent fields take the <c>generate</c> command's defaults
/// (<see cref="GenerationOptions"/>); the keys are the generation option keys.
/// </summary>
public sealed record GenerateRequest
{
    /// <summary>The model's name; optional when the server has one model.</summary>
    [JsonPropertyName("model")] public string? Model { get; init; }

    /// <summary>The text to continue (required, not empty).</summary>
    [JsonPropertyName("prefix")] public string? Prefix { get; init; }

    /// <summary>Tokens to generate.</summary>
    [JsonPropertyName(GenerationOptions.Keys.Length)] public int? Length { get; init; }

    /// <summary>Divides the logits: 0 is greedy.</summary>
    [JsonPropertyName(GenerationOptions.Keys.Temperature)] public float? Temperature { get; init; }

    /// <summary>Sample among the k most likely tokens (0: all).</summary>
    [JsonPropertyName(GenerationOptions.Keys.TopK)] public int? TopK { get; init; }

    /// <summary>Sample among the most likely tokens holding this much probability (1: all).</summary>
    [JsonPropertyName(GenerationOptions.Keys.TopP)] public float? TopP { get; init; }

    /// <summary>Beam search with this many beams (0: off).</summary>
    [JsonPropertyName(GenerationOptions.Keys.Beam)] public int? Beam { get; init; }

    /// <summary>The sampling seed: the same seed gives the same text.</summary>
    [JsonPropertyName(GenerationOptions.Keys.Seed)] public ulong? Seed { get; init; }

    /// <summary>True: answer with Server-Sent Events, one per token, instead of one JSON object at the end.</summary>
    [JsonPropertyName("stream")] public bool? Stream { get; init; }

    /// <summary>
    /// The generation options this request asks for, checked by <see cref="GenerationOptions.Validate"/> and by the
    /// server's limits.
    /// </summary>
    /// <exception cref="OptionException">A value is invalid or above a limit.</exception>
    public GenerationOptions ToOptions(ServeOptions limits)
    {
        var defaults = new GenerationOptions();
        var options = new GenerationOptions
        {
            Length = Length ?? defaults.Length,
            Temperature = Temperature ?? defaults.Temperature,
            TopK = TopK ?? defaults.TopK,
            TopP = TopP ?? defaults.TopP,
            Beam = Beam ?? defaults.Beam,
            Seed = Seed ?? defaults.Seed,
        };
        // As the generate command: a beam draws nothing at random, so a temperature or a seed would be ignored.
        if (options.Beam > 0 && (Temperature is not null || Seed is not null))
            throw new OptionException($"{{{GenerationOptions.Keys.Beam}}} searches for the most likely continuation and draws nothing at random: it takes no {{{GenerationOptions.Keys.Temperature}}} or {{{GenerationOptions.Keys.Seed}}}.");
        // The server's limits first: they are below the library's, and a request above both should hear this server's.
        if (options.Length > limits.MaxLength)
            throw new OptionException($"{{{GenerationOptions.Keys.Length}}} can be at most {limits.MaxLength} on this server, not {options.Length}.");
        if (options.Beam > limits.MaxBeam)
            throw new OptionException($"{{{GenerationOptions.Keys.Beam}}} can be at most {limits.MaxBeam} on this server, not {options.Beam}.");
        options.Validate();
        return options;
    }
}

/// <summary>The answer of <c>POST /v1/generate</c> without streaming.</summary>
/// <param name="Model">The model that generated the text.</param>
/// <param name="Prefix">The prefix, as given.</param>
/// <param name="Text">The continuation, as <c>recurrent generate</c> prints it after the prefix.</param>
/// <param name="Tokens">The number of tokens generated.</param>
/// <param name="Seconds">The time from the request's arrival to its last token.</param>
public sealed record GenerateResponse(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("tokens")] int Tokens,
    [property: JsonPropertyName("seconds")] double Seconds);

/// <summary>Every error answer: one sentence.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);
