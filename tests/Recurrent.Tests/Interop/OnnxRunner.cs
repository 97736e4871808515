using Microsoft.ML.OnnxRuntime;

namespace Recurrent.Tests.Interop;

/// <summary>
/// An exported model in the real ONNX Runtime (CPU): tokens [T, B] and the state [L, B, H] in, logits [T, B, V] and
/// the new state out, as a consumer of the file runs it.
/// </summary>
internal sealed class OnnxRunner : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRunner(string path)
    {
        _session = new InferenceSession(path);
        IsLstm = _session.InputNames.Contains("c");
    }

    public bool IsLstm { get; }

    public IReadOnlyDictionary<string, string> Metadata => _session.ModelMetadata.CustomMetadataMap;

    public IReadOnlyList<string> InputNames => _session.InputNames;

    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>One call: tokens time-major (index t·B + b), h and c as L·B·H floats.</summary>
    public (float[] Logits, float[] H, float[]? C) Run(long[] tokens, int steps, int batch, float[] h, float[]? c, int layers, int hidden)
    {
        var names = new List<string> { "tokens", "h" };
        var values = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(tokens, [steps, batch]),
            OrtValue.CreateTensorValueFromMemory(h, [layers, batch, hidden]),
        };
        if (IsLstm)
        {
            names.Add("c");
            values.Add(OrtValue.CreateTensorValueFromMemory(c!, [layers, batch, hidden]));
        }
        string[] outputs = IsLstm ? ["logits", "h_out", "c_out"] : ["logits", "h_out"];
        try
        {
            using var results = _session.Run(new RunOptions(), names, values, outputs);
            return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<float>().ToArray(),
                IsLstm ? results[2].GetTensorDataAsSpan<float>().ToArray() : null);
        }
        finally
        {
            foreach (var value in values) value.Dispose();
        }
    }

    public void Dispose() => _session.Dispose();
}
