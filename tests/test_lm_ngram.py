import json
import math
import random
from collections import Counter, defaultdict

import numpy as np
import pytest

import w2v
from w2v.cli import main
from w2v.errors import FormatError
from w2v.lm import LanguageModel, LMError, MixtureModel, NGramModel
from w2v.lm.mixture import best_weight


def _random_corpus(n=300, seed=0, words="a b c d e f g h"):
    rng = random.Random(seed)
    words = words.split()
    # a skewed, partly predictable source: the next word often follows the previous one
    out = []
    for _ in range(n):
        s = [rng.choice(words)]
        for _ in range(rng.randint(0, 9)):
            s.append(words[(words.index(s[-1]) + 1) % len(words)] if rng.random() < 0.6 else rng.choice(words))
        out.append(s)
    return out


# -- a small readable reference: dictionaries and the textbook formulas ----------------------------
def _reference_discounts(counts):
    n = [sum(1 for c in counts if c == j) for j in (1, 2, 3, 4)]
    y = n[0] / (n[0] + 2 * n[1]) if n[0] and n[1] else 0.5
    out = []
    for j in (1, 2, 3):
        d = j - (j + 1) * y * n[j] / n[j - 1] if n[j - 1] else y * j
        out.append(min(max(d, 0.0), j))
    return out


def _reference_model(sentences, vocab, order):
    """{k: Counter of k-grams} with raw counts at the top and continuation counts below."""
    grams = Counter()
    for s in sentences:
        seq = [vocab.start] * (order - 1) + list(vocab.ids(s)) + [vocab.end]
        for i in range(order - 1, len(seq)):
            grams[tuple(seq[i - order + 1:i + 1])] += 1
    counts = {order: grams}
    for k in range(order - 1, 0, -1):
        counts[k] = Counter(g[1:] for g in counts[k + 1])
    return counts


def _reference_prob(counts, order, classes, history, w):
    p = 1.0 / classes
    for k in range(1, order + 1):
        ctx = tuple(history[len(history) - (k - 1):]) if k > 1 else ()
        table = counts[k]
        d = _reference_discounts(list(table.values()))
        seen = {g[-1]: c for g, c in table.items() if g[:-1] == ctx}
        total = sum(seen.values())
        if total == 0:
            continue
        gamma = sum(d[min(c, 3) - 1] for c in seen.values()) / total
        c = seen.get(w, 0)
        p = max(c - (d[min(c, 3) - 1] if c else 0), 0) / total + gamma * p
    return p


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_probabilities_sum_to_one_for_seen_and_unseen_contexts(order):
    corpus = _random_corpus()
    ng = NGramModel(corpus, order=order, min_count=3)
    rng = random.Random(1)
    prompts = [" ".join(s[:order - 1]) for s in corpus[:20]]                       # seen
    prompts += [" ".join(rng.choice("a b c d e f g h zz".split()) for _ in range(4)) for _ in range(20)]
    prompts += ["", "zz yy", "h h h h h h"]
    for prompt in prompts:
        dist = ng.next_distribution(prompt)
        assert dist.shape == (ng.vocab.classes,)
        assert np.all(dist > 0)
        assert dist.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_matches_the_readable_reference(order):
    corpus = _random_corpus(200, seed=2)
    ng = NGramModel(corpus, order=order, min_count=2)
    counts = _reference_model(corpus, ng.vocab, order)
    test = _random_corpus(30, seed=3, words="a b c d e f g h q")
    got = ng.log_probabilities(test)
    want = []
    for s in test:
        seq = [ng.vocab.start] * (order - 1) + list(ng.vocab.ids(s)) + [ng.vocab.end]
        for i in range(order - 1, len(seq)):
            want.append(math.log(_reference_prob(counts, order, ng.vocab.classes, seq[i - order + 1:i], seq[i])))
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_hand_computed_bigram_example():
    # ids: a=0 b=1 </s>=2 <unk>=3 <s>=4.  Bigrams: <s>a ×2, ab, b</s>, a</s>: n1=3 n2=1 → Y=0.6, D1=0.6, D2=2.
    # Continuation unigrams: a 1, b 1, </s> 2, <unk> 0: n1=2 n2=1 → Y=0.5, D1=0.5, D2=2; gamma = 3/4.
    ng = NGramModel([["a", "b"], ["a"]], order=2, min_count=1)
    assert ng.last_training["discounts"][1][:2] == pytest.approx([0.6, 2.0])
    assert ng.last_training["discounts"][0][:2] == pytest.approx([0.5, 2.0])
    uni = {"a": 0.5 / 4 + 0.75 / 4, "b": 0.5 / 4 + 0.75 / 4, "</s>": 0.75 / 4, "<unk>": 0.75 / 4}
    dist = dict(zip(ng.vocab.tokens(), ng.next_distribution("zz")))   # unseen context: the unigram level
    for token, p in uni.items():
        assert dist[token] == pytest.approx(p)
    after_a = dict(zip(ng.vocab.tokens(), ng.next_distribution("a")))
    assert after_a["b"] == pytest.approx((1 - 0.6) / 2 + 0.6 * uni["b"])          # 0.3875
    assert after_a["a"] == pytest.approx(0.6 * uni["a"])
    start = dict(zip(ng.vocab.tokens(), ng.next_distribution("")))
    assert start["a"] == pytest.approx(0 + 1.0 * uni["a"])                       # count 2 minus D2 = 2
    # perplexity: a from <s>, b from a, </s> from b — three tokens per sentence, ends included
    p_end_b = (1 - 0.6) / 1 + 0.6 * uni["</s>"]
    expected = (uni["a"] * 0.3875 * p_end_b) ** (-1 / 3)
    assert ng.perplexity([["a", "b"]]) == pytest.approx(expected)
    assert len(ng.log_probabilities([["a", "b"], ["zz"]])) == 5        # unknown words count as <unk>


