using System.Globalization;

namespace Recurrent.Bench;

/// <summary>
/// How much CPU other processes took while something was measured, from /proc (Linux): the machine is
/// shared, and a sample taken while another process held a core says little about either side.
/// </summary>
internal sealed class CpuMonitor
{
    private readonly List<int> _own = [Environment.ProcessId];

    /// <summary>False where /proc/stat is missing; then every sample counts as clean.</summary>
    public static bool Available => File.Exists("/proc/stat");

    /// <summary>Counts a child process (the numpy peer) as part of the measurement, not as load.</summary>
    public void AddOwn(int pid) => _own.Add(pid);

    public readonly record struct Snapshot(long Busy, long Total, long Own);

    public Snapshot Take()
    {
        if (!Available) return default;
        // cpu  user nice system idle iowait irq softirq steal ...
        var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
        long busy = Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + (f.Length > 8 ? Field(8) : 0);
        long total = busy + Field(4) + Field(5);
        long own = 0;
        foreach (int pid in _own)
        {
            try
            {
                // pid (comm) state ... utime stime: fields 14 and 15, counted after the closing parenthesis.
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                own += long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process has exited.
            }
        }
        return new Snapshot(busy, total, own);
    }

    /// <summary>Cores' worth of CPU that other processes used between two snapshots.</summary>
    public static double ForeignCores(Snapshot from, Snapshot to)
    {
        long total = to.Total - from.Total;
        if (total <= 0) return 0;
        double foreign = (to.Busy - from.Busy) - (to.Own - from.Own);
        return Math.Max(0, foreign) / total * Environment.ProcessorCount;
    }
}
