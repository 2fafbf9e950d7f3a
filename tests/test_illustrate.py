"""The article's pictures and tables: content checks on small hand-built vectors and tiny models."""
import re
import sys
import types

import numpy as np
import pytest

from w2v.errors import W2VError
from w2v.illustrate import (ARTICLE_SENTENCE, Noise, analogy_rows, format_table, pairs_table, place_labels,
                            plot_analogy, plot_map, plot_rows, positive_samples, project, softmax_step_tables,
                            step_tables, terminal_rows, tokenize)
from w2v.illustrate.colors import to_rgb255
from w2v.kernels import reference
from w2v.vectors import KeyedVectors
from w2v.vocab import noise_probabilities

ARTICLE_TOKENS = ARTICLE_SENTENCE.lower().split()


def make_kv(mapping, counts=None):
    words = list(mapping)
    vectors = np.array([mapping[w] for w in words], dtype=np.float32)
    return KeyedVectors(vectors.shape[1]).set_vectors(words, vectors, counts)


def fake_model(n=8, d=5, seed=0, ns_exponent=0.75, alpha=0.05):
    """An object with what `step_tables` reads from a Word2Vec: wv (with counts), syn1neg, alpha, ns_exponent."""
    rng = np.random.default_rng(seed)
    words = ["thou", "not", "shalt", "make", "aaron", "taco", "machine", "mind"][:n]
    kv = KeyedVectors(d).set_vectors(words, rng.normal(0, 0.5, (n, d)).astype(np.float32),
                                     counts=np.arange(n, 0, -1) * 10)
    return types.SimpleNamespace(wv=kv, syn1neg=rng.normal(0, 0.5, (n, d)).astype(np.float32),
                                 ns_exponent=ns_exponent, alpha=alpha)


# -- the training-sample tables ---------------------------------------------------------------

def test_skipgram_pairs_table_is_the_articles():
    table = pairs_table(ARTICLE_SENTENCE, window=2)
    rows = list(table.itertuples(index=False, name=None))
    assert list(table.columns) == ["input word", "output word"]
    assert rows[:2] == [("thou", "shalt"), ("thou", "not")]
    assert rows[5:9] == [("not", "thou"), ("not", "shalt"), ("not", "make"), ("not", "a")]
    assert rows == reference.skipgram_pairs(ARTICLE_TOKENS, 2)
    # 13 words, window 2: the edges lose neighbours (2 + 3 + 9 × 4 + 3 + 2)
    assert len(rows) == 46
    assert rows[-1] == ("mind", "human")


def test_cbow_table_puts_each_context_word_at_its_offset():
    table = pairs_table(ARTICLE_SENTENCE, window=2, mode="cbow")
    assert list(table.columns) == ["context -2", "context -1", "context +1", "context +2", "output word"]
    assert len(table) == 13
    first = table.iloc[0].tolist()
    assert first == ["", "", "shalt", "not", "thou"]
    row = table[table["output word"] == "not"].iloc[0].tolist()
    assert row == ["thou", "shalt", "make", "a", "not"]
    last = table.iloc[-1].tolist()
    assert last == ["a", "human", "", "", "mind"]


def test_lm_table_two_words_predict_the_third():
    table = pairs_table(ARTICLE_SENTENCE, window=2, mode="lm")
    rows = list(table.itertuples(index=False, name=None))
    assert list(table.columns) == ["input 1", "input 2", "output word"]
    assert rows[0] == ("thou", "shalt", "not")
    assert rows[1] == ("shalt", "not", "make")
    assert rows[-1] == ("a", "human", "mind")
    assert len(rows) == 11


def test_tokenize_matches_the_packaged_corpus_style():
    assert tokenize("Thou shalt NOT make, a machine!") == ["thou", "shalt", "not", "make", "a", "machine"]
    assert tokenize("Thou shalt", lowercase=False) == ["Thou", "shalt"]
    with pytest.raises(W2VError):
        tokenize(" ... ")
    with pytest.raises(W2VError, match="window"):
        positive_samples(["a", "b"], window=0)