def test_predict_save_load_and_other_kinds(tmp_path):
    corpus = _random_corpus()
    ng = NGramModel(corpus, order=3, min_count=2)
    top = ng.predict("a b", topn=3)
    assert len(top) == 3 and top[0][1] >= top[1][1] >= top[2][1]
    assert top[0][0] == "c"            # the planted successor
    path = tmp_path / "kn.w2v"
    ng.save(path)
    back = NGramModel.load(path)
    assert back.order == 3 and back.predict("a b", topn=3) == top
    np.testing.assert_array_equal(back.log_probabilities(corpus[:20]), ng.log_probabilities(corpus[:20]))
    lm_path = tmp_path / "lm.w2v"
    LanguageModel(corpus, vector_size=4, hidden=4, min_count=1, epochs=1, progress=False).save(lm_path)
    with pytest.raises(FormatError, match="neural language model"):
        NGramModel.load(lm_path)
    with pytest.raises(FormatError, match="n-gram language model"):
        LanguageModel.load(path)


def test_bad_input():
    with pytest.raises(LMError, match="order"):
        NGramModel(order=0)
    with pytest.raises(w2v.W2VError):
        NGramModel([], order=2, min_count=1)
    ng = NGramModel(_random_corpus(50), order=2, min_count=1)
    with pytest.raises(LMError, match="no tokens"):
        ng.perplexity([])


def test_counting_is_fast_enough_for_a_real_corpus():
    # bulk numpy: 200k tokens of order 5 in well under a few seconds (no Python per token)
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(2000)]
    sentences = [[words[j] for j in rng.zipf(1.3, 20) % 2000] for _ in range(10000)]
    ng = NGramModel(sentences, order=5, min_count=1)
    assert ng.last_training["train_tokens"] == 210000
    assert ng.next_distribution("w1 w2 w3 w4").sum() == pytest.approx(1.0)


# -- the mixture -------------------------------------------------------------------------------------
def test_best_weight_is_the_likelihood_optimum():
    rng = np.random.default_rng(0)
    a, b = np.log(rng.uniform(0.01, 1, 500)), np.log(rng.uniform(0.01, 1, 500))
    w = best_weight(a, b)
    grid = np.linspace(0, 1, 1001)
    ll = [np.logaddexp(np.log(g + 1e-300) + a, np.log(1 - g + 1e-300) + b).sum() for g in grid]
    assert w == pytest.approx(grid[int(np.argmax(ll))], abs=2e-3)


def test_mixture_is_normalised_and_no_worse_than_its_parts_on_validation():
    corpus = _random_corpus(600, seed=4)
    valid = _random_corpus(80, seed=5)
    lm = LanguageModel(corpus, context=2, vector_size=8, hidden=16, min_count=1, epochs=3, alpha=0.01,
                       progress=False, workers=1)
    ng = NGramModel(corpus, order=3, vocabulary=lm.vocab)
    mix = MixtureModel(lm, ng)
    w = mix.fit_weight(valid)
    assert 0 < w < 1
    assert mix.next_distribution("a b").sum() == pytest.approx(1.0)
    assert mix.perplexity(valid) <= min(lm.perplexity(valid), ng.perplexity(valid)) + 1e-9
    other = NGramModel(_random_corpus(50, words="p q r"), order=3, min_count=1)
    with pytest.raises(LMError, match="vocabulary"):
        MixtureModel(lm, other)


# -- w2v lm evaluate -----------------------------------------------------------------------------------
def _write(path, sentences):
    path.write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    return path


