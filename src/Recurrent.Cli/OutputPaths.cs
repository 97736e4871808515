namespace Recurrent.Cli;

/// <summary>
/// Checks made on a command's output paths before it reads or trains anything: no output is one of its inputs or
/// another of its outputs (through relative paths and symbolic links), and each output's folder takes a new file.
/// </summary>
internal static class OutputPaths
{
    /// <summary>A path named by an option; null paths are left out.</summary>
    public readonly record struct Named(string? Path, string Flag);

    /// <summary>Refuses an output that is also an input or another output, in one sentence naming both options.</summary>
    public static void CheckDistinct(IEnumerable<Named> outputs, IEnumerable<Named> inputs)
    {
        var seen = new List<(string Full, Named Name)>();
        foreach (var output in outputs.Where(o => o.Path is not null))
        {
            string full = Identity(output.Path!);
            if (seen.FirstOrDefault(s => s.Full == full) is { Name.Flag: not null } twice)
                throw new RecurrentException($"{twice.Name.Flag} and {output.Flag} name the same file {output.Path}: each would overwrite the other; give them different paths.");
            seen.Add((full, output));
        }
        foreach (var input in inputs.Where(i => i.Path is not null && File.Exists(i.Path)))
        {
            string full = Identity(input.Path!);
            if (seen.FirstOrDefault(s => s.Full == full) is { Name.Flag: not null } clash)
                throw new RecurrentException($"{clash.Name.Flag} {clash.Name.Path} is the file {input.Flag} reads: writing it would destroy that input; give another path.");
        }
    }

    /// <summary>Refuses an output whose folder does not take a new file (read-only, full of permissions), by writing and deleting a probe.</summary>
    public static void CheckWritable(string path, string flag)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";
        string probe = System.IO.Path.Combine(folder, $".recurrent-probe-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RecurrentException($"{flag} {path} cannot be written: the folder {folder} does not take new files ({e.Message.TrimEnd('.')}).", e);
        }
    }

    /// <summary>
    /// Holds each output for the run: a hidden lock file beside it (<c>.run.jsonl.lock</c>), opened exclusively and
    /// deleted when the run ends, so that a second run naming the same file (by any path) is refused at its start
    /// rather than writing into the first one's. The output itself stays readable: <c>plot</c> and <c>serve</c> read a
    /// log while it grows. A lock file left by a killed run is not held, and the next run takes it.
    /// </summary>
    /// <exception cref="RecurrentException">Another run holds one of the outputs.</exception>
    public static IDisposable Hold(IEnumerable<Named> outputs)
    {
        var held = new Held();
        try
        {
            foreach (var output in outputs.Where(o => o.Path is not null))
            {
                string file = Identity(output.Path!);
                string lockFile = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file) ?? ".", $".{System.IO.Path.GetFileName(file)}.lock");
                try
                {
                    held.Add(new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose));
                }
                catch (IOException e) when (File.Exists(lockFile))
                {
                    throw new RecurrentException($"{output.Flag} {output.Path} is being written by another run (it holds {lockFile}): wait for that run to end, or give another path.", e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new RecurrentException($"{output.Flag} {output.Path} cannot be written: {e.Message.TrimEnd('.')}.", e);
                }
            }
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    private sealed class Held : List<FileStream>, IDisposable
    {
        public void Dispose()
        {
            foreach (var stream in this) stream.Dispose();
            Clear();
        }
    }

    /// <summary>The file a path names: absolute, through any symbolic links.</summary>
    private static string Identity(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            if (File.Exists(full) && File.ResolveLinkTarget(full, returnFinalTarget: true) is { } target) return target.FullName;
            // A new file in a linked folder: resolve the folder.
            string? folder = System.IO.Path.GetDirectoryName(full);
            if (folder is not null && Directory.Exists(folder) && Directory.ResolveLinkTarget(folder, returnFinalTarget: true) is { } linked)
                return System.IO.Path.Combine(linked.FullName, System.IO.Path.GetFileName(full));
        }
        catch (IOException)
        {
        }
        return full;
    }
}
