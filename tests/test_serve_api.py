"""`w2v serve`'s JSON API, through a real uvicorn server on 127.0.0.1 (a free port).

Answers are compared with the CLI's `--json` output and the illustrate tables, which the
API must reuse; every bad parameter must give a 4xx with a JSON error, never a 500.
"""
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import numpy as np
import pytest

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install 'w2v[serve]')")
pytest.importorskip("uvicorn", reason="the serve extra is not installed (pip install 'w2v[serve]')")

import w2v  # noqa: E402
from w2v.cli import main as cli_main  # noqa: E402
from w2v.cli.serve import access_token, load_for_serving  # noqa: E402
from w2v.illustrate import colors, pairs_table, project, step_tables, top_words  # noqa: E402
from w2v.serve import Explorer, create_app  # noqa: E402
from w2v.serve.testing import running_server  # noqa: E402

from conftest import planted_corpus  # noqa: E402


def get(url, headers=None):
    """(status, JSON body, response headers) of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, json.loads(body), exc.headers


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    sentences, _ = planted_corpus(groups=4, words_per_group=10, sentences=1500)
    sentences = [s + ["common", "filler"] for s in sentences]
    model = w2v.Word2Vec(sentences, vector_size=24, window=3, min_count=1, epochs=3, workers=1, seed=3,
                         negative=5)
    path = tmp_path_factory.mktemp("serve") / "model.w2v"
    model.save(str(path))
    return str(path)


@pytest.fixture(scope="module")
def model(model_path):
    return load_for_serving(model_path)


@pytest.fixture(scope="module")
def server(model, model_path):
    with running_server(Explorer(model, source=model_path)) as url:
        yield url


def cli_json(*argv):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli_main(list(argv)) == 0
    return json.loads(out.getvalue())


def wait_for_map(server, query):
    for _ in range(400):
        status, body, _ = get(f"{server}/api/map?{query}")
        if status != 202:
            return status, body
        assert body["status"] == "computing" and 0 <= body["progress"] <= 1 and body["stage"]
        time.sleep(0.05)
    raise AssertionError("the map never finished")


# -- answers equal the CLI's --json and the illustrate tables ---------------------------------------

def test_neighbors_is_exactly_what_w2v_similar_json_prints(server, model_path):
    status, body, headers = get(f"{server}/api/neighbors?word=g0w1&n=5")
    assert status == 200 and headers["content-type"].startswith("application/json")
    assert body == cli_json("similar", model_path, "g0w1", "-n", "5", "--json")
    status, body, _ = get(f"{server}/api/neighbors?word=g0w1&word=g0w2&negative=g1w1&n=3&restrict_vocab=20")
    assert body == cli_json("similar", model_path, "g0w1", "g0w2", "--negative", "g1w1", "-n", "3",
                            "--restrict-vocab", "20", "--json")


@pytest.mark.parametrize("method,flag", [("3CosAdd", []), ("3CosMul", ["--cosmul"])])
def test_analogy_is_what_w2v_analogy_json_prints(server, model_path, method, flag):
    status, body, _ = get(f"{server}/api/analogy?positive=g0w1&positive=g1w2&negative=g0w3&n=4&method={method}")
    assert status == 200
    assert body == cli_json("analogy", model_path, "g0w1", "-", "g0w3", "+", "g1w2", "-n", "4", "--json", *flag)


def test_analogy_rows_are_the_pictures_rows(server, model):
    from w2v.illustrate import analogy_rows

    status, body, _ = get(f"{server}/api/analogy?positive=g0w1&positive=g1w2&negative=g0w3&rows=1")
    labels, matrix, _ = analogy_rows(model.wv, ["g0w1", "g1w2"], ["g0w3"], topn=1)
    assert body["rows"]["labels"] == labels
    np.testing.assert_allclose(body["rows"]["values"], matrix, atol=1e-5)


def test_doesnt_match(server, model):
    status, body, _ = get(f"{server}/api/doesnt_match?word=g0w1&word=g0w2&word=g0w3&word=g2w4")
    assert status == 200
    assert body["doesnt_match"] == model.wv.doesnt_match(["g0w1", "g0w2", "g0w3", "g2w4"])
    assert [c["word"] for c in body["centrality"]][-1] == body["doesnt_match"]


def test_vectors_have_the_colour_rows_colours(server, model):
    status, body, _ = get(f"{server}/api/vectors?word=g0w1&word=g0w2&word=common")
    assert status == 200 and body["words"] == ["g0w1", "g0w2", "common"]
    values = model.wv[["g0w1", "g0w2", "common"]]
    np.testing.assert_allclose(body["values"], values, atol=1e-5)
    expected = ["#%02x%02x%02x" % tuple(c) for c in colors.to_rgb255(values[1])]
    assert body["colors"][1] == expected
    agree = [d for d in range(values.shape[1])
             if len(set(np.sign(values[:, d]))) == 1 and (np.abs(values[:, d]) >= 0.5).all()]
    assert body["agree"] == agree
    status, body, _ = get(f"{server}/api/vectors?word=g0w1&dims=3")
    assert len(body["values"][0]) == 3 and body["vector_size"] == 24


def test_info_shares_the_colour_scale(server):
    status, body, _ = get(f"{server}/api/info")
    assert status == 200 and body["kind"] == "model" and body["step"] and body["pairs_negatives"]
    assert body["colors"]["limit"] == colors.LIMIT
    assert body["colors"]["stops"][0][1] == "#%02x%02x%02x" % tuple(colors.to_rgb255(-colors.LIMIT))
    assert body["colors"]["stops"][1][1] == "#ffffff"


def test_completion_and_did_you_mean(server, model):
    status, body, _ = get(f"{server}/api/complete?prefix=G1W&n=4")
    assert status == 200
    group = [w for w in model.wv.index_to_key if w.startswith("g1w")]
    assert body["results"] == group[:4]             # case-insensitive, most frequent first
    status, body, _ = get(f"{server}/api/complete?prefix=zzz")
    assert body["results"] == []
    status, body, _ = get(f"{server}/api/suggest?word=comon")
    assert body == {"word": "comon", "known": False, "suggestions": model.wv.suggest("comon")}
    assert "common" in body["suggestions"]
    assert get(f"{server}/api/suggest?word=common")[1]["known"] is True


def test_unknown_word_is_404_with_suggestions(server):
    status, body, _ = get(f"{server}/api/neighbors?word=comon&word=g0w1&negative=filer")
    assert status == 404
    assert body["unknown"] == ["comon"]
    assert "common" in body["suggestions"]["comon"] and "did you mean" in body["error"]
    status, body, _ = get(f"{server}/api/neighbors?word=g0w1&negative=filer")
    assert status == 404 and body["unknown"] == ["filer"]


def test_map_is_computed_once_in_the_background(server, model):
    status, body = wait_for_map(server, "n=30&method=pca")
    assert status == 200 and body["status"] == "ready" and body["n"] == 30
    words = top_words(model.wv, 30)
    assert body["words"] == words
    coords, axes = project(model.wv[words], method="pca")
    np.testing.assert_allclose(np.c_[body["x"], body["y"]], coords, atol=1e-4)
    assert body["axes"] == list(axes)
    again = get(f"{server}/api/map?n=30&method=pca")[1]
    assert again == body                             # the cached result, not a new computation


def test_map_other_methods(server):
    pytest.importorskip("sklearn")
    status, body = wait_for_map(server, "n=25&method=tsne")
    assert status == 200 and body["method"] == "tsne" and len(body["x"]) == 25


def test_pairs_are_the_w2v_pairs_table(server, model):
    sentence = "Thou shalt not make a machine in the likeness of a human mind"
    for mode in ("skipgram", "cbow", "lm"):
        status, body, _ = get(f"{server}/api/pairs?sentence={sentence.replace(' ', '+')}&window=2&mode={mode}")
        assert status == 200
        table = pairs_table(sentence, window=2, mode=mode)
        assert body["columns"] == list(table.columns)
        assert body["rows"] == table.values.tolist()
        tokens = body["tokens"]
        for sample in body["samples"]:
            row = body["rows"][sample["rows"][0]]
            assert row[-1] == tokens[sample["output"]]
            assert [w for w in row[:-1] if w] == [tokens[i] for i in sample["inputs"]]


def test_pairs_negatives_come_from_the_models_noise(server, model):
    status, body, _ = get(f"{server}/api/pairs?sentence=g0w1+g0w2+g0w3&window=1&negative=3&seed=7")
    table = pairs_table("g0w1 g0w2 g0w3", window=1, negative=3, noise=model, seed=7)
    assert body["rows"] == table.values.tolist()
    assert [r[2] for r in body["rows"]].count(1) == 4 and len(body["rows"]) == 16
    assert body["samples"][1]["rows"] == [4, 8]


def test_step_is_the_w2v_step_tables(server, model):
    status, body, _ = get(f"{server}/api/step?input=g0w1&output=g0w2&negative=2&seed=4")
    assert status == 200
    result = step_tables(model, "g0w1", "g0w2", negative=2, seed=4)
    assert body["output_words"] == result.output_words
    assert body["columns"] == list(result.table.columns)
    np.testing.assert_allclose([r[3:] for r in body["rows"]], result.table.iloc[:, 3:].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(body["input_after"], result.input_after, atol=1e-5)
    np.testing.assert_allclose(body["context_after"], result.context_after, atol=1e-5)
    assert body["loss_after"] < body["loss"]
    status, body, _ = get(f"{server}/api/step?input=g0w1&output=g0w2&negatives=g3w1&negatives=g2w2&alpha=0.5")
    assert body["output_words"] == ["g0w2", "g3w1", "g2w2"] and body["alpha"] == 0.5 and not body["drawn"]


def test_concurrent_requests_answer_like_sequential_ones(server):
    words = [f"g{g}w{i}" for g in range(4) for i in range(10)]
    expected = {w: get(f"{server}/api/neighbors?word={w}&n=5")[1] for w in words}
    got, errors = {}, []

    def client(chunk):
        for w in chunk:
            status, body, _ = get(f"{server}/api/neighbors?word={w}&n=5")
            (got.__setitem__(w, body) if status == 200 else errors.append(body))

    threads = [threading.Thread(target=client, args=(words[k::8],)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and got == expected


# -- every bad parameter: a 4xx with a JSON error ---------------------------------------------------

BAD = [
    ("neighbors", 400, "missing|at least 1"),
    ("neighbors?word=g0w1&n=0", 400, "between 1 and"),
    ("neighbors?word=g0w1&n=100000", 400, "between 1 and"),
    ("neighbors?word=g0w1&n=ten", 400, "whole number"),
    ("neighbors?word=g0w1&n=5&n=6", 400, "given 2 times"),
    ("neighbors?word=g0w1&restrict_vocab=0", 400, "between 1 and"),
    ("neighbors?word=g0w1&bogus=1", 400, "unknown parameter 'bogus'"),
    ("neighbors?" + "&".join(f"word=g0w{i % 10}" for i in range(51)), 400, "at most 50"),
    ("neighbors?word=" + "x" * 201, 400, "characters long"),
    ("neighbors?word=nosuchword", 404, "not in the vocabulary"),
    ("analogy?negative=g0w1", 400, "at least 1"),
    ("analogy?positive=g0w1&method=cosine", 400, "must be one of 3CosAdd, 3CosMul"),
    ("analogy?positive=g0w1&rows=maybe", 400, "must be 1 or 0"),
    ("analogy?positive=g0w1&negative=nosuch", 404, "nosuch"),
    ("doesnt_match?word=g0w1", 400, "at least 2"),
    ("vectors", 400, "at least 1"),
    ("vectors?word=g0w1&dims=25", 400, "between 1 and 24"),
    ("complete", 400, "missing parameter 'prefix'"),
    ("complete?prefix=a&n=101", 400, "between 1 and 100"),
    ("complete?prefix=" + "a" * 201, 400, "characters long"),
    ("suggest", 400, "at least 1"),
    ("suggest?word=a&word=b", 400, "at most 1"),
    ("map?n=2", 400, "between 3 and"),
    ("map?n=1000000", 400, "between 3 and"),
    ("map?method=mds", 400, "must be one of pca, tsne, umap"),
    ("pairs", 400, "missing parameter 'sentence'"),
    ("pairs?sentence=...", 400, "no words"),
    ("pairs?sentence=" + "+".join(["w"] * 41), 400, "at most 40"),
    ("pairs?sentence=" + "a" * 501, 400, "at most 500"),
    ("pairs?sentence=a+b&window=0", 400, "between 1 and 10"),
    ("pairs?sentence=a+b&window=11", 400, "between 1 and 10"),
    ("pairs?sentence=a+b&mode=glove", 400, "must be one of"),
    ("pairs?sentence=a+b&negative=-1", 400, "between 0 and 20"),
    ("pairs?sentence=a+b&seed=-1", 400, "between 0"),
    ("step?output=g0w1", 400, "'input' needs at least 1"),
    ("step?input=g0w1", 400, "'output' needs at least 1"),
    ("step?input=g0w1&output=nosuch", 404, "nosuch"),
    ("step?input=g0w1&output=g0w2&alpha=0", 400, "above 0"),
    ("step?input=g0w1&output=g0w2&alpha=nan", 400, "above 0"),
    ("step?input=g0w1&output=g0w2&alpha=2", 400, "at most 1"),
    ("step?input=g0w1&output=g0w2&negative=21", 400, "between 0 and 20"),
    ("items/similar?item=g0w1", 422, "not an items model"),
    ("items/recommend?history=g0w1", 422, "not an items model"),
    ("predict?context=g0w1", 422, "language model"),
    ("nothing", 404, "no API endpoint"),
    ("../../etc/passwd", 404, ""),
]


@pytest.mark.parametrize("query,status,message", BAD, ids=[q[:40] for q, _, _ in BAD])
def test_bad_parameters_are_4xx_with_a_json_error(server, query, status, message):
    import re

    got, body, headers = get(f"{server}/api/{query}")
    assert got == status, body
    assert headers["content-type"].startswith("application/json")
    assert isinstance(body["error"], str) and re.search(message, body["error"]), body


def test_post_and_unknown_paths_are_json_errors(server):
    request = urllib.request.Request(f"{server}/api/neighbors?word=g0w1", data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    assert info.value.code == 405
    assert get(f"{server}/nowhere")[0] == 404
    assert get(f"{server}/static/../../../etc/passwd")[0] == 404


def test_page_and_static_files_are_served(server):
    with urllib.request.urlopen(f"{server}/", timeout=10) as response:
        page = response.read().decode()
        assert response.url.endswith("/static/index.html")
    assert "app.js" in page and "http" not in page.replace("http-equiv", "")  # nothing from a CDN
    with urllib.request.urlopen(f"{server}/static/app.js", timeout=10) as response:
        script = response.read().decode()
        assert response.headers["content-type"].startswith("text/javascript")
    assert 'api("neighbors"' in script and "https://" not in script and "http://" not in script


# -- other kinds of model -------------------------------------------------------------------------

def test_vectors_without_counts_or_context_matrix(tmp_path, model):
    path = tmp_path / "v.txt"
    model.wv.save_word2vec_format(str(path))
    kv = load_for_serving(str(path))
    kv.counts = np.zeros(len(kv), dtype=np.int64)
    with running_server(Explorer(kv)) as url:
        info = get(f"{url}/api/info")[1]
        assert info["kind"] == "vectors" and not info["step"] and not info["pairs_negatives"]
        status, body, _ = get(f"{url}/api/step?input=g0w1&output=g0w2")
        assert status == 422 and "full model" in body["error"]
        status, body, _ = get(f"{url}/api/pairs?sentence=a+b+c&negative=2")
        assert status == 422 and "counts" in body["error"]
        assert get(f"{url}/api/pairs?sentence=a+b+c")[0] == 200


def test_step_of_a_full_softmax_model_is_the_softmax_step_tables():
    from w2v.illustrate import softmax_step_tables

    sentences = [[f"w{(i + j) % 15}" for j in range(6)] for i in range(200)]
    model = w2v.Word2Vec(sentences, vector_size=8, window=2, min_count=1, epochs=1, sg=1, softmax=1, negative=0,
                         workers=1, seed=1)
    with running_server(Explorer(model)) as url:
        info = get(f"{url}/api/info")[1]
        assert info["step"] and info["step_softmax"]
        status, body, _ = get(f"{url}/api/step?input=w1&output=w2&alpha=0.1")
    assert status == 200 and body["softmax"] and body["vocabulary"] == 15
    result = softmax_step_tables(model, "w1", "w2", alpha=0.1)
    assert body["output_words"] == result.output_words and body["columns"] == list(result.table.columns)
    np.testing.assert_allclose([r[1:] for r in body["rows"]], result.table.iloc[:, 1:].to_numpy(), atol=1e-9)
    np.testing.assert_allclose(body["context_after"], result.context_after, atol=1e-5)
    assert body["others"]["words"] == 15 - len(result.output_words) and body["loss_after"] < body["loss"]


def test_items_mode_with_names(tmp_path):
    rng = np.random.default_rng(0)
    sessions = [[f"A-{g * 10 + int(i)}" for i in rng.integers(0, 10, 8)] for g in rng.integers(0, 3, 300)]
    items = w2v.ItemModel.from_sessions(sessions, min_count=1, epochs=5, progress=False, tune=False)
    names = {"A-1": "first film", "A-2": "second film"}
    with running_server(Explorer(items, names=names)) as url:
        info = get(f"{url}/api/info")[1]
        assert info["items"] and info["names"] and info["kind"] == "items"
        status, body, _ = get(f"{url}/api/items/similar?item=A-1&n=5")
        assert status == 200 and body["name"] == "first film"
        assert [(r["item"], r["score"]) for r in body["results"]] == \
            [(i, round(s, 6)) for i, s in items.similar("A-1", topn=5)]
        status, body, _ = get(f"{url}/api/items/recommend?history=A-1&history=A-2&n=4")
        assert [r["item"] for r in body["results"]] == [i for i, _ in items.recommend(["A-1", "A-2"], topn=4)]
        status, body, _ = get(f"{url}/api/complete?prefix=second")
        assert body["results"] == ["A-2"] and body["names"] == {"A-2": "second film"}
        status, body, _ = get(f"{url}/api/items/similar?item=B-1")
        assert status == 404 and "not in the model's items" in body["error"]
        assert get(f"{url}/api/items/recommend?n=3")[0] == 400


class StandInLanguageModel:
    """Until w2v.LanguageModel lands: the interface /api/predict uses (predict, wv)."""

    def __init__(self, wv):
        self.wv = wv
        self.calls = []

    def predict(self, context_words, topn=10):
        self.calls.append((list(context_words), topn))
        return [(w, 1.0 / (k + 2)) for k, w in enumerate(self.wv.index_to_key[:topn])]


def test_predict_hook_for_language_models(model):
    lm = StandInLanguageModel(model.wv)
    with running_server(Explorer(lm)) as url:
        info = get(f"{url}/api/info")[1]
        assert info["predict"] and info["kind"] == "lm"
        status, body, _ = get(f"{url}/api/predict?context=g0w1&context=g0w2&n=3")
        assert status == 200 and lm.calls[-1] == (["g0w1", "g0w2"], 3)
        assert body == {"context": ["g0w1", "g0w2"], "unknown": [],
                        "results": [{"word": w, "probability": round(p, 6)} for w, p in lm.predict([], 3)]}
        status, body, _ = get(f"{url}/api/predict?context=nosuch")
        assert status == 200 and body["unknown"] == ["nosuch"]      # a language model reads it as <unk>
        assert get(f"{url}/api/predict")[0] == 400
        assert get(f"{url}/api/predict?context=g0w1&n=0")[0] == 400


def test_predict_with_a_real_language_model(tmp_path):
    from w2v.lm import LanguageModel

    chain = [f"w{i}" for i in range(12)]
    sentences = [chain[s:s + 6] for s in np.random.default_rng(0).integers(0, 7, 600)]
    lm = LanguageModel(sentences, context=2, vector_size=16, hidden=32, min_count=1, epochs=8, batch_size=64,
                       alpha=0.01, progress=False, workers=1)
    path = tmp_path / "lm.w2v"
    lm.save(str(path))
    loaded = load_for_serving(str(path))
    assert isinstance(loaded, LanguageModel)
    with running_server(Explorer(loaded, source=str(path))) as url:
        assert get(f"{url}/api/info")[1]["kind"] == "lm"
        status, body, _ = get(f"{url}/api/predict?context=w3&context=w4&n=3")
        assert status == 200
        assert [(r["word"], r["probability"]) for r in body["results"]] == \
            [(w, round(p, 6)) for w, p in loaded.predict(["w3", "w4"], topn=3)]
        assert body["results"][0]["word"] == "w5"
        assert get(f"{url}/api/neighbors?word=w3&n=2")[0] == 200       # its word vectors, as any model
    # a saved mixture serves its mixed predictions and the neural part's vectors
    from w2v.lm import MixtureModel, NGramModel

    mixture_path = tmp_path / "mix.w2v"
    MixtureModel(lm, NGramModel(sentences, order=3, vocabulary=lm.vocab), weight=0.4).save(mixture_path)
    mixture = load_for_serving(str(mixture_path))
    assert isinstance(mixture, MixtureModel)
    with running_server(Explorer(mixture, source=str(mixture_path))) as url:
        assert get(f"{url}/api/info")[1]["kind"] == "lm"
        body = get(f"{url}/api/predict?context=w3&context=w4&n=3")[1]
        assert [(r["word"], r["probability"]) for r in body["results"]] == \
            [(w, round(p, 6)) for w, p in mixture.predict(["w3", "w4"], topn=3)]
        assert get(f"{url}/api/neighbors?word=w3&n=2")[0] == 200


# -- access token, addresses, the command ---------------------------------------------------------

def test_token_is_required_when_set(model):
    with running_server(Explorer(model, token="s3cret")) as url:
        status, body, _ = get(f"{url}/api/info")
        assert status == 403 and "token" in body["error"]
        assert get(f"{url}/api/info?token=wrong")[0] == 403
        status, body, headers = get(f"{url}/api/info?token=s3cret")
        assert status == 200 and "w2v_token=s3cret" in headers["set-cookie"]
        assert get(f"{url}/api/info", {"Cookie": "w2v_token=s3cret"})[0] == 200
        assert get(f"{url}/api/info", {"Authorization": "Bearer s3cret"})[0] == 200
        assert get(f"{url}/static/index.html")[0] == 403


def test_other_addresses_get_a_generated_token():
    assert access_token("127.0.0.1") is None and access_token("localhost") is None
    assert access_token("::1") is None
    generated = access_token("0.0.0.0")
    assert generated and len(generated) >= 24 and generated != access_token("0.0.0.0")
    assert access_token("192.0.2.1", "mine") == "mine"


def test_create_app_is_a_starlette_app_per_model(model):
    a, b = create_app(model), create_app(model)
    assert a is not b and a.state.explorer is not b.state.explorer


def test_w2v_serve_prints_its_address_and_stops_on_ctrl_c(model_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "w2v", "serve", model_path, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        assert line.startswith("w2v serve: http://127.0.0.1:") and "Ctrl-C" in line, line
        url = line.split()[2].rstrip("/")
        status, body, _ = get(f"{url}/api/neighbors?word=g0w1&n=3")
        assert status == 200 and len(body["results"]) == 3
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def serve_process(*argv):
    """`w2v serve …` in a child process; (process, the address it printed)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "w2v", "serve", *argv, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stdout.readline()
    assert line.startswith("w2v serve: http://127.0.0.1:") and "Ctrl-C" in line, (line, proc.poll())
    return proc, line.split()[2]


