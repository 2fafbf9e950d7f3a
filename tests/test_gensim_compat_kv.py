"""gensim users' code, run unchanged on gensim's KeyedVectors and on w2v's, results compared."""
import logging

import numpy as np
import pytest

import w2v.errors
import w2v.vectors

gensim_kv = pytest.importorskip("gensim.models.keyedvectors")

MODULES = {"gensim": gensim_kv, "w2v": w2v.vectors}
N, DIM = 200, 12


def build(module):
    rng = np.random.default_rng(3)
    kv = module.KeyedVectors(DIM)
    kv.add_vectors([f"w{i}" for i in range(N)], rng.standard_normal((N, DIM)).astype(np.float32))
    return kv


@pytest.fixture(params=sorted(MODULES))
def kv(request):
    return build(MODULES[request.param])


def test_a_key_is_at_distance_zero_from_itself(kv):
    assert kv.distance("w5", "w5") == 0.0
    assert kv.similarity("w5", "w5") == pytest.approx(1.0, abs=1e-6)


def test_w2v_gives_exactly_one_for_a_key_and_itself():
    assert build(w2v.vectors).similarity("w5", "w5") == 1.0


@pytest.mark.parametrize("old_name", ["index2word", "index2entity", "vocab", "vectors_norm"])
def test_gensim_3_names_raise_a_helpful_attribute_error(kv, old_name):
    with pytest.raises(AttributeError, match="gensim 4|Gensim 4"):
        getattr(kv, old_name)


def test_words_closer_than_is_closer_than(kv):
    assert kv.words_closer_than("w1", "w2") == kv.closer_than("w1", "w2")


def test_same_answers_on_both():
    ours, theirs = build(w2v.vectors), build(gensim_kv)
    assert ours.words_closer_than("w1", "w9") == theirs.words_closer_than("w1", "w9")
    assert ours.distance("w1", "w9") == pytest.approx(theirs.distance("w1", "w9"), abs=1e-6)


def test_similarity_unseen_docs_is_not_implemented(kv):
    with pytest.raises(NotImplementedError):
        kv.similarity_unseen_docs("a", "b")


def test_negative_restrict_vocab_is_a_clear_error():
    kv = build(w2v.vectors)
    with pytest.raises(ValueError, match="restrict_vocab must be None or >= 0"):
        kv.most_similar("w1", restrict_vocab=-5)
    with pytest.raises(ValueError, match="restrict_vocab"):
        kv.most_similar_cosmul("w1", restrict_vocab=-1)


# -- the rest of gensim 4's KeyedVectors API: the same snippet on both, results compared ------------------
def both(snippet):
    """The snippet's result on gensim's KeyedVectors and on w2v's."""
    return snippet(gensim_kv), snippet(w2v.vectors)


def with_counts(module):
    kv = build(module)
    counts = np.random.default_rng(8).permutation(np.arange(1000, 1000 + N))   # distinct counts
    for key, count in zip(kv.index_to_key, counts.tolist()):
        kv.set_vecattr(key, "count", count)
    return kv


def test_vectors_for_all_keeps_known_keys_once_in_the_given_order():
    def snippet(module):
        kv = with_counts(module)
        kv.set_vecattr("w3", "weight", 0.25)
        picked = kv.vectors_for_all(["w3", "w1", "nope", "w3", 5, "w150"])
        copied = kv.vectors_for_all(["w1", "w3"], copy_vecattrs=True)
        strict = kv.vectors_for_all(["w1", 7], allow_inference=False)
        return (list(picked.index_to_key), picked.vectors.copy(), list(copied.index_to_key),
                [copied.get_vecattr(k, "count") for k in copied.index_to_key], copied.get_vecattr("w3", "weight"),
                list(strict.index_to_key))

    theirs, ours = both(snippet)
    assert ours[0] == theirs[0] == ["w3", "w1", 5, "w150"]   # an int in range is a row index, as in gensim
    np.testing.assert_array_equal(ours[1], theirs[1])
    assert ours[2:] == theirs[2:]
    assert ours[5] == ["w1"]


def test_fill_norms_returns_none_and_fills_norms():
    def snippet(module):
        kv = build(module)
        returned = kv.fill_norms()
        norms = np.array(kv.norms)
        kv.vectors[0] *= 2                      # changed in place: force=True recomputes
        kv.fill_norms(force=True)
        return returned, norms, np.array(kv.norms), kv.most_similar("w0", topn=3)

    theirs, ours = both(snippet)
    assert ours[0] is None and theirs[0] is None
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    assert ours[2][0] == pytest.approx(2 * ours[1][0])
    assert [k for k, _ in ours[3]] == [k for k, _ in theirs[3]]


