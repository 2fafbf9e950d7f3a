"""Tokens to ids in C (w2v._textio.TokenTable + encode_sentences) against the Python path.

The table keys a str on its kind, length and bytes with its own hash; these tests hold it to
what a dict of the words gives, on tokens of every internal kind and on keys built to collide.
"""
import random

import numpy as np
import pytest

import w2v.phrases as wp
from w2v import corpus as corpus_mod
from w2v.kernels import phrases as kernels

native = wp._native()
pytestmark = pytest.mark.skipif(native is None, reason="the C extension w2v._textio is not built")

# one alphabet per internal kind: ASCII, Latin-1 (1 byte, not ASCII), UCS-2, UCS-4
ALPHABETS = ["abcxyz_0 \x00\x7f", "éàÿ\xa0\x80ß", "ĀЖ中文ｶ\u2019\uffff", "😀𝔘\U0010ffff\U00020000"]


def random_token(rng):
    alphabet = "".join(rng.sample(ALPHABETS, rng.randint(1, 4)))
    return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 40])))


def random_corpus(rng, n_sentences, vocabulary):
    return [[rng.choice(vocabulary) for _ in range(rng.randint(0, 12))] for _ in range(n_sentences)]


def python_path(sentences, words=()):
    index, words = wp._new_index(list(words)), list(words)
    ids, lengths = corpus_mod_ids(index, words, sentences)
    return ids, lengths, words, dict(index)


def corpus_mod_ids(index, words, sentences):
    parts, lengths = [], []
    for tokens, block_lengths, _ in corpus_mod.blocks(sentences=sentences):
        parts.append(corpus_mod.ids_of(index, words, tokens))
        lengths.append(block_lengths[block_lengths > 0])
    return (np.concatenate(parts) if parts else np.zeros(0, np.int32),
            np.concatenate(lengths) if lengths else np.zeros(0, np.int64))


def native_path(sentences, words=()):
    index, words = wp._new_index(list(words)), list(words)
    ids, lengths = wp._encode(index, words, sentences=sentences)
    # the dict is kept in step: the same entries, and the next new word gets the next id
    assert index[object()] == len(words)
    del index[next(reversed(index))]
    return ids, lengths, words, dict(index)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_unicode_tokens_get_the_ids_of_the_python_path(seed, monkeypatch):
    rng = random.Random(seed)
    vocabulary = list({random_token(rng) for _ in range(3000)})
    assert "" in vocabulary and {max(map(ord, t), default=0) > 0xffff for t in vocabulary} == {True, False}
    sentences = random_corpus(rng, 2000, vocabulary)
    monkeypatch.setattr(corpus_mod, "_BLOCK_SENTENCES", 150)   # many batches, the table grows across them
    known = rng.sample(vocabulary, 300)
    for start in ([], known):
        fast = native_path(sentences, start)
        slow = python_path(sentences, start)
        assert fast[0].tolist() == slow[0].tolist() and fast[1].tolist() == slow[1].tolist()
        assert fast[2] == slow[2] and fast[3] == slow[3] == {w: i for i, w in enumerate(slow[2])}
        # new words in order of first appearance
        seen = list(dict.fromkeys(t for s in sentences for t in s if t not in set(start)))
        assert fast[2] == list(start) + seen


def test_equal_strings_made_in_different_ways_get_one_id():
    # slices of wider strings, joins, encode/decode round trips: CPython gives each the narrowest
    # kind, so equal text is equal bytes; the table must find them as the dict does
    texts = ["new", "york", "é", "ß", "中文", "😀", "", "naïve", "a" * 20]
    made = []
    for t in texts:
        made += [t, ("😀" + t)[1:], ("中" + t + "Ā")[1:-1], "".join(list(t)), t.encode("utf-8").decode("utf-8"),
                 t.encode("utf-16-le").decode("utf-16-le"), str(t + "x")[:-1] if t else "x"[:0]]
    assert all(type(m) is str for m in made)
    table = native.TokenTable(texts)
    ids, _ = native.encode_sentences([made], table, None, -7)
    assert np.frombuffer(ids, np.int32).tolist() == [texts.index(m) for m in made]
    assert made[1] is not texts[0] and made[1] == texts[0]


def test_keys_that_share_hash_inputs_are_told_apart():
    # same length and first 8 bytes, differing in a middle word, in the overlapping last word,
    # only in the last byte; embedded NULs; the same bytes as text of another kind
    base = "abcdefgh" * 3
    tokens = [base, base[:-1] + "X", base[:12] + "Y" + base[13:], base[:8] + "Z" + base[9:], base[:17], base[:9],
              "abcdefgh", "abcdefg", "abcdefgh\x00", "\x00", "", "\x00\x00", "a\x00", "ab",
              "\u0100", "\x00\x01", "\U00010000", "\x00\x00\x01\x00", "A\x00B\x00", "AB"]
    assert len(set(tokens)) == len(tokens)
    words = []
    ids, _ = native.encode_sentences([tokens, list(reversed(tokens))], native.TokenTable(words), words, 0)
    ids = np.frombuffer(ids, np.int32).tolist()
    assert words == tokens and ids == list(range(len(tokens))) + list(reversed(range(len(tokens))))