def test_negative_samples_follow_each_positive_with_target_zero():
    kv = make_kv({w: [0.0, 1.0] for w in ["the", "of", "thou", "aaron", "taco", "not"]},
                 counts=[500, 300, 20, 3, 2, 40])
    table = pairs_table(ARTICLE_SENTENCE, window=2, negative=3, noise=kv, seed=7)
    assert list(table.columns) == ["input word", "output word", "target"]
    positives = table[table["target"] == 1]
    assert list(positives.itertuples(index=False, name=None)) == [
        (a, b, 1) for a, b in reference.skipgram_pairs(ARTICLE_TOKENS, 2)]
    assert len(table) == 46 * 4
    targets = table["target"].tolist()
    assert targets == [1, 0, 0, 0] * 46
    vocab = set(kv.index_to_key)
    for k in range(0, len(table), 4):
        block = table.iloc[k:k + 4]
        assert block["input word"].nunique() == 1
        negatives = block["output word"].iloc[1:]
        assert set(negatives) <= vocab
        assert block["output word"].iloc[0] not in set(negatives)
    # same seed, same table; another seed, other negatives
    assert pairs_table(ARTICLE_SENTENCE, negative=3, noise=kv, seed=7).equals(table)
    assert not pairs_table(ARTICLE_SENTENCE, negative=3, noise=kv, seed=8).equals(table)


def test_negatives_are_drawn_from_the_noise_distribution():
    counts = np.array([1000, 200, 50, 5])
    noise = Noise(["a", "b", "c", "d"], counts, exponent=0.75)
    np.testing.assert_allclose(noise.probabilities, noise_probabilities(counts, 0.75))
    draws = noise.draw(np.random.default_rng(0), 40_000)
    freq = np.array([draws.count(w) for w in "abcd"]) / len(draws)
    np.testing.assert_allclose(freq, noise.probabilities, atol=0.01)
    # the positive word is never drawn as its own negative
    assert "a" not in noise.draw(np.random.default_rng(1), 500, exclude=("a",))
    # words of zero probability cannot stand in: excluding the only drawable word is an error, not a hang
    with pytest.raises(W2VError, match="no word left"):
        Noise(["a", "b", "c"], [5, 0, 0]).draw(np.random.default_rng(0), 2, exclude=("a",))


def test_noise_of_a_model_uses_its_counts_and_exponent():
    model = fake_model(ns_exponent=0.5)
    noise = Noise.from_model(model)
    assert noise.exponent == 0.5
    np.testing.assert_allclose(noise.probabilities, noise_probabilities(model.wv.counts, 0.5))
    bare = make_kv({"a": [1.0], "b": [2.0]})  # vectors without counts
    with pytest.raises(W2VError, match="no word counts"):
        Noise.from_model(bare)
    with pytest.raises(W2VError, match="model or a corpus"):
        pairs_table(ARTICLE_SENTENCE, negative=2)