def test_sort_by_descending_frequency():
    def snippet(module):
        kv = with_counts(module)
        kv.sort_by_descending_frequency()
        return (list(kv.index_to_key), dict(kv.key_to_index), kv.vectors.copy(),
                [kv.get_vecattr(k, "count") for k in kv.index_to_key], kv.most_similar("w4", topn=5))

    theirs, ours = both(snippet)
    assert ours[:2] == theirs[:2] and ours[3] == theirs[3] == sorted(ours[3], reverse=True)
    np.testing.assert_array_equal(ours[2], theirs[2])
    assert [k for k, _ in ours[4]] == [k for k, _ in theirs[4]]


def test_sort_by_descending_frequency_keeps_equal_counts_in_order():
    kv = build(w2v.vectors)
    for key in ("w7", "w9"):
        kv.set_vecattr(key, "count", 5)
    kv.sort_by_descending_frequency()
    assert kv.index_to_key[:2] == ["w7", "w9"] and kv.index_to_key[2:] == [f"w{i}" for i in range(N) if i not in (7, 9)]


def test_resize_vectors_keeps_old_rows_and_draws_gensims_new_ones():
    def snippet(module):
        kv = build(module)
        old = kv.vectors.copy()
        for key in ("extra1", "extra2"):        # gensim users grow the vocabulary by hand, then resize
            kv.key_to_index[key] = len(kv.index_to_key)
            kv.index_to_key.append(key)
        kv.resize_vectors(seed=7)
        return old, kv.vectors.copy(), kv["extra2"].copy()

    theirs, ours = both(snippet)
    assert ours[1].shape == (N + 2, DIM)
    np.testing.assert_array_equal(ours[1][:N], ours[0])
    np.testing.assert_array_equal(ours[1], theirs[1])   # same seed, same new rows
    assert np.all(np.abs(ours[2]) < 1 / DIM)


def test_vector_attributes_any_name_and_type():
    def snippet(module):
        kv = build(module)
        kv.allocate_vecattrs(["weight"], [float])
        kv.set_vecattr("w2", "weight", 0.5)
        kv.set_vecattr("w2", "tag", "noun")
        with pytest.raises(TypeError):
            kv.set_vecattr("w2", "weight", "heavy")   # a string in a float attribute
        return kv.get_vecattr("w2", "weight"), kv.get_vecattr("w2", "tag"), kv.get_vecattr("w3", "weight")

    theirs, ours = both(snippet)
    assert ours == theirs == (0.5, "noun", 0.0)


def test_add_vectors_extras_set_attributes_of_new_and_replaced_keys():
    # gensim 4.4's add_vectors(extras=) fails (it iterates the dict as pairs); w2v's works
    kv = build(w2v.vectors)
    kv.set_vecattr("w2", "weight", 0.5)
    kv.add_vectors(["new", "w2"], np.ones((2, DIM), np.float32), extras={"weight": np.array([2.5, 9.0]),
                                                                         "count": np.array([7, 8])})
    assert (kv.get_vecattr("new", "weight"), kv.get_vecattr("new", "count"), kv.get_vecattr("w2", "weight")) == \
        (2.5, 7, 0.5)
    kv.add_vectors(["w2"], np.ones((1, DIM), np.float32), extras={"weight": np.array([9.0])}, replace=True)
    assert kv.get_vecattr("w2", "weight") == 9.0 and np.all(kv["w2"] == 1)


def test_preallocated_slots_are_filled_by_add_vector():
    def snippet(module):
        kv = module.KeyedVectors(DIM, count=3)
        first = kv.add_vector("a", np.ones(DIM))
        second = kv.add_vector("b", np.full(DIM, 2.0))
        return first, second, len(kv), kv.index_to_key[:2], kv.vectors.shape

    theirs, ours = both(snippet)
    assert ours == theirs == (0, 1, 3, ["a", "b"], (3, DIM))


def test_log_accuracy_and_log_evaluate_word_pairs(caplog):
    section = {"section": "capitals", "correct": [("a", "b", "c", "d")] * 2, "incorrect": [("e", "f", "g", "h")]}
    messages = {}
    for name, module in (("gensim", gensim_kv), ("w2v", w2v.vectors)):
        caplog.clear()
        with caplog.at_level(logging.INFO):
            module.KeyedVectors.log_accuracy(section)
            module.KeyedVectors.log_accuracy({"section": "empty", "correct": [], "incorrect": []})
            module.KeyedVectors.log_evaluate_word_pairs((0.61234, 0.01), (0.5, 0.02), 12.5, "pairs.tsv")
        messages[name] = [r.getMessage() for r in caplog.records if r.name.startswith(name)]
    assert messages["w2v"] == messages["gensim"]
    assert messages["w2v"][0] == "capitals: 66.7% (2/3)" and len(messages["w2v"]) == 4


