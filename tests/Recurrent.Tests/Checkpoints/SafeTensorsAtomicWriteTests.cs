namespace Recurrent.Tests.Checkpoints;

/// <summary>A failed write leaves an existing checkpoint byte-identical and no temporary file behind.</summary>
public class SafeTensorsAtomicWriteTests
{
    private const string FileName = "model.safetensors";

    private static readonly KeyValuePair<string, Tensor>[] Old = [new("old", new Tensor([1f, 2f, 3f], 3))];

    private static readonly KeyValuePair<string, Tensor>[] New =
        [new("new.a", Tensor.Full(5f, 64, 32)), new("new.b", Tensor.Full(6f, 32))];

    /// <summary>A directory holding a valid checkpoint, and that checkpoint's bytes.</summary>
    private static (TempFolder Dir, string Path, byte[] Bytes) ExistingCheckpoint()
    {
        var dir = new TempFolder();
        string path = dir.File(FileName);
        SafeTensors.Write(path, Old);
        return (dir, path, File.ReadAllBytes(path));
    }

    private static void AssertUntouched(TempFolder dir, string path, byte[] bytes)
    {
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal([FileName], dir.FileNames());
    }

    [Fact]
    public void ASuccessfulWriteReplacesTheFileAndLeavesNothingElse()
    {
        var (dir, path, bytes) = ExistingCheckpoint();
        using (dir)
        {
            SafeTensors.Write(path, New);
            Assert.NotEqual(bytes, File.ReadAllBytes(path));
            Assert.Equal(["new.a", "new.b"], SafeTensors.Read(path).Tensors.Select(p => p.Key));
            Assert.Equal([FileName], dir.FileNames());
        }
    }

    [Fact]
    public void ATensorSourceThatThrowsLeavesTheFileUntouched()
    {
        static IEnumerable<KeyValuePair<string, Tensor>> Failing()
        {
            yield return New[0];
            yield return New[1];
            throw new InvalidOperationException("the model was disposed");
        }
        var (dir, path, bytes) = ExistingCheckpoint();
        using (dir)
        {
            var e = Assert.Throws<InvalidOperationException>(() => SafeTensors.Write(path, Failing()));
            Assert.Equal("the model was disposed", e.Message);
            AssertUntouched(dir, path, bytes);
        }
    }

    [Fact]
    public void ADiskErrorMidwayIsAUserErrorAndLeavesTheFileUntouched()
    {
        var (dir, path, bytes) = ExistingCheckpoint();
        using (dir)
        {
            bool started = false;
            var e = Assert.Throws<RecurrentException>(() => SafeTensors.WriteAtomically(path, stream =>
            {
                SafeTensors.Write(stream, New); // a whole, valid file's worth of bytes
                started = true;
                Assert.NotEqual([FileName], dir.FileNames()); // the temporary file exists beside the target
                throw new IOException("No space left on device.");
            }));
            Assert.True(started);
            Assert.Equal($"Could not write checkpoint {path}: No space left on device.", e.Message);
            AssertUntouched(dir, path, bytes);
        }
    }

    [Fact]
    public void AnInternalErrorMidwayIsNotDisguisedButStillCleansUp()
    {
        var (dir, path, bytes) = ExistingCheckpoint();
        using (dir)
        {
            Assert.Throws<NotSupportedException>(() => SafeTensors.WriteAtomically(path, stream =>
            {
                stream.Write(new byte[1000]);
                throw new NotSupportedException();
            }));
            AssertUntouched(dir, path, bytes);
        }
    }

    [Fact]
    public void ADirectoryThatDisappearsMidwayIsAUserError()
    {
        var (dir, path, bytes) = ExistingCheckpoint();
        using (dir)
        {
            Assert.Throws<RecurrentException>(() => SafeTensors.WriteAtomically(path, stream =>
            {
                stream.Write(new byte[1000]);
                // Succeeds on Unix (the rename then fails); on Windows the open file prevents it and this throws.
                Directory.Delete(dir.Path, recursive: true);
            }));
            if (Directory.Exists(dir.Path)) AssertUntouched(dir, path, bytes);
        }
    }

    [Fact]
    public void ATargetThatCannotBeReplacedLeavesNoTemporaryFile()
    {
        using var dir = new TempFolder();
        string path = dir.File(FileName);
        Directory.CreateDirectory(path); // the rename over a directory fails after the data is flushed
        File.WriteAllText(Path.Combine(path, "keep.txt"), "kept");

        Assert.Throws<RecurrentException>(() => SafeTensors.Write(path, New));

        Assert.Equal([FileName], dir.FileNames());
        Assert.Equal("kept", File.ReadAllText(Path.Combine(path, "keep.txt")));
    }

    [Fact]
    public void AMissingDirectoryIsAUserError()
    {
        using var dir = new TempFolder();
        var e = Assert.Throws<RecurrentException>(() => SafeTensors.Write(dir.File("missing/" + FileName), New));
        Assert.StartsWith("Could not write checkpoint ", e.Message);
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void TheNextWriteDeletesWhatAKilledWriteLeftButNotAWriteUnderWay()
    {
        var (dir, path, _) = ExistingCheckpoint();
        using (dir)
        {
            // What a process killed mid-write leaves, one that is still writing, and files of other names.
            string abandoned = dir.File($".{FileName}.{Guid.NewGuid():N}.tmp", new byte[100]);
            string underWay = dir.File($".{FileName}.{Guid.NewGuid():N}.tmp", new byte[100]);
            string other = dir.File($".other.safetensors.{Guid.NewGuid():N}.tmp", new byte[100]);
            string notOurs = dir.File($".{FileName}.backup.tmp", new byte[100]);
            using (new FileStream(underWay, FileMode.Open, FileAccess.Write, FileShare.None))   // as a writer holds it
                SafeTensors.Write(path, New);

            Assert.False(File.Exists(abandoned));
            Assert.True(File.Exists(underWay));
            Assert.True(File.Exists(other));
            Assert.True(File.Exists(notOurs));
            Assert.Equal(["new.a", "new.b"], SafeTensors.Read(path).Tensors.Select(p => p.Key));
        }
    }
}