def test_noise_of_a_corpus_counts_its_words(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("the cat sat on the mat\nthe dog sat\nrare\n")
    noise = Noise.from_corpus(corpus, min_count=2)
    assert dict(zip(noise.words, noise.counts.tolist())) == {"the": 3, "sat": 2}
    np.testing.assert_allclose(noise.probabilities, noise_probabilities([3, 2]))


def test_format_table_aligns_words_left_and_numbers_right():
    text = format_table(pairs_table("a b c", window=1, negative=1, noise=Noise(["x", "y"], [1, 1])))
    lines = text.splitlines()
    assert lines[0].split() == ["input", "word", "output", "word", "target"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert lines[2].startswith("a ") and lines[2].endswith("1")


# -- one training step --------------------------------------------------------------------------

def test_step_tables_are_the_reference_kernel_update():
    model = fake_model()
    syn0_before, syn1_before = model.wv.vectors.copy(), model.syn1neg.copy()
    result = step_tables(model, "not", "thou", negatives=["aaron", "taco"], alpha=0.05)

    # the same update, run directly on copies
    syn0, syn1 = syn0_before.copy(), syn1_before.copy()
    idx = model.wv.key_to_index
    expected = reference.sgns_update(syn0, syn1, [idx["not"]], idx["thou"], [idx["aaron"], idx["taco"]], 0.05)

    table = result.table
    assert list(table["input word"]) == ["not"] * 3
    assert list(table["output word"]) == ["thou", "aaron", "taco"]
    assert list(table["target"]) == [1, 0, 0]
    np.testing.assert_allclose(table["input \u00b7 output"], expected["dot"][0], rtol=1e-6)
    np.testing.assert_allclose(table["sigmoid()"], expected["sigmoid"][0], rtol=1e-6)
    np.testing.assert_allclose(table["error"], expected["error"][0], rtol=1e-6)
    # the article's arithmetic holds row by row
    np.testing.assert_allclose(table["sigmoid()"], 1 / (1 + np.exp(-table["input \u00b7 output"])), rtol=1e-6)
    np.testing.assert_allclose(table["error"], table["target"] - table["sigmoid()"], rtol=1e-6)
    assert result.loss == pytest.approx(expected["loss"])

    rows = [idx["thou"], idx["aaron"], idx["taco"]]
    np.testing.assert_array_equal(result.input_before, syn0_before[idx["not"]])
    np.testing.assert_array_equal(result.input_after, syn0[idx["not"]])
    np.testing.assert_array_equal(result.context_before, syn1_before[rows])
    np.testing.assert_array_equal(result.context_after, syn1[rows])
    # the model itself is untouched
    np.testing.assert_array_equal(model.wv.vectors, syn0_before)
    np.testing.assert_array_equal(model.syn1neg, syn1_before)
    # "after" is the reference's forward pass on the updated rows, and a small step lowers the loss
    np.testing.assert_allclose(table["sigmoid() after"],
                               reference.sigmoid(syn0[idx["not"]].astype(float) @ syn1[rows].astype(float).T),
                               rtol=1e-6)
    assert result.loss_after < result.loss


def test_step_with_a_repeated_negative_matches_the_full_matrices():
    model = fake_model()
    idx = model.wv.key_to_index
    syn0, syn1 = model.wv.vectors.copy(), model.syn1neg.copy()
    reference.sgns_update(syn0, syn1, [idx["mind"]], idx["thou"], [idx["taco"], idx["taco"], idx["mind"]], 0.2)
    result = step_tables(model, "mind", "thou", negatives=["taco", "taco", "mind"], alpha=0.2)
    np.testing.assert_allclose(result.input_after, syn0[idx["mind"]], rtol=1e-6)
    np.testing.assert_allclose(result.context_after, syn1[[idx["thou"], idx["taco"], idx["taco"], idx["mind"]]],
                               rtol=1e-6)


def test_step_draws_negatives_from_the_model_and_prints_tables():
    model = fake_model()
    result = step_tables(model, "not", "thou", negative=2, seed=3)
    assert result.alpha == model.alpha
    assert len(result.output_words) == 3 and "thou" not in result.output_words[1:]
    again = step_tables(model, "not", "thou", negative=2, seed=3)
    assert again.output_words == result.output_words
    text = result.to_text(dims=3)
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("input word"))
    assert lines[header].split()[:5] == ["input", "word", "output", "word", "target"]
    first = lines[header + 2].split()
    assert first[:3] == ["not", "thou", "1"]
    assert float(first[3]) == pytest.approx(result.table["input \u00b7 output"][0], abs=1e-4)
    assert "first 3 of 5 dimensions" in text
    assert "drawn from the noise distribution of m.w2v" in step_tables(model, "not", "thou", source="m.w2v").to_text()
    assert "given by name" in step_tables(model, "not", "thou", negatives=["taco"], source="m.w2v").to_text()
    rows = result.rows_table(dims=3)
    assert list(rows.columns) == ["matrix", "word", "", "d0", "d1", "d2", "\u2026"]
    assert rows.iloc[1][["d0", "d1", "d2"]].tolist() == pytest.approx(result.input_after[:3].tolist())


def test_step_errors_name_the_problem():
    model = fake_model()
    with pytest.raises(KeyError, match="'nothing'"):
        step_tables(model, "nothing", "thou", negatives=[])
    bare = types.SimpleNamespace(wv=model.wv, syn1neg=None)
    with pytest.raises(W2VError, match="syn1neg"):
        step_tables(bare, "not", "thou")


# -- colour rows --------------------------------------------------------------------------------

def _cell_pixel(fig, image, col, row):
    """RGB (0–255) at the centre of cell (col, row) of the rows picture, read from the saved image."""
    ax = fig.axes[0]
    x, y = ax.transData.transform((col, row))
    height = image.shape[0]
    return np.rint(image[int(round(height - y)), int(round(x)), :3] * 255).astype(int)


def test_png_cells_have_the_diverging_colours(tmp_path):
    from matplotlib.image import imread

    kv = make_kv({"plus": [2.0, 2.0, 0.0, -2.0], "minus": [-2.0, 5.0, 0.0, -9.0]})
    path = tmp_path / "rows.png"
    fig = plot_rows(kv, ["plus", "minus"], path=path)
    image = imread(path)
    red, white, blue = to_rgb255([2.0, 0.0, -2.0])
    for col, row, want in [(0, 0, red), (1, 0, red), (2, 0, white), (3, 0, blue),
                           (0, 1, blue), (1, 1, red), (2, 1, white), (3, 1, blue)]:  # ±5, ±9 clip at ±2
        got = _cell_pixel(fig, image, col, row)
        assert np.abs(got - want).max() <= 3, (col, row, got, want)
    assert red[0] > 180 and red[1] < 80 and red[2] < 80
    assert blue[2] > 180 and blue[0] < 80
    assert white.tolist() == [255, 255, 255]


def test_png_half_values_are_lighter_than_the_ends(tmp_path):
    from matplotlib.image import imread

    path = tmp_path / "rows.png"
    fig = plot_rows(np.array([[1.0, -1.0]]), ["w"], path=path, numbers=False)
    image = imread(path)
    pink, light_blue = _cell_pixel(fig, image, 0, 0), _cell_pixel(fig, image, 1, 0)
    assert pink[0] > 220 and 120 < pink[1] < 180      # halfway between white and red
    assert light_blue[2] > 220 and 130 < light_blue[0] < 180


def test_svg_keeps_words_as_text_and_cells_as_coloured_shapes(tmp_path):
    path = tmp_path / "rows.svg"
    plot_rows({"king": [2.0, -2.0, 0.5], "queen": [0.0, 1.0, -1.0]}, path=path, numbers=True)
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert ">king<" in svg and ">queen<" in svg
    assert "#cc2626" in svg and "#2966cc" in svg  # the +2 and −2 cells
    assert ">2.00<" in svg and ">-2.00<" in svg


def test_rows_work_for_many_dimensions_and_reject_unknown_words(tmp_path):
    rng = np.random.default_rng(0)
    kv = make_kv({w: rng.normal(size=300) for w in ["a", "b", "c"]})
    fig = plot_rows(kv, ["a", "b", "c"], path=tmp_path / "wide.png")
    assert fig.get_size_inches()[0] < 20
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b", "c"]
    fig = plot_rows(kv, ["a", "b"], dims=10)
    assert fig.axes[0].get_xlim() == (-0.5, 9.5)
    assert fig.axes[0].get_xlabel() == "dimension (first 10 of 300)"
    assert len(re.findall(r"\x1b\[48;2", terminal_rows(kv, ["a"], dims=7, legend=False))) == 7
    with pytest.raises(KeyError, match="'zzz', 'yyy'"):
        plot_rows(kv, ["a", "zzz", "yyy"])
    huge = make_kv({w: rng.normal(size=1300) for w in ["a", "b"]})
    ticks = plot_rows(huge, ["a", "b"]).axes[0].get_xticks()
    assert 10 <= len(ticks) <= 13 and ticks[0] == 0
    with pytest.raises(W2VError, match="picture format"):
        plot_rows(kv, ["a"], path=tmp_path / "rows.bmpx")


def test_terminal_rows_use_24_bit_colours():
    text = terminal_rows({"king": [2.0, 0.0, -2.0], "man": [0.5, -0.5, 1.0]}, width=80)
    lines = text.splitlines()
    assert lines[0].split()[0] == "king" and lines[1].split()[0] == "man"
    king = lines[0]
    cells = re.findall(r"\x1b\[48;2;(\d+);(\d+);(\d+)m", king)
    assert [tuple(map(int, c)) for c in cells] == [tuple(c) for c in to_rgb255([2.0, 0.0, -2.0]).tolist()]
    assert king.endswith("\x1b[0m")
    assert "\u22122" in lines[-1] and "+2" in lines[-1]  # the legend


def test_terminal_rows_wrap_long_vectors_and_print_numbers():
    vectors = {"a": np.linspace(-2, 2, 100), "bb": np.zeros(100)}
    text = terminal_rows(vectors, width=40, legend=False)
    blocks = [line for line in text.splitlines() if line.strip().startswith("dimensions")]
    assert blocks[0].strip() == "dimensions 0\u201336"
    assert len(blocks) == 3
    per_row = [len(re.findall(r"\x1b\[48;2", line)) for line in text.splitlines() if line.lstrip().startswith("a ")]
    assert sum(per_row) == 100
    numbers = terminal_rows({"king": [0.50451, -0.59517]}, numbers=True, legend=False, width=80)
    assert numbers.splitlines()[-1] == "[ 0.50451 , -0.59517 ]"


# -- analogy picture --------------------------------------------------------------------------

@pytest.fixture
def royal_kv():
    # dimensions: royalty, maleness, noise
    return make_kv({
        "king": [1.8, 1.5, 0.1], "queen": [1.8, -1.5, 0.2], "man": [0.1, 1.6, 0.0],
        "woman": [0.1, -1.4, 0.1], "boy": [0.0, 1.0, -1.2], "water": [-1.5, 0.0, 1.5],
    })


def test_analogy_rows_show_inputs_sum_and_answer(royal_kv, tmp_path):
    labels, matrix, ranked = analogy_rows(royal_kv, positive=["king", "woman"], negative=["man"])
    assert labels[:4] == ["king", "\u2212 man", "+ woman", "= king \u2212 man + woman"]
    assert ranked[0][0] == "queen"
    assert labels[4] == f"queen  (cos {ranked[0][1]:.2f})"
    np.testing.assert_allclose(matrix[3], royal_kv["king"] - royal_kv["man"] + royal_kv["woman"], rtol=1e-6)
    np.testing.assert_allclose(matrix[4], royal_kv["queen"])
    assert ranked == royal_kv.most_similar(positive=["king", "woman"], negative=["man"], topn=1)

    fig = plot_analogy(royal_kv, positive=["king", "woman"], negative=["man"], path=tmp_path / "analogy.png")
    assert (tmp_path / "analogy.png").stat().st_size > 1000
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels


def test_analogy_leaves_the_input_words_out(royal_kv):
    # king − man + man ≈ king, but king is an input: the answer must be another word
    _, _, ranked = analogy_rows(royal_kv, positive=["king", "man"], negative=["man"], topn=3)
    assert "king" not in [w for w, _ in ranked] and "man" not in [w for w, _ in ranked]
    with pytest.raises(KeyError, match="'prince'"):
        analogy_rows(royal_kv, positive=["prince"], negative=["man"])


# -- 2-D maps ---------------------------------------------------------------------------------------

def test_pca_recovers_a_plane_hidden_in_many_dimensions():
    rng = np.random.default_rng(0)
    plane = rng.normal(size=(30, 2)) * [3.0, 1.0]
    basis = np.linalg.qr(rng.normal(size=(20, 2)))[0]  # orthonormal 20×2
    coords, names = project(plane @ basis.T, method="pca", normalize=False)
    # distances are preserved: the projection is the plane up to rotation and reflection
    def dist(x):
        return np.linalg.norm(x[:, None] - x[None], axis=2)
    np.testing.assert_allclose(dist(coords), dist(plane - plane.mean(0)), atol=1e-9)
    assert names[0].startswith("PC1 (") and "100%" not in names[0]
    again, _ = project(plane @ basis.T, method="pca", normalize=False)
    np.testing.assert_array_equal(coords, again)


def test_place_labels_separates_labels_stacked_on_one_point():
    anchors = np.zeros((6, 2)) + 200
    sizes = np.tile([40.0, 12.0], (6, 1))
    centres = place_labels(anchors, sizes, (0, 0, 600, 400))
    half = sizes / 2
    for i in range(6):
        for j in range(i + 1, 6):
            gap = np.abs(centres[i] - centres[j]) - (half[i] + half[j])
            assert (gap >= 0).any(), (i, j)
    assert (centres >= half).all() and (centres[:, 0] <= 600 - half[:, 0]).all()


def test_map_draws_words_and_arrows(royal_kv, tmp_path):
    fig = plot_map(royal_kv, words=["king", "man", "boy", "water"], arrows=["man:woman", ("king", "queen")],
                   path=tmp_path / "map.png")
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["king", "man", "boy", "water", "woman", "queen"])
    assert len([p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]) == 2
    assert (tmp_path / "map.png").stat().st_size > 1000
    fig = plot_map(royal_kv, top=4, path=tmp_path / "map.svg")
    assert len(fig.axes[0].texts) == 4
    assert "<svg" in (tmp_path / "map.svg").read_text()
    with pytest.raises(KeyError, match="'prince'"):
        plot_map(royal_kv, words=["king", "man", "boy"], arrows=["king:prince"])
    with pytest.raises(W2VError, match="FROM:TO"):
        plot_map(royal_kv, words=["king", "man", "boy"], arrows=["kingqueen"])