def test_a_big_vocabulary_grows_the_table_and_keeps_every_id():
    words = [f"w{i}" for i in range(50_000)] + [f"😀{i}" for i in range(5000)]
    table = native.TokenTable(words)
    assert len(table) == len(words)
    probe = [str(w) for w in words[::-1]] + ["nope", "w50000"]
    ids, lengths = native.encode_sentences([probe], table, None, -1)
    assert np.frombuffer(ids, np.int32).tolist() == list(range(len(words)))[::-1] + [-1, -1]
    assert np.frombuffer(lengths, np.int64).tolist() == [len(probe)]


def test_unusual_input_falls_back_to_the_python_path(monkeypatch):
    class Word(str):
        pass

    sentences = [["new", "york"], ["new", Word("jersey")], ("a", "tuple"), ["york", "city"]] * 3
    monkeypatch.setattr(corpus_mod, "_BLOCK_SENTENCES", 2)
    fast, slow = native_path(sentences), python_path(sentences)
    assert fast[0].tolist() == slow[0].tolist() and fast[2] == slow[2] and fast[3] == slow[3]
    # encode_sentences itself answers None and takes back the words it had added ("york");
    # the table still holds them, so it refuses to be used with the words again
    words = ["new"]
    table = native.TokenTable(words)
    assert native.encode_sentences([["york"], ["new", Word("x")]], table, words, 0) is None
    assert words == ["new"] and len(table) == 2
    with pytest.raises(ValueError, match="does not hold"):
        native.encode_sentences([["york"]], table, words, 0)
    assert native.encode_sentences([["york"], "new york"], native.TokenTable(words), words, 0) is None
    assert native.encode_sentences([["york", b"new"]], native.TokenTable(words), None, -1) is None


def test_table_arguments_are_checked():
    with pytest.raises(ValueError, match="twice"):
        native.TokenTable(["a", "b", "a"])
    with pytest.raises(TypeError, match="not a str"):
        native.TokenTable(["a", 3])
    table = native.TokenTable(["a"])
    with pytest.raises(ValueError, match="does not hold"):
        native.encode_sentences([["a"]], table, ["a", "b"], 0)
    with pytest.raises(TypeError):
        native.encode_sentences([["a"]], {"a": 0}, None, 0)


def test_many_connector_runs_grow_the_trie_in_the_sorting_counter():
    # more distinct connector runs than the trie's first arrays hold, and a sentence longer than them
    rng = np.random.default_rng(3)
    n_words = 60
    is_conn = np.zeros(n_words, bool)
    is_conn[:40] = True
    sentences = [rng.integers(0, n_words, rng.integers(1, 30)).tolist() for _ in range(3000)]
    sentences.append([45] + rng.integers(0, 40, 5000).tolist() + [46])
    ids = np.array(sum(sentences, []), np.int32)
    lengths = np.array(list(map(len, sentences)), np.int64)
    ucount, a, node_b, counts, parent, word, total = kernels.count_sorted(
        ids, lengths, is_conn, n_words, np.zeros(1, np.int64), np.zeros(1, np.int64))
    assert len(parent) > 4096 and total == len(ids)

    def run(node):
        out = []
        while node:
            out.append(int(word[node]))
            node = int(parent[node])
        return tuple(out[::-1])

    uni, cand = kernels.reference_count(sentences, is_conn)
    assert {w: c for w, c in enumerate(ucount.tolist()) if c} == uni
    assert {(int(x), run(int(nb >> 32)), int(nb & 0xFFFFFFFF)): int(c) for x, nb, c in zip(a, node_b, counts)} == cand
    # and continuing from a trie that already holds runs gives the same counts as the hash kernel
    again = kernels.count_sorted(ids, lengths, is_conn, n_words, parent, word)
    hashed = kernels.count_phrases(ids, lengths, is_conn, n_words, parent, word, 10**9, 1)
    order = np.lexsort((hashed[2], hashed[1]))
    assert again[1].tolist() == hashed[1][order].tolist() and again[2].tolist() == hashed[2][order].tolist()
    assert again[3].tolist() == hashed[3][order].tolist() and again[4].tolist() == parent.tolist()


def test_strings_whose_hashes_collide_are_told_apart():
    # the hash is a multiply-xor over 8-byte words, so with the process's seed a second string of the
    # same length and first 8 bytes can be built to collide: only the comparison of the bytes tells them apart
    k1, k2, mask = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 2 ** 64 - 1

    def mix(h, w):
        h = ((h ^ w) * k2) & mask
        return h ^ (h >> 29)

    first, second, third = b"abcdefgh", b"ijklmnop", b"qrstuvwx"
    h0 = ((24 * 4 + 1) * k1 & mask) ^ native._HASH_SEED
    h1 = mix(h0, int.from_bytes(first, "little"))
    h2, h2x = mix(h1, int.from_bytes(second, "little")), mix(h1, int.from_bytes(b"IJKLMNOP", "little"))
    third_x = (h2x ^ h2 ^ int.from_bytes(third, "little")).to_bytes(8, "little")
    a = (first + second + third).decode("latin-1")
    b = (first + b"IJKLMNOP" + third_x).decode("latin-1")
    assert a != b and len(a) == len(b) == 24 and a[:8] == b[:8]
    assert native._token_hash(a) == native._token_hash(b)
    words = [a]
    ids, _ = native.encode_sentences([[b, a, b]], native.TokenTable(words), words, 0)
    assert words == [a, b] and np.frombuffer(ids, np.int32).tolist() == [1, 0, 1]
