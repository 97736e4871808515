namespace Recurrent.Tests.Checkpoints;

/// <summary>
/// <see cref="SafeTensors.DeleteUnfinishedWrites"/>, which a program about to end at once calls: it deletes the
/// temporary file of every write under way in the process, so the test runs alone.
/// </summary>
[Collection(nameof(AloneCollection))]
public class UnfinishedWriteTests
{
    [Fact]
    public void AProgramEndingAtOnceDeletesTheTemporaryFilesOfItsWrites()
    {
        using var dir = new TempFolder();
        string path = dir.File("model.safetensors");
        SafeTensors.Write(path, [new("old", new Tensor([1f, 2f, 3f], 3))]);
        byte[] bytes = File.ReadAllBytes(path);

        // A second Ctrl-C in the middle of a save: the program deletes the temporary file, then the process ends
        // (here the write goes on and finds its file gone).
        Assert.Throws<RecurrentException>(() => SafeTensors.WriteAtomically(path, stream =>
        {
            stream.Write(new byte[1000]);
            Assert.Equal(2, dir.FileNames().Length);
            SafeTensors.DeleteUnfinishedWrites();
            Assert.Equal(["model.safetensors"], dir.FileNames());
        }));
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], dir.FileNames());
    }
}