def test_w2v_serve_with_a_token_prints_it_and_requires_it(model_path):
    proc, address = serve_process(model_path, "--token", "let-me-in")
    try:
        assert address.endswith("/?token=let-me-in")
        base = address.split("/?")[0]
        assert get(f"{base}/api/info")[0] == 403
        assert get(f"{base}/api/info?token=let-me-in")[0] == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_stops_a_server_with_a_big_vocabulary(tmp_path):
    """60,000 words: the shared neighbour scan's threads run, and must not keep the process alive."""
    rng = np.random.default_rng(0)
    kv = w2v.KeyedVectors(8)
    kv.set_vectors([f"w{i}" for i in range(60_000)], rng.standard_normal((60_000, 8), dtype=np.float32))
    path = str(tmp_path / "big.w2v")
    kv.save(path)
    proc, address = serve_process(path)
    try:
        status, body, _ = get(f"{address.rstrip('/')}/api/neighbors?word=w5&n=3")
        assert status == 200 and body == {"positive": ["w5"], "negative": [], "results": [
            {"word": w, "similarity": round(s, 6)} for w, s in kv.most_similar("w5", topn=3)]}
        proc.send_signal(signal.SIGINT)
        assert proc.wait(30) == 0
        assert "stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()


def test_w2v_serve_rejects_bad_options(model_path, capsys):
    assert cli_main(["serve", model_path, "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_w2v_serve_without_the_extra_says_how_to_install_it(model_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)          # as if uvicorn were not installed
    assert cli_main(["serve", model_path]) == 2
    assert "pip install 'w2v[serve]'" in capsys.readouterr().err


JUNK = ["", "0", "-1", "1e309", "nan", "inf", "3.5", "99999999999999999999", "g0w1", "nosuchword", "é\u0301",
        "\x00", "../../etc/passwd", "a" * 300, "1" * 30, "true", "3CosMul", "umap", " ", "\ud800x"]


def test_no_junk_parameter_gives_a_server_error(model):
    """Every endpoint, every parameter it takes (and one it does not), junk values alone, twice and mixed
    with good ones: the answer is 2xx or 4xx with an error message, never a 5xx or an exception."""
    rng = np.random.default_rng(0)
    explorer = Explorer(model, source="model.w2v")
    names = {"info": [], "neighbors": ["word", "negative", "n", "restrict_vocab"],
             "analogy": ["positive", "negative", "n", "method", "restrict_vocab", "rows"], "doesnt_match": ["word"],
             "vectors": ["word", "dims"], "complete": ["prefix", "n"], "suggest": ["word"], "map": ["n", "method"],
             "pairs": ["sentence", "window", "mode", "negative", "seed"],
             "step": ["input", "output", "negative", "negatives", "alpha", "seed"], "items/similar": ["item", "n"],
             "items/recommend": ["history", "n", "exclude_seen"], "predict": ["context", "n"]}
    good = {"word": "g0w1", "negative": "g1w1", "positive": "g0w2", "prefix": "g", "sentence": "g0w1 g0w2 g0w3",
            "input": "g0w1", "output": "g0w2", "item": "g0w1", "history": "g0w1", "context": "g0w1"}
    assert set(names) == set(Explorer.ENDPOINTS)
    checked = 0
    for endpoint, params in names.items():
        for param in params + ["bogus"]:
            for junk in JUNK:
                for pairs in ([(param, junk)], [(param, junk), (param, junk)],
                              [(p, good[p]) for p in params if p in good and p != param] + [(param, junk)]):
                    status, body = explorer.respond(endpoint, pairs)
                    report = json.loads(body)
                    assert 200 <= status < 500, (endpoint, pairs, status, report)
                    assert status < 300 or isinstance(report.get("error"), str), (endpoint, pairs, report)
                    checked += 1
        for _ in range(20):                          # random mixtures of the endpoint's parameters
            pairs = [(str(rng.choice(params + ["n"])), str(rng.choice(JUNK))) for _ in range(rng.integers(1, 5))]
            status, body = explorer.respond(endpoint, pairs)
            assert 200 <= status < 500, (endpoint, pairs, status, body)
    assert checked > 2000