def test_optional_projections_say_how_to_install(royal_kv, monkeypatch):
    for method, module, hint in (("tsne", "sklearn.manifold", "w2v[tsne]"), ("umap", "umap", "w2v[umap]")):
        with monkeypatch.context() as patch:
            patch.setitem(sys.modules, module, None)  # as if the extra were not installed
            with pytest.raises(W2VError, match=re.escape(f"pip install {hint}")):
                plot_map(royal_kv, top=6, method=method)


@pytest.mark.parametrize("method, module", [("tsne", "sklearn"), ("umap", "umap")])
def test_optional_projections_when_installed(royal_kv, method, module):
    pytest.importorskip(module, reason=f"{module} (optional extra) is not installed")
    fig = plot_map(royal_kv, top=6, method=method)
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(royal_kv.index_to_key)
    coords = fig.axes[0].collections[0].get_offsets()
    assert coords.shape == (6, 2) and np.isfinite(coords).all()


# -- personality vectors (the article's opening example) --------------------------------------

def test_personality_similarities_of_the_article():
    from w2v import cosine_similarity

    jay2, p1_2, p2_2 = [-0.4, 0.8], [-0.3, 0.2], [-0.5, -0.4]
    assert round(cosine_similarity(jay2, p1_2), 2) == 0.87
    # The article prints −0.20 for −0.2095…; it is −0.21 rounded.
    assert cosine_similarity(jay2, p2_2) == pytest.approx(-0.20, abs=0.01)
    jay5 = [-0.4, 0.8, 0.5, -0.2, 0.3]
    p1_5 = [-0.3, 0.2, 0.3, -0.4, 0.9]
    p2_5 = [-0.5, -0.4, -0.2, 0.7, -0.1]
    assert round(cosine_similarity(jay5, p1_5), 2) == 0.66
    assert round(cosine_similarity(jay5, p2_5), 2) == -0.37


