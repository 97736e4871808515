namespace Recurrent.Tests.Tensors;

/// <summary>The GEMM's blocking, derived from the caches the operating system reports.</summary>
public class GemmBlockingTests : FolderTests
{
    /// <summary>Writes one sysfs-style cache folder (index0 ... indexN) with the given caches.</summary>
    private string CacheFolder(params (int Level, string Type, string Size, string Shared)[] caches)
    {
        for (int i = 0; i < caches.Length; i++)
        {
            var (level, type, size, shared) = caches[i];
            Dir.File($"cache/index{i}/level", $"{level}\n");
            Dir.File($"cache/index{i}/type", $"{type}\n");
            Dir.File($"cache/index{i}/size", $"{size}\n");
            Dir.File($"cache/index{i}/shared_cpu_list", $"{shared}\n");
        }
        return Dir.File("cache");
    }

    [Fact]
    public void CachesAreReadFromSysfsWithTheLastLevelSharedAmongItsCores()
    {
        string folder = CacheFolder((1, "Data", "48K", "0"), (1, "Instruction", "32K", "0"), (2, "Unified", "2048K", "0"),
            (3, "Unified", "30M", "0-3,8-9"));
        var caches = CacheSizes.Read(folder);
        Assert.Equal(new CacheSizes(48 << 10, 2 << 20, (30L << 20) / 6), caches);
    }

    [Fact]
    public void WithoutAnL3TheL2IsTheLastLevelAndAMissingFolderIsNoCaches()
    {
        Assert.Equal(new CacheSizes(32 << 10, 512 << 10, 512 << 10),
            CacheSizes.Read(CacheFolder((1, "Data", "32K", "0"), (2, "Unified", "512K", "0"))));
        Assert.Null(CacheSizes.Read(Dir.File("no-such-folder")));
        Assert.Null(CacheSizes.Read(CacheFolder((1, "Instruction", "32K", "0"))));   // no data cache, no L2
    }

    [Fact]
    public void AnUnreadableSizeIsNoCachesRatherThanAnError()
    {
        Assert.Null(CacheSizes.Read(CacheFolder((1, "Data", "lots", "0"), (2, "Unified", "1M", "0"))));
    }

    [Theory]
    [InlineData("32K", 32 << 10)]
    [InlineData("1024K", 1 << 20)]
    [InlineData("32M", 32 << 20)]
    [InlineData("4096", 4096)]
    public void SizesCarryTheirUnit(string text, long bytes) => Assert.Equal(bytes, CacheSizes.ParseSize(text));

    [Theory]
    [InlineData("0", 1)]
    [InlineData("0-1", 2)]
    [InlineData("0-3,8,10-11", 7)]
    public void CpuListsAreCounted(string list, int count) => Assert.Equal(count, CacheSizes.CountCpus(list));

    [Fact]
    public void ThisMachinesCachesAreReadOrAssumed()
    {
        var caches = CacheSizes.Machine;
        Assert.InRange(caches.L1, 4 << 10, 1 << 20);
        Assert.True(caches.L2 >= caches.L1, caches.ToString());
        Assert.True(caches.L3PerCore > 0, caches.ToString());
    }

    [Fact]
    public void AZen4CoreGetsTheBlockingMeasuredOnIt()
    {
        // 32 KiB L1d, 1 MiB L2, 32 MiB L3 shared by 2 cores: a 256-deep slab for AVX-512's 32-wide B strips (the
        // LSTM's K = 256 in one slab, as before), 512 for AVX2's 16-wide ones.
        var zen4 = new CacheSizes(32 << 10, 1 << 20, 16 << 20);
        Assert.Equal(new GemmBlocking(256, 256, 2048), Gemm.BlockingFor((8, 32), zen4));
        Assert.Equal(new GemmBlocking(512, 126, 1024), Gemm.BlockingFor((6, 16), zen4));   // a 2 MiB B panel
    }

    [Fact]
    public void BlocksFollowTheCachesWithinTheirBounds()
    {
        // A 16 KiB L1d halves the slab for a 32-wide strip; a 512 KiB L2 halves the A block; a small L3 narrows the B panel.
        var small = new CacheSizes(16 << 10, 512 << 10, 1 << 20);
        var b = Gemm.BlockingFor((8, 32), small);
        Assert.Equal(128, b.Kc);
        Assert.Equal(256, b.Mc);                  // a quarter of 512 KiB in rows of 128 floats
        Assert.Equal(1024, b.Nc);                 // half of 1 MiB in columns of 128 floats
        // Huge caches stay within the caps; tiny ones keep at least one tile.
        var huge = Gemm.BlockingFor((6, 16), new CacheSizes(1 << 20, 64 << 20, 1 << 30));
        Assert.Equal(new GemmBlocking(512, 510, 1024), huge);
        var tiny = Gemm.BlockingFor((6, 16), new CacheSizes(1 << 10, 4 << 10, 4 << 10));
        Assert.Equal(new GemmBlocking(128, 6, 512), tiny);
    }
}
