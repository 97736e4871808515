using Recurrent.Checkpoints;
using Recurrent.Data;
using Recurrent.Models;
using Recurrent.Tensors;
using Recurrent.Training;

var corpus = new CorpusLoader().Load("jaychou");                        // the book's first 10,000 characters
var options = new TrainingOptions();                                     // the book's hyper-parameters: 160 epochs, ...
var rng = new Rng(options.Optimization.Seed);
var model = Trainer.CreateModel(options, corpus.Vocabulary.Size, rng);  // RnnModel: one-hot, LSTM, dense
new Trainer(model, corpus.Vocabulary, corpus.Indices, options, rng).Run(report =>
{
    if (report.Predictions.Count == 0) return;                           // every 40 epochs, as the book prints
    Console.WriteLine(report.Line);
    foreach (string prediction in report.Predictions) Console.WriteLine($" - {prediction}");
});

new Checkpoint(model, corpus.Vocabulary).Save("lyrics.safetensors");
var loaded = Checkpoint.Load("lyrics.safetensors");
var prefix = loaded.Tokenizer.EncodeStrict("分开", "prefix");
foreach (int token in loaded.Model.Generate(prefix, new GenerationOptions { Length = 50, Temperature = 0.8f, TopK = 10 }))
    Console.Write(loaded.Tokenizer.Decode([token]));
Console.WriteLine();
