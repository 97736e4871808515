// Checks a notebook that dotnet-repl has run, and with --store keeps its outputs in the notebook itself.
//
//   dotnet run check.cs -- NOTEBOOK.ipynb RUN.ipynb [--store]
//
// NOTEBOOK is the notebook as stored, RUN the copy dotnet-repl wrote with --output-path. The run passes when every
// code cell of NOTEBOOK ran (dotnet-repl marks each cell it ran with its end time) and none has an error output (an
// exception or a compile error); dotnet-repl's exit code alone does not tell. Each failing cell is named with its
// first line and its error. --store writes RUN's outputs into NOTEBOOK, without what belongs to the machine and the
// kernel rather than to the notebook: the cells' run times, the package installer's progress displays and the
// extension-loading notes, which hold local paths.
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

if (args.Length is < 2 or > 3 || (args.Length == 3 && args[2] != "--store"))
{
    Console.Error.WriteLine("usage: dotnet run check.cs -- NOTEBOOK.ipynb RUN.ipynb [--store]");
    return 2;
}
string notebookPath = args[0], runPath = args[1];
bool store = args.Length == 3;
string name = Path.GetFileName(notebookPath);

var notebook = JsonNode.Parse(File.ReadAllText(notebookPath))!.AsObject();
if (!File.Exists(runPath))
{
    Console.Error.WriteLine($"{name}: dotnet-repl wrote no output notebook.");
    return 1;
}
var run = JsonNode.Parse(File.ReadAllText(runPath))!.AsObject();
var cells = Code(notebook);
var ranCells = Code(run);
if (ranCells.Count != cells.Count)
{
    Console.Error.WriteLine($"{name}: the run has {ranCells.Count} code cells, the notebook {cells.Count}.");
    return 1;
}

var failures = new List<string>();
for (int i = 0; i < ranCells.Count; i++)
{
    var cell = ranCells[i];
    string where = $"{name}, code cell {i + 1} ({FirstLine(cell)})";
    if (cell["metadata"]?["dotnet_repl_cellExecutionEndTime"] is null) failures.Add($"{where} did not run.");
    foreach (var output in cell["outputs"]!.AsArray())
        if ((string?)output!["output_type"] == "error")
            failures.Add($"{where} failed: {(string?)output["evalue"]}");
}
foreach (string failure in failures) Console.Error.WriteLine(failure);
if (failures.Count > 0) return 1;

if (store)
{
    for (int i = 0; i < cells.Count; i++)
    {
        var outputs = new JsonArray();
        foreach (var output in ranCells[i]["outputs"]!.AsArray())
            if (!KernelNoise(output!)) outputs.Add(output!.DeepClone());
        cells[i]["outputs"] = outputs;
    }
    var options = new JsonSerializerOptions
    {
        WriteIndented = true, IndentSize = 1, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    File.WriteAllText(notebookPath, notebook.ToJsonString(options) + "\n");
    Console.WriteLine($"{name}: outputs stored");
}
else
{
    Console.WriteLine($"{name}: {cells.Count} code cells ran without error");
}
return 0;

static List<JsonObject> Code(JsonObject notebook) =>
    notebook["cells"]!.AsArray().Select(c => c!.AsObject()).Where(c => (string?)c["cell_type"] == "code").ToList();

static string FirstLine(JsonObject cell)
{
    string source = cell["source"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)cell["source"] ?? "";
    return source.Split('\n').FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "empty";
}

// The installer shows its progress as a display it keeps replacing, which dotnet-repl records at every step: only the
// final "Installed Packages" list is the cell's output. The SkiaSharp package's extension announces itself by path.
static bool KernelNoise(JsonNode output)
{
    string text = output["data"] is JsonObject data
        ? string.Concat(data.Select(d => d.Value is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : d.Value?.ToString()))
        : "";
    return text.Contains("<strong>Installing Packages</strong>") || text.StartsWith("Loading extensions from ");
}