def test_evaluate_cli_json_and_table(tmp_path, capsys):
    corpus = _write(tmp_path / "c.txt", _random_corpus(600, seed=6))
    args = ["lm", "evaluate", str(corpus), "--min-count", "1", "--epochs", "2", "--vector-size", "8",
            "--hidden", "16", "--workers", "1", "-q"]
    assert main(args + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    names = [r["model"] for r in out["rows"]]
    assert names[0] == "Kneser-Ney 3-gram" and names[1] == "neural, context 2" and names[2].startswith("mixture")
    assert all(r["perplexity"] > 1 and r["tokens"] == out["test_tokens"] for r in out["rows"])
    # the default split holds out 10% of the sentences, then 5% of the rest for validation
    assert out["test_tokens"] + out["validation_tokens"] + out["train_tokens"] == sum(
        len(s) + 1 for s in _random_corpus(600, seed=6))
    test = _write(tmp_path / "t.txt", _random_corpus(40, seed=7))
    assert main(args + ["--test", str(test), "--order", "2"]) == 0
    text = capsys.readouterr().out
    assert "Kneser-Ney 2-gram" in text and "test perplexity" in text and "mixture" in text


def test_evaluate_bad_input_is_one_line_exit_2(tmp_path, capsys):
    empty = _write(tmp_path / "empty.txt", [])
    empty.write_text("")
    corpus = _write(tmp_path / "c.txt", _random_corpus(200))
    assert main(["lm", "evaluate", str(empty)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert main(["lm", "evaluate", str(corpus), "--test", str(empty), "--min-count", "1"]) == 2
    assert "no tokens" in capsys.readouterr().err
    assert main(["lm", "evaluate", str(corpus), "--context", "0"]) == 2
    assert "context" in capsys.readouterr().err
    assert main(["lm", "evaluate", str(corpus), "--order", "0"]) == 2
    assert "order" in capsys.readouterr().err


# -- the saved mixture, and the lm commands on any language-model file ----------------------------------
def test_mixture_saves_and_loads_as_one_file(tmp_path):
    from w2v.lm import load

    corpus = _random_corpus(600, seed=4)
    lm = LanguageModel(corpus, context=2, vector_size=8, hidden=16, min_count=1, epochs=2, progress=False,
                       workers=1)
    mix = MixtureModel(lm, NGramModel(corpus, order=3, vocabulary=lm.vocab), weight=0.3)
    path = tmp_path / "mix.w2v"
    mix.save(path)
    back = MixtureModel.load(path)
    assert back.weight == 0.3 and back.vocab.words == lm.vocab.words
    valid = _random_corpus(50, seed=5)
    np.testing.assert_array_equal(back.log_probabilities(valid), mix.log_probabilities(valid))
    assert back.predict("a b", topn=3) == mix.predict("a b", topn=3)
    assert back.generate("a", words=6, seed=3) == mix.generate("a", words=6, seed=3)
    # any language-model file opens by what it holds; w2v.load reads the neural part's vectors
    assert isinstance(load(path), MixtureModel)
    lm.save(tmp_path / "lm.w2v")
    mix.ngram.save(tmp_path / "ng.w2v")
    assert isinstance(load(tmp_path / "lm.w2v"), LanguageModel)
    assert isinstance(load(tmp_path / "ng.w2v"), NGramModel)
    kv = w2v.load(path)
    np.testing.assert_array_equal(kv["a"], lm.wv["a"])
    with pytest.raises(FormatError, match="n-gram language model.*not a mixture"):
        MixtureModel.load(tmp_path / "ng.w2v")


def test_generate_from_the_ngram_model_and_the_mixture_follows_the_chain():
    chain = [f"w{i}" for i in range(10)]
    corpus = [chain[s:s + 5] for s in range(6)] * 40
    ng = NGramModel(corpus, order=3, min_count=1)
    assert ng.generate("w0 w1", words=3, temperature=0.1, seed=1) == ["w2", "w3", "w4"]
    assert ng.generate("w0 w1", words=8, seed=2) == ng.generate("w0 w1", words=8, seed=2)
    assert "<unk>" not in ng.generate("zz", words=30, temperature=3.0, seed=1)
    with pytest.raises(LMError, match="temperature"):
        ng.generate("w0", temperature=0)


def test_evaluate_saves_the_mixture_the_lm_commands_use(tmp_path, capsys):
    corpus = _write(tmp_path / "c.txt", _random_corpus(600, seed=6))
    out = tmp_path / "mix.w2v"
    assert main(["lm", "evaluate", str(corpus), "--min-count", "1", "--epochs", "2", "--vector-size", "8",
                 "--hidden", "16", "--workers", "1", "-q", "--json", "-o", str(out)]) == 0
    table = json.loads(capsys.readouterr().out)
    mixture_row = table["rows"][2]
    mix = MixtureModel.load(out)
    assert mix.weight == pytest.approx(table["weight"])
    assert main(["lm", "predict", str(out), "a b", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["word"] for r in rows] == [w for w, _ in mix.predict("a b")]
    test = _write(tmp_path / "t.txt", _random_corpus(40, seed=7))
    assert main(["lm", "perplexity", str(out), str(test), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["perplexity"] == pytest.approx(mix.perplexity(str(test)))
    assert main(["lm", "generate", str(out), "a", "--words", "4"]) == 0
    assert len(capsys.readouterr().out.split()) == 5
    assert mixture_row["perplexity"] > 1
    # an n-gram model file works with the same commands
    ng = tmp_path / "ng.w2v"
    mix.ngram.save(ng)
    assert main(["lm", "predict", str(ng), "a b", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 5
