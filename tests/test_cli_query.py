"""`w2v similar / analogy / similarity / evaluate / convert / info`."""
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import w2v
import w2v.illustrate
from w2v import formats
from w2v.cli import main
from w2v.cli.query import parse_formula
from w2v.vectors import KeyedVectors


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A planted 'royalty' and 'gender' structure: king - man + woman lands on queen."""
    rng = np.random.default_rng(3)
    dim = 16
    person, male, female, royal = (rng.standard_normal(dim) for _ in range(4))
    keys = ["king", "queen", "man", "woman", "prince", "princess"] + [f"noise{i}" for i in range(40)]
    rows = [person + male + royal, person + female + royal, person + male, person + female,
            person + male + royal * 0.8 + rng.standard_normal(dim) * 0.3,
            person + female + royal * 0.8 + rng.standard_normal(dim) * 0.3]
    rows += list(rng.standard_normal((40, dim)) * 1.5)
    kv = KeyedVectors(dim).set_vectors(keys, np.asarray(rows, dtype=np.float32))
    path = tmp_path_factory.mktemp("cli") / "model.bin"
    formats.save(kv, path, "word2vec-binary")
    return path, kv


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_similar(model, capsys):
    path, kv = model
    code, out, err = run(capsys, "similar", path, "king", "-n", "3")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "king:"
    expected = kv.most_similar("king", topn=3)
    for line, (word, score) in zip(lines[1:], expected):
        assert line.split() == [str(expected.index((word, score)) + 1), word, f"{score:.4f}"]
    code, out, _ = run(capsys, "similar", path, "king", "queen", "--negative", "man", "--json", "-n", "4")
    data = json.loads(out)
    assert data["positive"] == ["king", "queen"] and data["negative"] == ["man"]
    assert [r["word"] for r in data["results"]] == [w for w, _ in kv.most_similar(["king", "queen"], ["man"], topn=4)]


def test_similar_each_is_one_result_per_word(model, capsys):
    path, kv = model
    code, out, _ = run(capsys, "similar", path, "king", "man", "--each", "-n", "2", "--json")
    data = json.loads(out)
    assert [d["query"] for d in data] == ["king", "man"]
    assert [r["word"] for r in data[1]["results"]] == [w for w, _ in kv.most_similar("man", topn=2)]


@pytest.mark.parametrize("argv", [
    ["king", "-", "man", "+", "woman"],
    ["king - man + woman"],
    ["man", "king", "woman"],
    ["--positive", "king", "woman", "--negative", "man"],
])
def test_analogy_forms(model, capsys, argv):
    path, _ = model
    code, out, err = run(capsys, "analogy", path, *argv, "-n", "3")
    assert code == 0, err
    assert out.splitlines()[0] == "king + woman - man:"
    assert out.splitlines()[1].split()[:2] == ["1", "queen"]


def test_analogy_json_cosmul_and_plot(model, capsys, monkeypatch, tmp_path):
    path, kv = model
    calls = []
    monkeypatch.setattr(w2v.illustrate, "plot_analogy", lambda kv, positive, negative, path: calls.append(
        (len(kv), positive, negative, path)), raising=False)
    code, out, _ = run(capsys, "analogy", path, "king", "-", "man", "+", "woman", "--cosmul", "--json",
                       "--plot", tmp_path / "a.png")
    data = json.loads(out)
    assert data["method"] == "3CosMul" and data["results"][0]["word"] == "queen"
    assert data["results"][0]["similarity"] == pytest.approx(
        kv.most_similar_cosmul(["king", "woman"], ["man"], topn=1)[0][1], abs=1e-6)
    assert calls == [(len(kv), ["king", "woman"], ["man"], str(tmp_path / "a.png"))]


def test_parse_formula():
    assert parse_formula(["king", "-", "man", "+", "woman"]) == (["king", "woman"], ["man"])
    assert parse_formula(["paris - france + italy"]) == (["paris", "italy"], ["france"])
    assert parse_formula(["-", "man", "+", "king"]) == (["king"], ["man"])
    for bad in (["king", "man", "+", "woman"], ["king", "-"], ["a", "b"]):
        with pytest.raises(ValueError, match="cannot read the analogy"):
            parse_formula(bad)


def test_similarity(model, capsys):
    path, kv = model
    code, out, _ = run(capsys, "similarity", path, "man", "woman")
    assert out.strip() == f"{kv.similarity('man', 'woman'):.4f}"
    code, out, _ = run(capsys, "similarity", path, "man", "woman", "--json")
    assert json.loads(out)["similarity"] == pytest.approx(kv.similarity("man", "woman"), abs=1e-6)


def test_evaluate_prints_a_table(model, capsys, tmp_path):
    path, kv = model
    (tmp_path / "q.txt").write_text(": royalty\nman king woman queen\nwoman queen man king\nman king dog cat\n")
    (tmp_path / "p.tsv").write_text("king\tqueen\t8\nman\twoman\t7\nking\tnoise3\t1\nnoise1\tnoise2\t0.5\n")
    code, out, _ = run(capsys, "evaluate", path, "--analogies", tmp_path / "q.txt", "--pairs", tmp_path / "p.tsv")
    assert code == 0
    assert "royalty" in out and "Total accuracy" in out
    assert "questions skipped (out of vocabulary): 33.3%" in out
    assert "Spearman" in out and "pairs skipped (out of vocabulary): 0.0%" in out
    code, out, _ = run(capsys, "evaluate", path, "--analogies", tmp_path / "q.txt", "--json")
    data = json.loads(out)["analogies"]
    assert data["sections"][-1] == {"section": "Total accuracy", "correct": 2, "questions": 2, "accuracy": 1.0}


def test_convert_and_info(model, capsys, tmp_path):
    path, kv = model
    code, out, _ = run(capsys, "convert", path, tmp_path / "v.txt", "--to", "glove", "--limit", "10")
    assert out.strip() == f"wrote 10 vectors x 16 dimensions from word2vec-binary to {tmp_path / 'v.txt'} (glove)"
    back = w2v.load(tmp_path / "v.txt")
    np.testing.assert_array_equal(back.vectors, kv.vectors[:10])
    run(capsys, "convert", path, tmp_path / "v.w2v")
    code, out, _ = run(capsys, "info", tmp_path / "v.w2v", "--json")
    info = json.loads(out)
    assert info["format"] == "native" and info["kind"] == "vectors"
    assert info["keys"] == len(kv) and info["vector_size"] == 16 and info["first_keys"][:2] == ["king", "queen"]
    code, out, _ = run(capsys, "info", path)
    assert "word2vec-binary" in out and "vector_size" in out


@pytest.mark.parametrize("argv, message", [
    (["similar", "{model}", "kign"], "w2v: error: key not in vocabulary: 'kign' (did you mean 'king'?)"),
    (["analogy", "{model}", "king", "-", "mann", "+", "wuman"], 
     "w2v: error: keys not in vocabulary: 'wuman' (did you mean 'woman', 'man'?), 'mann' (did you mean 'man'?)"),
    (["similarity", "{missing}", "a", "b"], "w2v: error: {missing}: no such file"),
    (["analogy", "{model}", "king", "man", "+", "woman"], "w2v: error: cannot read the analogy"),
    (["evaluate", "{model}"], "w2v: error: nothing to evaluate"),
    (["convert", "{model}", "{tmp}/out.xyz"], "w2v: error: {tmp}/out.xyz: cannot tell the format"),
    (["info", "{garbage}"], "w2v: error: {garbage}: not a vectors file w2v recognises"),
])
def test_errors_are_one_line_exit_2(model, capsys, tmp_path, argv, message):
    path, _ = model
    (tmp_path / "garbage.txt").write_text("just some prose\n")
    names = dict(model=path, missing=tmp_path / "missing.bin", tmp=tmp_path, garbage=tmp_path / "garbage.txt")
    code, out, err = run(capsys, *[a.format(**names) for a in argv])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(message.format(**names))


def test_installed_entry_point(model):
    path, kv = model
    exe = shutil.which("w2v") or pytest.skip("the w2v entry point is not installed")
    done = subprocess.run([exe, "analogy", str(path), "king", "-", "man", "+", "woman", "-n", "1", "--json"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["results"][0]["word"] == "queen"
    done = subprocess.run([sys.executable, "-m", "w2v", "similar", str(path), "qeen"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.startswith("w2v: error: key not in vocabulary: 'qeen'")


def test_w2v_alone_prints_the_help_with_status_1(capsys):
    assert main([]) == 1
    err = capsys.readouterr().err
    assert err.startswith("usage: w2v") and "COMMAND" in err


def test_python_warnings_are_one_line(tmp_path, capsys):
    path = tmp_path / "dup.txt"
    path.write_text("2 2\nx 1 2\nx 3 4\n")  # a repeated word: the reader warns
    assert main(["info", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"w2v: warning: {path}: 1 repeated words; kept the first vector of each"]


@pytest.mark.parametrize("argv, message", [
    (["similar", "{v}", "zero"], "the vector of 'zero' is all zeros: it has no neighbours"),
    (["similar", "{v}", "--each", "a", "zero"], "the vector of 'zero' is all zeros"),
    (["similar", "{v}", "broken"], "the vector of 'broken' is not finite (nan or inf)"),
    (["similar", "{v}", "a", "--negative", "a"], "the query a - a is a zero vector (its words cancel out)"),
    (["analogy", "{v}", "a", "-", "b", "+", "b", "-", "a"], "is a zero vector"),
])
def test_a_query_without_direction_is_one_line_not_a_ranking_of_zeros(tmp_path, capsys, argv, message):
    path = tmp_path / "v.txt"
    path.write_text("4 2\na 1 0\nb 0 1\nzero 0 0\nbroken nan 1\n")
    assert main([arg.format(v=path) for arg in argv]) == 2
    err = capsys.readouterr().err
    assert err == f"w2v: error: {err.split('w2v: error: ', 1)[1]}" and message in err and err.count("\n") == 1
    assert main(["similar", str(path), "a", "-n", "1"]) == 0   # a word with a direction still answers
    assert capsys.readouterr().out.split()[-2:] == ["b", "0.0000"]


def test_info_on_a_model_prints_its_parameters_as_a_table(tmp_path, capsys):
    sentences = [["a", "b", "c", "d"], ["b", "c", "d", "a"]] * 20
    model = w2v.Word2Vec(sentences, vector_size=8, window=3, min_count=1, epochs=1, workers=1, seed=3)
    model.save(str(tmp_path / "m.w2v"))
    code, out, _ = run(capsys, "info", tmp_path / "m.w2v")
    assert code == 0 and "{" not in out and "[" not in out          # no Python dicts or lists
    rows = dict(line.split(None, 1) for line in out.splitlines())
    assert rows["kind"].strip() == "model"
    assert rows["params.window"].strip() == "3" and rows["params.vector_size"].strip() == "8"
    starts = {line.index(value) for line, value in ((line, line.split(None, 1)[1]) for line in out.splitlines())}
    assert len(starts) == 1                                          # one aligned column of values
