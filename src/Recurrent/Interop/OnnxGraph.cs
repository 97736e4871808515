using System.Runtime.InteropServices;
using Google.Protobuf;

namespace Recurrent.Interop;

/// <summary>
/// Builds one ONNX graph: nodes in the order they are added (which must be topological), float and int64
/// initializers, and typed inputs and outputs whose dimensions are numbers or symbolic names.
/// </summary>
/// <remarks>
/// The message classes are generated from <c>onnx.proto</c> and encoded by Google.Protobuf; this class only fills
/// them. Float tensors go into <c>raw_data</c> as little-endian IEEE 754 floats, as ONNX requires.
/// </remarks>
internal sealed class OnnxGraph
{
    /// <summary>The protobuf graph being filled.</summary>
    public GraphProto Proto { get; } = new();

    /// <summary>Adds a node of the default ONNX domain and returns its first output's name.</summary>
    public string Node(string opType, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{Proto.Node.Count}" };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        Proto.Node.Add(node);
        return outputs[0];
    }

    /// <summary>Adds a float initializer of the given shape and returns its name.</summary>
    public string Floats(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw data is little-endian.");
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)) };
        tensor.Dims.AddRange(dims);
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds an int64 initializer of the given shape (none: a scalar) and returns its name.</summary>
    public string Int64s(string name, long[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.AddRange(values);
        tensor.Dims.AddRange(dims);
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Declares a graph input.</summary>
    public void Input(string name, TensorProto.Types.DataType type, string doc, params object[] dims) => Proto.Input.Add(Value(name, type, doc, dims));

    /// <summary>Declares a graph output.</summary>
    public void Output(string name, TensorProto.Types.DataType type, string doc, params object[] dims) => Proto.Output.Add(Value(name, type, doc, dims));

    /// <summary>An integer attribute.</summary>
    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>A list-of-floats attribute.</summary>
    public static AttributeProto FloatList(string name, params float[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Floats };
        attribute.Floats.AddRange(values);
        return attribute;
    }

    /// <summary>A list-of-strings attribute.</summary>
    public static AttributeProto StringList(string name, params string[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Strings };
        attribute.Strings.AddRange(values.Select(ByteString.CopyFromUtf8));
        return attribute;
    }

    /// <summary>A tensor's name, element type and shape; each dimension is a number (long or int) or a symbolic name (string).</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, string doc, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"A dimension is a number or a name, not {dim}.", nameof(dims)),
            });
        }
        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
