using System.Globalization;

namespace Recurrent.Tensors;

/// <summary>
/// The data caches of one core, in bytes: L1d and L2 as one core sees them, and its share of the last level (L3
/// divided by the cores that share it). The GEMM's blocking is derived from them (<see cref="Gemm.BlockingFor"/>).
/// </summary>
/// <param name="L1">Level-1 data cache of a core.</param>
/// <param name="L2">Level-2 cache of a core.</param>
/// <param name="L3PerCore">The last-level cache divided among the cores sharing it (L2 again when there is no L3).</param>
internal readonly record struct CacheSizes(long L1, long L2, long L3PerCore)
{
    /// <summary>What a machine whose caches cannot be read is assumed to have: small for a current x86 core, so that blocks fit.</summary>
    public static CacheSizes Fallback { get; } = new(32 << 10, 512 << 10, 2 << 20);

    /// <summary>This machine's caches, read once from the operating system (Linux sysfs), or <see cref="Fallback"/>.</summary>
    public static CacheSizes Machine { get; } = Read("/sys/devices/system/cpu/cpu0/cache") ?? Fallback;

    /// <summary>
    /// Reads cpu0's caches from a sysfs folder with one <c>index*</c> folder per cache (files <c>level</c>,
    /// <c>type</c>, <c>size</c> such as <c>32K</c>, <c>shared_cpu_list</c> such as <c>0-1</c>); null when the
    /// folder is missing or lacks an L1 data cache or an L2.
    /// </summary>
    public static CacheSizes? Read(string folder)
    {
        if (!Directory.Exists(folder)) return null;
        long l1 = 0, l2 = 0, l3 = 0;
        try
        {
            foreach (string index in Directory.EnumerateDirectories(folder, "index*"))
            {
                string type = File.ReadAllText(Path.Combine(index, "type")).Trim();
                if (type == "Instruction") continue;
                int level = int.Parse(File.ReadAllText(Path.Combine(index, "level")).Trim(), CultureInfo.InvariantCulture);
                long size = ParseSize(File.ReadAllText(Path.Combine(index, "size")).Trim());
                string sharedPath = Path.Combine(index, "shared_cpu_list");
                int sharing = File.Exists(sharedPath) ? CountCpus(File.ReadAllText(sharedPath).Trim()) : 1;
                switch (level)
                {
                    case 1: l1 = size; break;
                    case 2: l2 = size; break;
                    case 3: l3 = size / Math.Max(1, sharing); break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
        return l1 > 0 && l2 > 0 ? new CacheSizes(l1, l2, l3 > 0 ? l3 : l2) : null;
    }

    /// <summary>"32K", "1024K", "32M" or a plain number of bytes.</summary>
    internal static long ParseSize(string text)
    {
        long unit = text[^1] switch { 'K' or 'k' => 1L << 10, 'M' or 'm' => 1L << 20, 'G' or 'g' => 1L << 30, _ => 1 };
        return long.Parse(unit == 1 ? text : text[..^1], NumberStyles.None, CultureInfo.InvariantCulture) * unit;
    }

    /// <summary>The number of CPUs in a list such as "0-3,8,10-11".</summary>
    internal static int CountCpus(string list)
    {
        int count = 0;
        foreach (string part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-');
            count += dash < 0 ? 1
                : int.Parse(part[(dash + 1)..], CultureInfo.InvariantCulture) - int.Parse(part[..dash], CultureInfo.InvariantCulture) + 1;
        }
        return Math.Max(1, count);
    }

    /// <inheritdoc />
    public override string ToString() => $"L1d {L1 >> 10} KiB, L2 {L2 >> 10} KiB, L3 {L3PerCore >> 10} KiB per core";
}
