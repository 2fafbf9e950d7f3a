import pytest

from w2v import corpus
from w2v.tokenize import Tokenizer, TokenizerError

WORDS = Tokenizer("words", lowercase=True)

CASES = [
    ("The dog's bark. Sometimes.", ["the", "dog's", "bark", "sometimes"]),
    ("l’homme rock'n'roll 'tis dogs'", ["l’homme", "rock'n'roll", "tis", "dogs"]),
    ("well-known -- x-", ["well-known", "x"]),
    ("3.14 1,000,000 12:30 a.b end.", ["3.14", "1,000,000", "12:30", "a", "b", "end"]),
    ("Café résumé", ["café", "résumé"]),
    ("Cafe\u0301 re\u0301sume\u0301", ["cafe\u0301", "re\u0301sume\u0301"]),   # combining accents stay inside
    ("İstanbul", ["i\u0307stanbul"]),                                  # Turkish dotted I: i + combining dot
    ("ΑΘΗΝΑ Москва", ["αθηνα", "москва"]),
    ("東京は大きい。日本", ["東京は大きい", "日本"]),                         # CJK runs are not segmented
    ("ＡＢＣ１２３，ｘ", ["ａｂｃ１２３", "ｘ"]),                             # full-width letters, comma dropped
    ("hi 👍🏽 there", ["hi", "there"]),
    ("me@x.org http://a.com/b", ["me", "x", "org", "http", "a", "com", "b"]),
    ("new_york हिन्दी", ["new_york", "हिन्दी"]),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_words_tokenizer_on_tricky_unicode(text, expected):
    assert WORDS.tokens(text) == expected


def test_whitespace_is_the_default_and_keeps_case_and_punctuation():
    assert Tokenizer().tokens("The end. Now") == ["The", "end.", "Now"]
    assert Tokenizer(lowercase=True).tokens("The END.") == ["the", "end."]


def test_punctuation_kept_as_tokens():
    assert Tokenizer("words", punctuation="keep").tokens("Hello, world! e\u0301") == ["Hello", ",", "world", "!", "e\u0301"]


def test_sentence_splitting_joins_lines_and_cuts_at_ends():
    t = Tokenizer("words", split_sentences=True)
    assert t.split_block("One sentence. Two\nlines here! Three?\n\nFour") == [
        ["One", "sentence"], ["Two", "lines", "here"], ["Three"], ["Four"]]


def test_bad_options_are_clear_errors():
    with pytest.raises(TokenizerError, match="tokenize must be"):
        Tokenizer("chars")
    with pytest.raises(TokenizerError, match="needs tokenize='words'"):
        Tokenizer(punctuation="keep")


def test_corpus_scan_uses_the_tokenizer(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("The cat sat. The CAT!\nA dog.\n", encoding="utf-8")
    words, counts = corpus.scan(str(path), tokenizer={"mode": "words", "lowercase": True}).vocabulary()
    assert dict(zip(words, counts.tolist())) == {"the": 2, "cat": 2, "sat": 1, "a": 1, "dog": 1}
    scan = corpus.scan(str(path), tokenizer=Tokenizer("words", split_sentences=True))
    assert scan.lengths.tolist() == [3, 2, 2]
    scan = corpus.scan(sentences=[["The", "Cat."]], tokenizer=Tokenizer("words", lowercase=True))
    assert scan.vocabulary()[0] == ["the", "cat"]


def test_string_sentences_are_a_type_error():
    with pytest.raises(TypeError, match="is a string"):
        corpus.scan(sentences=["a b c"])


def test_word2vec_and_pairs_share_the_tokenizer(tmp_path):
    from w2v import Word2Vec
    from w2v.illustrate import tokenize

    model = Word2Vec([["The", "Cat"]] * 20, min_count=1, epochs=1, workers=1, tokenizer={"mode": "words", "lowercase": True})
    assert sorted(model.wv.index_to_key) == ["cat", "the"]
    model.save(tmp_path / "m.w2v")
    assert Word2Vec.load(tmp_path / "m.w2v").tokenizer == model.tokenizer
    assert tokenize("Thou shalt NOT make, a machine!") == WORDS.tokens("Thou shalt NOT make, a machine!")


# -- the C tokenizer against the re reference --------------------------------------------------
native = pytest.mark.skipif(Tokenizer("words")._native is None, reason="the C extension w2v._textio is not built")
TRICKY = "".join(text + "\n" for text, _ in CASES) + "a-\nb'\n-c 3.\n.4 5,6, 7/8 x:9 ’’ e\u0301\u0301 \u0301x\r\n\u00a0\u2028z\u3000y"
OPTIONS = [dict(mode="words"), dict(mode="words", lowercase=True), dict(mode="words", punctuation="keep"),
           dict(mode="words", split_sentences=True), dict(mode="words", punctuation="keep", split_sentences=True)]


@native
@pytest.mark.parametrize("options", OPTIONS)
def test_c_words_tokenizer_equals_the_pattern_on_tricky_text(options):
    t = Tokenizer(**options)
    assert t.split_flat(TRICKY) == t.reference_split(TRICKY)
    assert t.split_flat("") == t.reference_split("")
    assert t.split_flat("\n\nx") == t.reference_split("\n\nx")


@native
def test_c_words_tokenizer_equals_the_pattern_on_random_unicode():
    import random
    rng = random.Random(7)
    pool = ("a", "Z", "é", "0", "٣", "_", "'", "’", "-", ".", ",", ":", "/", " ", "\n", "\t", "\u0301", "\u0903",
            "!", "👍", "東", "İ", "ß", "\u00a0", "Ⅻ", "²", "\U0001d7d8")
    for options in OPTIONS:
        t = Tokenizer(**options)
        for _ in range(200):
            text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
            assert t.split_flat(text) == t.reference_split(text), (options, text)


@native
@pytest.mark.parametrize("path", ["demo", "../shared/data/english-5m.txt.gz"])
def test_c_words_tokenizer_equals_the_pattern_on_real_text(path):
    import gzip
    import itertools
    import os

    from w2v.cli.train import demo_corpus_path

    path = demo_corpus_path() if path == "demo" else os.path.join(os.path.dirname(__file__), "..", path)
    if not os.path.exists(path):
        pytest.skip(f"{path} is not here (the shared data folder)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        text = "".join(itertools.islice(handle, 20000))
    for options in OPTIONS[:3]:
        t = Tokenizer(**options)
        assert t.split_flat(text) == t.reference_split(text)


@pytest.mark.parametrize("block_bytes", [64, 100, 1 << 20])
def test_sentences_spanning_reading_blocks_stay_whole(tmp_path, monkeypatch, block_bytes):
    # split_sentences joins lines; a sentence running over the end of a block waits for the next one
    text = ("One two three four five six seven\neight nine ten. Eleven twelve\nthirteen fourteen fifteen sixteen "
            "seventeen.\n\nA b c\nd e f g h i j k l m n o p q r s t u v w x y z! Last words\nhere") * 3
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(corpus, "_BLOCK_BYTES", block_bytes)
    tokenizer = Tokenizer("words", split_sentences=True)
    scan = corpus.scan(str(path), tokenizer=tokenizer)
    tokens, lengths = tokenizer.split_flat(text)
    assert scan.lengths.tolist() == [n for n in lengths if n]
    assert [scan.words[i] for i in scan.ids.tolist()] == tokens


@pytest.mark.parametrize("text,expected", CASES)
def test_the_fallback_without_the_extension_gives_the_same_tokens(text, expected):
    t = Tokenizer("words", lowercase=True)
    t._native = None   # as where w2v._textio was not built
    assert t.tokens(text) == expected


def test_token_lists_are_retokenized_as_text_is():
    batch = [["The", "dog's", "bark."], [], ["İstanbul,", "3.14!"]]
    for options in OPTIONS[:3]:
        t = Tokenizer(**options)
        expected = [t.tokens(" ".join(s)) for s in batch]
        assert t.retokenize(batch) == expected
        t._native = None
        assert t.retokenize(batch) == expected
