using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using static Recurrent.Tests.Cli.CliHarness;

namespace Recurrent.Tests.Cli;

/// <summary>
/// The built <c>recurrent</c> as its own process: under a pseudo-terminal (util-linux <c>script</c>) training shows
/// its live display and leaves exactly the book's lines on the screen; redirected, it writes the plain lines and no
/// escape sequence; a real SIGINT (or SIGTERM) stops it cleanly and the run resumes to the uninterrupted result.
/// </summary>
[Trait("Category", "Slow")]
public class TerminalTests : FolderTests
{

    private static readonly string[] TrainArgs =
        ["train", "--corpus", "jaychou", "--max-chars", "2000", "--epochs", "2", "--period", "1", "--hidden", "32", "--pred-len", "10", "--threads", "1"];

    [Fact]
    public void OnATerminalTheDisplayShowsAndTheScreenEndsWithTheBooksLines()
    {
        var redirected = CliProcess.Run(TrainArgs, "xterm-256color");
        Assert.True(redirected.Code == 0, redirected.Err);

        var (code, raw, _) = CliProcess.UnderTerminal(TrainArgs, "xterm-256color");
        Assert.True(code == 0, raw);
        // The display: the epoch and minibatch, the speed, the perplexity so far and the time left.
        Assert.Matches(@"epoch [12]/2  minibatch \d+/\d+", raw);
        Assert.Contains("\u001b[", raw);
        Assert.Matches(@"[\d,]+ chars/s · perplexity \d+\.\d\d · \d+:\d\d left", raw);
        // What stays on the screen once the display is cleared: the plain run's lines, nothing of the display.
        var screen = Screen.Render(raw);
        Assert.Equal(WithoutTimes(redirected.Out).Select(l => l.TrimEnd()), WithoutTimes(string.Join('\n', screen)));
    }

    [Fact]
    public void RedirectedOutputHasNoEscapeSequences()
    {
        var (code, output, err) = CliProcess.Run(TrainArgs, "xterm-256color");
        Assert.True(code == 0, err);
        Assert.Equal("", err);
        Assert.DoesNotContain('\u001b', output);
        Assert.Matches(@"^(epoch [12], perplexity \d+\.\d{6}, time \d+\.\d\d sec\n - 分开.{10}\n - 不分开.{10}\n){2}$", output);
    }

    [Fact]
    public void ADumbTerminalGetsThePlainLines()
    {
        var (code, raw, _) = CliProcess.UnderTerminal(TrainArgs, "dumb");
        Assert.True(code == 0, raw);
        Assert.DoesNotContain("minibatch", raw);
        Assert.DoesNotContain('\u001b', raw);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    // SIGINT, as Ctrl-C sends it; SIGTERM, handled the same way, when this process was started with SIGINT ignored
    // (a background job of a script), which its children inherit and .NET keeps.
    private static int InterruptSignal()
    {
        string ignored = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim();
        return (Convert.ToUInt64(ignored, 16) & (1UL << (2 - 1))) != 0 ? 15 : 2;
    }

    [Fact]
    public async Task ARealSignalSavesAndTheResumedRunEndsWhereTheUninterruptedOneDoes()
    {
        string stopped = Dir.File("stopped.safetensors"), full = Dir.File("full.safetensors");
        string[] args = ["train", "--corpus", "jaychou", "--max-chars", "3000", "--hidden", "24", "--batch-size", "4", "--steps", "10",
            "--period", "1", "--pred-len", "5", "--threads", "1", "--epochs", "20"];
        var uninterrupted = CliProcess.Run([.. args, "--save", full]);
        Assert.True(uninterrupted.Code == 0, uninterrupted.Err);

        using var process = Process.Start(CliProcess.Command([.. args, "--save", stopped]))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        // Signalled once the first epoch is reported, wherever the second then is: between or inside minibatches.
        string? line = await process.StandardOutput.ReadLineAsync();
        Assert.NotNull(line);
        output.AppendLine(line);
        Assert.Equal(0, kill(process.Id, InterruptSignal()));
        output.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync();

        Assert.Equal(130, process.ExitCode);
        string errors = await stderr;
        var message = Regex.Match(errors, @"stopped in epoch (\d+): saved (.+) after epoch (\d+); continue with 'recurrent train --resume (.+)'\.");
        Assert.True(message.Success, errors);
        Assert.Equal(stopped, message.Groups[2].Value);
        int saved = int.Parse(message.Groups[3].Value);
        Assert.Equal(int.Parse(message.Groups[1].Value) - 1, saved);
        Assert.Equal(saved, Recurrent.Checkpoints.Checkpoint.Load(stopped).Training!.Epoch);

        var resumed = CliProcess.Run(["train", "--resume", stopped, "--threads", "1"]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(WithoutTimes(uninterrupted.Out), WithoutTimes(output.ToString()).Take(3 * saved).Concat(WithoutTimes(resumed.Out)));
        Assert.Equal(File.ReadAllBytes(full), File.ReadAllBytes(stopped));
    }

    /// <summary>
    /// Just enough of a terminal to replay what a live display writes: text, carriage return, line feed, cursor up,
    /// and erasing a line or the rest of the screen; other escape sequences (colours, cursor visibility) change
    /// nothing that is kept.
    /// </summary>
    private static class Screen
    {
        public static List<string> Render(string output)
        {
            var lines = new List<StringBuilder> { new() };
            int row = 0, column = 0;
            for (int i = 0; i < output.Length; i++)
            {
                char c = output[i];
                if (c == '\u001b')
                {
                    var csi = Regex.Match(output[i..], @"^\u001b\[([?\d;]*)([A-Za-z])");
                    if (!csi.Success)
                    {
                        i++;   // a two-character sequence such as ESC = or ESC >
                        continue;
                    }
                    i += csi.Length - 1;
                    int n = int.TryParse(csi.Groups[1].Value, out int value) ? value : 0;
                    switch (csi.Groups[2].Value)
                    {
                        case "A": row = Math.Max(0, row - Math.Max(1, n)); break;
                        case "K" when n == 2: lines[row].Clear(); break;
                        case "K": Cut(lines[row], column); break;
                        case "J":
                            Cut(lines[row], column);
                            lines.RemoveRange(row + 1, lines.Count - row - 1);
                            break;
                    }
                    continue;
                }
                switch (c)
                {
                    case '\r': column = 0; break;
                    case '\n':
                        row++;
                        column = 0;
                        if (row == lines.Count) lines.Add(new StringBuilder());
                        break;
                    default:
                        var line = lines[row];
                        while (line.Length < column) line.Append(' ');
                        if (column < line.Length) line[column] = c;
                        else line.Append(c);
                        column++;
                        break;
                }
            }
            return lines.Select(l => l.ToString().TrimEnd()).Where(l => l.Length > 0).ToList();
        }

        private static void Cut(StringBuilder line, int column)
        {
            if (column < line.Length) line.Length = column;
        }
    }
}
