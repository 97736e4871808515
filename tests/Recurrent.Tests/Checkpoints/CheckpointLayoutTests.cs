using System.Text.Json;
using static Recurrent.Tests.Checkpoints.CheckpointFixtures;

namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// A saved checkpoint read by the independent <see cref="MinimalSafeTensorsReader"/>: the names, shapes and
/// row-major layouts that <c>torch.nn.LSTM(V, H)</c> + <c>torch.nn.Linear(H, V)</c> load, and the metadata a Python
/// script reads with <c>json.loads</c>.
/// </summary>
public class CheckpointLayoutTests
{
    [Fact]
    public void TheConciseModelIsStoredAsPyTorchsLstmAndLinear()
    {
        var model = (RnnModel)Model(ModelKind.Concise, hidden: 5);
        int V = Vocab.Size, H = 5;
        var file = MinimalSafeTensorsReader.Parse(Bytes(model));

        Assert.Equal(["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "dense.weight", "dense.bias"],
            file.Tensors.Select(t => t.Name));
        Assert.All(file.Tensors, t => Assert.Equal("F32", t.DType));
        var byName = file.Tensors.ToDictionary(t => t.Name);
        Assert.Equal([4L * H, V], byName["rnn.weight_ih_l0"].Shape);
        Assert.Equal([4L * H, H], byName["rnn.weight_hh_l0"].Shape);
        Assert.Equal([4L * H], byName["rnn.bias_ih_l0"].Shape);
        Assert.Equal([4L * H], byName["rnn.bias_hh_l0"].Shape);
        Assert.Equal([(long)V, H], byName["dense.weight"].Shape);
        Assert.Equal([(long)V], byName["dense.bias"].Shape);

        // Row-major, PyTorch's orientation: W_ih[gate·H + h, token], dense.weight[token, h].
        for (int r = 0; r < 4 * H; r++)
            for (int v = 0; v < V; v++)
                Assert.Equal(model.Rnn.Parameters[0].Value[r, v], byName["rnn.weight_ih_l0"].Values[r * V + v]);
        for (int v = 0; v < V; v++)
            for (int h = 0; h < H; h++)
                Assert.Equal(model.DenseWeight.Value[v, h], byName["dense.weight"].Values[v * H + h]);
        Assert.Equal(model.Rnn.Parameters[3].Value.ToArray(), byName["rnn.bias_hh_l0"].Values);
    }

    [Fact]
    public void TheMetadataIsPlainJsonForPython()
    {
        var model = Model(ModelKind.Concise, hidden: 5);
        var file = MinimalSafeTensorsReader.Parse(Bytes(model, TrainingAt(ModelKind.Concise, hidden: 5)));
        var metadata = file.Metadata!;

        Assert.Equal("pt", metadata["format"]);
        Assert.Equal("2", metadata["recurrent_checkpoint"]);
        Assert.Equal("char", JsonDocument.Parse(metadata["tokenizer"]).RootElement.GetProperty("tokens").GetString());
        using (var config = JsonDocument.Parse(metadata["model"]))
        {
            var root = config.RootElement;
            Assert.Equal("concise", root.GetProperty("model").GetString());
            Assert.Equal("lstm", root.GetProperty("cell").GetString());
            Assert.Equal(Vocab.Size, root.GetProperty("vocabulary_size").GetInt32());
            Assert.Equal(5, root.GetProperty("hidden_size").GetInt32());
            Assert.Equal(1, root.GetProperty("layers").GetInt32());
            Assert.Equal("tanh", root.GetProperty("cell_output").GetString());
        }
        Assert.Equal(Vocab.Tokens, JsonSerializer.Deserialize<string[]>(metadata["vocabulary"]));
        using (var training = JsonDocument.Parse(metadata["training"]))
        {
            var optimization = training.RootElement.GetProperty("optimization");
            Assert.Equal(2, optimization.GetProperty("batch_size").GetInt32());
            Assert.Equal("random", optimization.GetProperty("sampling").GetString());
            Assert.Equal(1.5, optimization.GetProperty("learning_rate").GetDouble());
            Assert.Equal(5, training.RootElement.GetProperty("model").GetProperty("hidden").GetInt32());
        }
        Assert.Equal("2", metadata["epoch"]);
        Assert.Equal(string.Join(' ', new Rng(42).GetState().Select(w => w.ToString("x16"))), metadata["rng_state"]);
        Assert.Equal(Corpus.Fingerprint(Text), metadata["corpus_sha256"]);
    }

    [Fact]
    public void TheScratchModelKeepsTheBooksNamesAndShapes()
    {
        var model = Model(ModelKind.Scratch, hidden: 5);
        int V = Vocab.Size, H = 5;
        var file = MinimalSafeTensorsReader.Parse(Bytes(model));
        Assert.Equal(ScratchLstm.ParameterNames, file.Tensors.Select(t => t.Name));
        var byName = file.Tensors.ToDictionary(t => t.Name);
        Assert.Equal([(long)V, H], byName["W_xi"].Shape);
        Assert.Equal([(long)H, H], byName["W_hc"].Shape);
        Assert.Equal([(long)H], byName["b_o"].Shape);
        Assert.Equal([(long)H, V], byName["W_hq"].Shape);
        Assert.Equal(model.Parameters[12].Value.ToArray(), byName["W_hq"].Values);
        Assert.Equal("scratch", JsonDocument.Parse(file.Metadata!["model"]).RootElement.GetProperty("model").GetString());
    }
}