def _analogies(path, reference, n=40, seed=1):
    """Questions whose expected answer is 3CosMul's (first section) or 3CosAdd's (second section),
    by ``reference``'s (gensim's) own methods, where the two disagree; and one unknown word."""
    rng = np.random.default_rng(seed)
    cosmul, cosadd = [], []
    while len(cosmul) < n or len(cosadd) < n:
        a, b, c = rng.choice(reference.index_to_key, 3, replace=False)
        by_mul = reference.most_similar_cosmul(positive=[b, c], negative=[a], topn=1)[0][0]
        by_add = reference.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
        if by_mul != by_add:
            (cosmul if len(cosmul) < n else cosadd).append(f"{a} {b} {c} {by_mul if len(cosmul) < n else by_add}")
    path.write_text(": cosmul\n" + "\n".join(cosmul) + "\n: cosadd\n" + "\n".join(cosadd) + "\na b c unknownword\n")
    return path, [tuple(q.upper().split()) for q in cosmul], [tuple(q.upper().split()) for q in cosadd]


def test_evaluate_word_analogies_by_similarity_function(tmp_path):
    ours, theirs = build(w2v.vectors), build(gensim_kv)
    path, cosmul, cosadd = _analogies(tmp_path / "q.txt", theirs)
    # gensim 4.4 accepts similarity_function but always answers with most_similar (3CosAdd)
    score, sections = theirs.evaluate_word_analogies(str(path), similarity_function="most_similar")
    assert sections[-1]["correct"] == cosadd
    for name in ("most_similar", "similar_by_3cosadd"):
        if name == "similar_by_3cosadd":      # the same method under another name: the one-by-one path
            ours.similar_by_3cosadd = ours.most_similar
        got_score, got_sections = ours.evaluate_word_analogies(str(path), similarity_function=name)
        assert got_score == score and got_sections == sections
    got_score, got_sections = ours.evaluate_word_analogies(str(path), similarity_function="most_similar_cosmul")
    assert got_sections[-1]["correct"] == cosmul and got_score == 0.5
    with pytest.raises(ValueError, match="similarity_function"):
        ours.evaluate_word_analogies(str(path), similarity_function="no_such_method")


# -- Word Mover's Distance (needs POT: pip install 'w2v[wmd]') ----------------------------------------
def test_wmdistance_as_gensim():
    pytest.importorskip("ot")
    documents = [
        (["w1", "w2", "w3"], ["w4", "w5"]),
        (["w1", "w1", "w2", "unknown"], ["w2", "w7", "w7", "w7", "w9"]),   # counts weigh, unknown words go
        (["w3"], ["w3", "w3"]),                                         # one same word: 0
        (["unknown"], ["w1"]),                                          # an empty document: inf
        ([f"w{i}" for i in range(0, 40, 3)], [f"w{i}" for i in range(1, 60, 4)]),
    ]

    def snippet(module):
        kv = build(module)
        return [kv.wmdistance(a, b, norm=norm) for a, b in documents for norm in (True, False)]

    theirs, ours = both(snippet)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert ours[4:6] == [0.0, 0.0] and ours[6] == ours[7] == float("inf")
    kv = build(w2v.vectors)    # one word each: the distance between their unit vectors
    assert kv.wmdistance(["w1"], ["w2"]) == pytest.approx(float(np.linalg.norm(kv.get_vector("w1", norm=True) -
                                                                               kv.get_vector("w2", norm=True))))


