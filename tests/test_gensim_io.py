"""gensim's saved models and vectors (pickles plus .npy side files) read by w2v, without gensim
and without running anything a pickle asks for."""
import logging
import os
import pickle
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

import w2v
from w2v import gensim_io
from w2v.cli import main
from w2v.errors import FormatError

gensim = pytest.importorskip("gensim")
from gensim.models import KeyedVectors as GKeyedVectors  # noqa: E402
from gensim.models import Word2Vec as GWord2Vec  # noqa: E402

GENSIM_DATA = Path(gensim.__file__).parent / "test" / "test_data"

SENTENCES = [["the", "king", "rules", "the", "land"], ["the", "queen", "rules", "the", "sea"],
             ["a", "man", "and", "a", "woman", "walk"], ["the", "king", "and", "the", "queen", "walk"]] * 30


def _gensim_model(tmp_path, name="g.model", sep_limit=10 * 1024 ** 2, **params):
    settings = dict(vector_size=16, min_count=1, epochs=3, seed=3, workers=1)
    settings.update(params)
    model = GWord2Vec(SENTENCES, **settings)
    path = tmp_path / name
    model.save(str(path), sep_limit=sep_limit)
    return model, path


def _same_vectors(gensim_kv, kv):
    assert kv.index_to_key == gensim_kv.index_to_key
    np.testing.assert_array_equal(kv.vectors, gensim_kv.vectors)


# ---------------------------------------------------------------------------------------------
# models saved by the installed gensim (4.x)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("params", [dict(sg=0, negative=5, hs=0), dict(sg=1, negative=0, hs=1),
                                    dict(sg=1, negative=3, hs=1, window=2, sample=0, ns_exponent=0.5)])
def test_gensim4_model_keeps_vocabulary_vectors_and_training_state(tmp_path, params):
    g, path = _gensim_model(tmp_path, **params)
    m = w2v.Word2Vec.load(path)
    _same_vectors(g.wv, m.wv)
    assert list(m.wv.counts) == [g.wv.get_vecattr(w, "count") for w in g.wv.index_to_key]
    for name in ("syn1neg", "syn1"):
        if getattr(g, name, None) is not None and len(getattr(g, name)):
            np.testing.assert_array_equal(getattr(m, name), getattr(g, name))
        else:
            assert getattr(m, name) is None
    for name in ("vector_size", "sg", "hs", "negative", "window", "alpha", "min_alpha", "sample", "ns_exponent",
                 "cbow_mean", "epochs", "seed", "min_count"):
        assert getattr(m, name) == getattr(g, name), name
    assert (m.corpus_count, m.corpus_total_words) == (g.corpus_count, g.corpus_total_words)


def test_training_continues_after_loading_a_gensim_model(tmp_path):
    g, path = _gensim_model(tmp_path, sg=1, negative=5)
    m = w2v.Word2Vec.load(path)
    before = m.wv.vectors.copy()
    m.train(SENTENCES, total_examples=len(SENTENCES), epochs=2)
    assert not np.array_equal(m.wv.vectors, before)
    # gensim continues training the same model from the same state: both move the same words,
    # and the vectors of both stay close to where they started (a continuation, not a restart)
    g.train(SENTENCES, total_examples=len(SENTENCES), epochs=2)
    moved_w2v = np.linalg.norm(m.wv.vectors - before, axis=1)
    moved_gensim = np.linalg.norm(g.wv.vectors - before, axis=1)
    assert np.all(moved_w2v > 0) and np.all(moved_gensim > 0)
    restart = np.linalg.norm(w2v.Word2Vec(SENTENCES, vector_size=16, min_count=1, epochs=2, seed=99,
                                          sg=1).wv.vectors[:5] - before[:5], axis=1)
    assert moved_w2v.mean() < restart.mean()
    # and the model saves natively and loads back as it is
    m.save(tmp_path / "continued.w2v")
    np.testing.assert_array_equal(w2v.Word2Vec.load(tmp_path / "continued.w2v").wv.vectors, m.wv.vectors)