def test_pictures_do_not_start_numba(tmp_path):
    """Drawing vectors needs no compiled kernels; numba's start-up would slow every `w2v show`."""
    import subprocess

    code = ("import sys, numpy as np, w2v, w2v.illustrate as ill\n"
            "kv = w2v.KeyedVectors(3).set_vectors(['a', 'b', 'c'], np.eye(3, dtype=np.float32))\n"
            "ill.plot_rows(kv, ['a', 'b'], path=sys.argv[1]); ill.terminal_rows(kv, ['a'])\n"
            "print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "r.png")], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


# -- one full-softmax step (the article's step before negative sampling) -----------------------------

def fake_softmax_model(n=8, d=5, seed=1, alpha=0.05):
    """An object with what `softmax_step_tables` reads from a Word2Vec trained with softmax=1."""
    rng = np.random.default_rng(seed)
    words = ["thou", "not", "shalt", "make", "aaron", "taco", "machine", "mind"][:n]
    kv = KeyedVectors(d).set_vectors(words, rng.normal(0, 0.5, (n, d)).astype(np.float32),
                                     counts=np.arange(n, 0, -1) * 10)
    return types.SimpleNamespace(wv=kv, syn1softmax=rng.normal(0, 0.8, (n, d)).astype(np.float32), alpha=alpha,
                                 negative=0, hs=0)


def test_softmax_step_tables_are_the_reference_kernel_update():
    model = fake_softmax_model()
    syn0_before, syn1_before = model.wv.vectors.copy(), model.syn1softmax.copy()
    result = softmax_step_tables(model, "not", "thou", alpha=0.5, top=3)

    syn0, syn1 = syn0_before.copy(), syn1_before.copy()
    idx = model.wv.key_to_index
    expected = reference.sg_softmax_update(syn0, syn1, [idx["not"]], idx["thou"], 0.5)
    prediction = expected["prediction"][0]
    top = list(np.argsort(-prediction)[:3])
    shown = top + ([idx["thou"]] if idx["thou"] not in top else [])
    table = result.table
    assert list(table["output word"]) == [model.wv.index_to_key[k] for k in shown] == result.output_words
    assert list(table["target"]) == [int(k == idx["thou"]) for k in shown]
    np.testing.assert_allclose(table["input \u00b7 output"], expected["dot"][0][shown], rtol=1e-6)
    np.testing.assert_allclose(table["prediction"], prediction[shown], rtol=1e-6)
    np.testing.assert_allclose(table["error"], expected["error"][0][shown], rtol=1e-6)
    # the article's arithmetic, row by row: error = one-hot target - prediction
    np.testing.assert_allclose(table["error"], table["target"] - table["prediction"], rtol=1e-6)
    assert list(table["prediction"]) == sorted(table["prediction"][:3], reverse=True) + list(table["prediction"][3:])
    rest = np.setdiff1d(np.arange(8), shown)
    assert result.others["words"] == 8 - len(shown) and result.vocabulary == 8
    assert result.others["probability"] == pytest.approx(prediction[rest].sum())
    assert table["prediction"].sum() + result.others["probability"] == pytest.approx(1.0)
    assert result.loss == pytest.approx(-np.log(prediction[idx["thou"]]))
    # the rows after are the reference's rows; every output row moved, the model did not
    np.testing.assert_array_equal(result.input_before, syn0_before[idx["not"]])
    np.testing.assert_array_equal(result.input_after, syn0[idx["not"]])
    np.testing.assert_array_equal(result.context_before, syn1_before[shown])
    np.testing.assert_array_equal(result.context_after, syn1[shown])
    assert np.all(np.any(syn1 != syn1_before, axis=1))
    np.testing.assert_array_equal(model.wv.vectors, syn0_before)
    np.testing.assert_array_equal(model.syn1softmax, syn1_before)
    # "after" is the softmax of the updated rows, and the step raised the output word's prediction
    after = reference.softmax(syn0[idx["not"]].astype(float) @ syn1.astype(float).T)
    np.testing.assert_allclose(table["prediction after"], after[shown], rtol=1e-6)
    assert result.loss_after == pytest.approx(-np.log(after[idx["thou"]]), rel=1e-6)
    assert result.loss_after < result.loss


def test_softmax_step_text_and_errors():
    model = fake_softmax_model()
    result = softmax_step_tables(model, "not", "thou", top=8, source="m.w2v")
    assert len(result.table) == 8 and result.others["words"] == 0
    text = result.to_text(dims=3)
    assert "every word of the vocabulary is in the table" in text and "first 3 of 5 dimensions" in text
    assert "each of the 8 rows of the output matrix" in text and "m.w2v" in text
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("output word"))
    assert lines[header].split()[-4:] == ["target", "error", "prediction", "after"]
    with pytest.raises(KeyError, match="'nothing'"):
        softmax_step_tables(model, "nothing", "thou")
    with pytest.raises(ValueError, match="top"):
        softmax_step_tables(model, "not", "thou", top=0)
    ns = fake_model()
    with pytest.raises(W2VError, match=r"syn1softmax.*negative sampling \(negative="):
        softmax_step_tables(types.SimpleNamespace(wv=ns.wv, syn1neg=ns.syn1neg, negative=5), "not", "thou")
    # and the negative-sampling step on a softmax model points to --softmax
    with pytest.raises(W2VError, match="--softmax"):
        step_tables(types.SimpleNamespace(wv=model.wv, syn1neg=None, syn1softmax=model.syn1softmax), "not", "thou")
