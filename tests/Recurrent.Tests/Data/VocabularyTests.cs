using Recurrent;

namespace Recurrent.Tests.Data;

public class VocabularyTests
{
    [Fact]
    public void CharactersAreSortedByCodePoint()
    {
        // U+1D11E (a surrogate pair in UTF-16) sorts before U+FF01 by UTF-16 ordinal, after it by code point.
        var vocabulary = Vocabulary.FromCharacters("b\uFF01a\U0001D11Eb ");

        Assert.Equal([" ", "a", "b", "\uFF01", "\U0001D11E"], vocabulary.Tokens);
        Assert.Equal(5, vocabulary.Size);
    }

    [Fact]
    public void CharacterOutsideTheBmpIsOneToken()
    {
        var vocabulary = Vocabulary.FromCharacters("a\U0001D11Ea");

        Assert.Equal(2, vocabulary.Size);
        Assert.Equal([0, 1, 0], vocabulary.Encode("a\U0001D11Ea"));
        Assert.Equal(1, vocabulary.IndexOf("\U0001D11E"));
    }

    [Fact]
    public void EncodeThenDecodeGivesTheText()
    {
        const string text = "想要有直升机 想要和你飞到宇宙去 \U0001F600!";
        var vocabulary = Vocabulary.FromCharacters(text);

        int[] indices = vocabulary.Encode(text);

        Assert.Equal(text.EnumerateRunes().Count(), indices.Length);
        Assert.Equal(text, vocabulary.Decode(indices));
    }

    [Fact]
    public void IndicesFollowTheTokenOrder()
    {
        var vocabulary = new Vocabulary(["c", "a", "b"]);

        Assert.Equal([1, 2, 0, 0], vocabulary.Encode("abcc"));
        Assert.Equal("cab", vocabulary.Decode([0, 1, 2]));
        Assert.Equal(2, vocabulary.IndexOf("b"));
        Assert.True(vocabulary.TryIndexOf("a", out int a));
        Assert.Equal(1, a);
        Assert.False(vocabulary.TryIndexOf("z", out _));
    }

    [Fact]
    public void UnknownCharactersAreAllNamedOnce()
    {
        var vocabulary = Vocabulary.FromCharacters("abc");

        var error = Assert.Throws<RecurrentException>(() => vocabulary.Encode("a龘bxx龘\U0001D11E", "prefix"));

        Assert.Equal("The prefix has characters not in the vocabulary: '龘', 'x', '\U0001D11E'.", error.Message);
    }

    [Fact]
    public void UnknownControlCharacterIsShownByCodePoint()
    {
        var vocabulary = Vocabulary.FromCharacters("abc");

        var error = Assert.Throws<RecurrentException>(() => vocabulary.Encode("a\nb"));

        Assert.Equal("The text has characters not in the vocabulary: U+000A.", error.Message);
    }

    [Fact]
    public void IndexOfAnUnknownTokenIsAnError()
    {
        var vocabulary = Vocabulary.FromCharacters("abc");

        var error = Assert.Throws<RecurrentException>(() => vocabulary.IndexOf("z"));
        Assert.Contains("'z'", error.Message);
    }

    [Fact]
    public void DecodeRejectsAnIndexOutOfRange()
    {
        var vocabulary = Vocabulary.FromCharacters("abc");

        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([0, 3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([-1]));
    }

    [Fact]
    public void DuplicateOrEmptyTokensAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Vocabulary(["a", "b", "a"]));
        Assert.Throws<ArgumentException>(() => new Vocabulary(["a", ""]));
    }

    [Fact]
    public void ACharacterIsOneCodePointWhateverItsUtf16Length()
    {
        Assert.Equal(-1, new Vocabulary(["a", "分", "😀"]).FirstNonCharacter());
        Assert.Equal(2, new Vocabulary(["a", "分", "ab", "cd"]).FirstNonCharacter());
        Assert.Equal(0, new Vocabulary(["😀😀", "a"]).FirstNonCharacter());
        Assert.Equal(1, new Vocabulary(["a", "<unk>"]).FirstNonCharacter());
    }
}