def test_side_files_are_read_and_memory_mapped_when_asked(tmp_path):
    g, path = _gensim_model(tmp_path, sep_limit=0)
    assert (tmp_path / "g.model.wv.vectors.npy").exists() and (tmp_path / "g.model.syn1neg.npy").exists()
    m = w2v.Word2Vec.load(path)
    _same_vectors(g.wv, m.wv)
    np.testing.assert_array_equal(m.syn1neg, g.syn1neg)
    mapped = w2v.load(path, mmap="r")
    assert isinstance(mapped.vectors, np.memmap)
    _same_vectors(g.wv, mapped)
    os.unlink(tmp_path / "g.model.wv.vectors.npy")
    with pytest.raises(FormatError, match=r"g.model.wv.vectors.npy, which is missing"):
        w2v.load(path)


def test_gensim4_keyed_vectors_and_compressed_saves(tmp_path):
    g, _ = _gensim_model(tmp_path)
    g.wv.save(str(tmp_path / "vectors.kv"))
    g.wv.save(str(tmp_path / "vectors.kv.gz"), sep_limit=0)   # compressed: .npz side files
    for name in ("vectors.kv", "vectors.kv.gz"):
        kv = w2v.KeyedVectors.load(tmp_path / name)
        _same_vectors(g.wv, kv)
        ours, theirs = kv.most_similar("king", topn=3), g.wv.most_similar("king", topn=3)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        assert [s for _, s in ours] == pytest.approx([s for _, s in theirs], abs=1e-6)
        _same_vectors(g.wv, w2v.load(tmp_path / name))