def test_wmdistance_without_pot_says_how_to_install_it(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ot", None)     # what an environment without POT gives
    with pytest.raises(ImportError, match=r"pip install 'w2v\[wmd\]'") as caught:
        build(w2v.vectors).wmdistance(["w1"], ["w2"])
    assert isinstance(caught.value, w2v.errors.W2VError)


def test_differences_listed_in_the_readme(tmp_path):
    # add_vectors(extras=): gensim fails, w2v sets them (tested above)
    with pytest.raises(ValueError):
        build(gensim_kv).add_vectors(["x"], np.ones((1, DIM), np.float32), extras={"weight": np.array([1.0])})
    # a vocabulary file missing a word: gensim TypeError, w2v count 0 with a warning
    (tmp_path / "v.txt").write_text("3 2\na 1 2\nb 3 4\nc 5 6\n")
    (tmp_path / "v.vocab").write_text("a 5\nb 3\n")
    with pytest.raises(TypeError):
        gensim_kv.KeyedVectors.load_word2vec_format(str(tmp_path / "v.txt"), fvocab=str(tmp_path / "v.vocab"))
    with pytest.warns(UserWarning, match="incomplete"):
        ours = w2v.vectors.KeyedVectors.load_word2vec_format(tmp_path / "v.txt", fvocab=tmp_path / "v.vocab")
    assert [ours.get_vecattr(k, "count") for k in "abc"] == [5, 3, 0]
    # binary without a header: gensim writes it, nobody reads it; w2v refuses unless appending
    build(gensim_kv).save_word2vec_format(str(tmp_path / "g.bin"), binary=True, write_header=False)
    for load in (gensim_kv.KeyedVectors.load_word2vec_format, w2v.vectors.KeyedVectors.load_word2vec_format):
        with pytest.raises((ValueError, EOFError)):
            load(str(tmp_path / "g.bin"), binary=True)
    with pytest.raises(w2v.errors.W2VError, match="without its header"):
        build(w2v.vectors).save_word2vec_format(tmp_path / "o.bin", binary=True, write_header=False)


def test_wmdistance_of_words_with_identical_vectors():
    pytest.importorskip("ot")

    def snippet(module):
        kv = module.KeyedVectors(3)
        kv.add_vectors(["a", "b"], np.ones((2, 3), np.float32))
        return kv.wmdistance(["a"], ["b"])

    theirs, ours = both(snippet)
    assert theirs == float("inf") and ours == 0.0


def test_an_evaluation_file_in_another_encoding_is_a_unicode_decode_error(tmp_path):
    path = tmp_path / "q.txt"
    path.write_bytes(": s\nw1 w2 w3 w4\nw1 w2 w3 caf\xe9\n".encode("latin-1"))

    def snippet(module):
        with pytest.raises(UnicodeDecodeError) as caught:
            build(module).evaluate_word_analogies(str(path))
        return caught.value.start

    theirs, ours = both(snippet)
    assert ours > 0 and theirs >= 0
    with pytest.raises(w2v.errors.FormatError, match=r"q\.txt: line 3: not valid utf-8"):
        build(w2v.vectors).evaluate_word_analogies(str(path))


def test_init_sims_and_save_with_gensims_arguments(tmp_path):
    import io

    def snippet(module):
        kv = build(module)
        kv.init_sims()
        before = kv.vectors.copy()
        kv.save(str(tmp_path / f"{module.__name__}.kv"), sep_limit=1024, ignore=frozenset(), pickle_protocol=4)
        again = module.KeyedVectors.load(str(tmp_path / f"{module.__name__}.kv"))
        kv.init_sims(replace=True)
        return before, again.vectors, np.linalg.norm(kv.vectors, axis=1)

    theirs, ours = both(snippet)
    np.testing.assert_array_equal(ours[0], theirs[0])
    np.testing.assert_array_equal(ours[1], ours[0])
    np.testing.assert_allclose(ours[2], 1, rtol=1e-6)
    buffer = io.BytesIO()
    build(w2v.vectors).save(buffer)
    (tmp_path / "from-buffer.kv").write_bytes(buffer.getvalue())
    np.testing.assert_array_equal(w2v.vectors.KeyedVectors.load(tmp_path / "from-buffer.kv").vectors, ours[0])


def test_parameter_names_and_order_are_gensims():
    """Every public KeyedVectors method of gensim exists in w2v with gensim's parameters first, in
    gensim's order and with gensim's names (so positional and keyword calls both work); any extra
    parameter of w2v's has a default."""
    import inspect

    checked = 0
    for name, theirs in inspect.getmembers(gensim_kv.KeyedVectors, callable):
        if name.startswith("_") and name not in ("__init__", "__getitem__", "__contains__", "__setitem__"):
            continue
        ours = getattr(w2v.vectors.KeyedVectors, name, None)
        assert ours is not None, f"KeyedVectors.{name} is missing"
        try:
            their_params = list(inspect.signature(theirs).parameters)
        except (TypeError, ValueError):
            continue
        if their_params[-2:] == ["args", "kwargs"]:
            continue          # gensim passes everything on (save, word_vec)
        our_params = inspect.signature(ours).parameters
        assert list(our_params)[:len(their_params)] == their_params, name
        assert all(p.default is not inspect.Parameter.empty for p in list(our_params.values())[len(their_params):]), name
        checked += 1
    assert checked > 40