def test_gensim_files_load_without_gensim_installed(tmp_path):
    g, path = _gensim_model(tmp_path, sep_limit=0, hs=1)
    g.wv.save(str(tmp_path / "vectors.kv"))
    np.save(tmp_path / "expected.npy", g.wv.vectors)
    script = textwrap.dedent("""
        import sys
        class NoGensim:
            def find_spec(self, name, path=None, target=None):
                if name == "gensim" or name.startswith("gensim."):
                    raise ImportError("gensim is blocked in this test")
        sys.meta_path.insert(0, NoGensim())
        import numpy as np
        import w2v
        directory = sys.argv[1]
        expected = np.load(directory + "/expected.npy")
        model = w2v.Word2Vec.load(directory + "/g.model")
        assert np.array_equal(model.wv.vectors, expected)
        assert np.array_equal(w2v.load(directory + "/vectors.kv").vectors, expected)
        model.train([["the", "king", "rules"]] * 20, total_examples=20, epochs=1)
        assert "gensim" not in sys.modules
        print("ok", len(model.wv))
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", str(len(g.wv))]


# ---------------------------------------------------------------------------------------------
# gensim's own old models (its test data, as installed), 0.12 to 3.8
# ---------------------------------------------------------------------------------------------
OLD_FILES = [  # (file, layout w2v reports, full model?)
    ("word2vec_3.3", "3.3-3.8", True),
    ("model-from-gensim-3.8.0.w2v", "3.3-3.8", True),
    ("old_w2v_models/w2v_3.4.0.mdl", "3.3-3.8", True),
    ("old_w2v_models/w2v_2.0.0.mdl", "1.0-3.2", True),
    ("old_w2v_models/w2v_1.0.0.mdl", "1.0-3.2", True),
    ("word2vec_old", "1.0-3.2", True),
    ("word2vec_old_sep", "1.0-3.2", True),          # with .npy side files
    ("old_keyedvectors_320.dat", "1.0-3.2", False),
]


def _old(name):
    path = GENSIM_DATA / name
    if not path.exists():
        pytest.skip(f"gensim's test data has no {name}")
    return path


@pytest.mark.parametrize("name, layout, full", OLD_FILES)
def test_old_gensim_files_match_what_gensim_reads(name, layout, full):
    path = _old(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.CRITICAL)
        try:
            g = GWord2Vec.load(str(path)) if full else GKeyedVectors.load(str(path))
        finally:
            logging.disable(logging.NOTSET)
    gv = g.wv if full else g
    kind, meta, _ = gensim_io.read(path)
    assert (kind, meta["gensim"]["layout"]) == ("model" if full else "vectors", layout)
    kv = w2v.load(path)
    _same_vectors(gv, kv)
    assert list(kv.counts) == [gv.get_vecattr(w, "count") for w in gv.index_to_key]
    if full:
        m = w2v.Word2Vec.load(path)
        for name_ in ("syn1neg", "syn1"):
            theirs = getattr(g, name_, None)
            if theirs is not None and len(theirs):
                np.testing.assert_array_equal(getattr(m, name_), theirs)
        assert (m.sg, m.hs, m.negative, m.window, m.epochs) == (g.sg, g.hs, g.negative, g.window, g.epochs)


@pytest.mark.parametrize("name", ["word2vec_pre_kv_py3", "word2vec_pre_kv_py2", "word2vec_pre_kv_sep_py3",
                                  "old_w2v_models/w2v_0.12.0.mdl", "w2v-lee-v0.12.0"])
def test_pre_keyedvectors_models_that_gensim4_cannot_read(name):
    """gensim 0.12-0.13 kept syn0 and vocab on the model; gensim 4 fails on these, w2v reads them."""
    path = _old(name)
    m = w2v.Word2Vec.load(path)
    assert gensim_io.read(path)[1]["gensim"]["layout"] == "0.12-0.13"
    assert len(m.wv) == len(m.wv.vectors) > 0 and np.all(m.wv.counts > 0)
    if name == "word2vec_pre_kv_sep_py3":   # the vectors came from the side file
        np.testing.assert_array_equal(m.wv.vectors, np.load(str(path) + ".syn0.npy"))
    words = m.wv.index_to_key
    m.train([words * 3] * 10, total_examples=10, epochs=1)


# ---------------------------------------------------------------------------------------------
# pickles that try to run code
# ---------------------------------------------------------------------------------------------
class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_pickle_that_runs_code_is_refused(tmp_path, capsys):
    marker = tmp_path / "ran"
    path = tmp_path / "evil.model"
    path.write_bytes(pickle.dumps({"wv": _Evil(marker)}, protocol=2))
    with pytest.raises(FormatError, match=r"refusing to run code from .*evil.model: the pickle asks for posix.system"):
        w2v.Word2Vec.load(path)
    with pytest.raises(FormatError, match="refusing to run code"):
        w2v.load(path)
    assert main(["convert", str(path), str(tmp_path / "out.bin")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("w2v: error: refusing to run code from") and err.count("\n") == 1
    assert not marker.exists()


def test_code_hidden_inside_a_gensim_model_is_refused(tmp_path):
    """A real gensim file with one attribute replaced by a call to os.system."""
    g, _ = _gensim_model(tmp_path)
    marker = tmp_path / "ran"
    g.comment = _Evil(marker)
    g.save(str(tmp_path / "tampered.model"))
    with pytest.raises(FormatError, match="refusing to run code"):
        w2v.Word2Vec.load(tmp_path / "tampered.model")
    assert not marker.exists()


def test_persistent_ids_and_object_arrays_are_refused(tmp_path):
    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return "x" if obj == "secret" else None

    path = tmp_path / "pid.model"
    with open(path, "wb") as out:
        Pickler(out, protocol=2).dump({"a": "secret"})
    with pytest.raises(FormatError, match="persistent ids"):
        gensim_io.unpickle(path)
    g, model = _gensim_model(tmp_path, sep_limit=0)
    np.save(str(model) + ".wv.vectors.npy", np.array([object()] * 3), allow_pickle=True)
    with pytest.raises(FormatError, match="refusing to run code from .*wv.vectors.npy"):
        w2v.load(model)


def test_other_gensim_models_are_named_not_loaded():
    path = _old("lda_3_0_1_model")
    with pytest.raises(FormatError, match="a gensim LdaModel file .*reads gensim's Word2Vec and KeyedVectors files only"):
        w2v.load(path)


# ---------------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------------
def test_cli_convert_and_info_on_a_gensim_model(tmp_path, capsys):
    g, path = _gensim_model(tmp_path, sep_limit=0)
    assert main(["convert", str(path), str(tmp_path / "vectors.bin")]) == 0
    assert capsys.readouterr().out == (f"wrote {len(g.wv)} vectors x 16 dimensions from gensim to "
                                       f"{tmp_path / 'vectors.bin'} (word2vec-binary)\n")
    _same_vectors(g.wv, w2v.load(tmp_path / "vectors.bin"))
    assert main(["info", str(path)]) == 0
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert lines["format"] == "gensim" and lines["gensim_class"] == "Word2Vec" and lines["gensim_layout"] == "4.x"
    assert lines["side_files"].split() == ["g.model.syn1neg.npy", "g.model.wv.vectors.npy",
                                           "g.model.wv.vectors_lockf.npy"]
    assert lines["training_state"] == "kept"
