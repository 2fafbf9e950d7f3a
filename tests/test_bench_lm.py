"""The language-model benchmark runs as the README and bench/RESULTS.md call it (on a small corpus)."""
import json
import os
import random
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(__file__), "..", "bench", "bench_lm.py")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(0)
    words = [f"w{i}" for i in range(40)]
    path = tmp_path_factory.mktemp("bench") / "corpus.txt"
    # sentences that walk a chain with a random start: learnable, with some noise words
    lines = []
    for _ in range(1500):
        start = rng.randrange(30)
        lines.append(" ".join(words[start:start + 6] + [rng.choice(words)]))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("side_by_side", [False, True])
def test_bench_lm_runs_the_readme_command_shape(corpus, tmp_path, side_by_side):
    out = tmp_path / "out.json"
    args = [sys.executable, BENCH, str(corpus), "--min-count", "1", "--max-time", "20", "--epochs", "3",
            "--vector-size", "8", "--hidden", "8", "--optimizer", "sgd", "--alpha", "0.5", "--patience", "100",
            "--dropout", "0.2", "--objective", "sampled", "--samples", "8", "--exact-epochs", "0.5",
            "--max-validation-tokens", "500", "--contexts", "2,4", "--json", str(out)]
    if side_by_side:
        args.append("--side-by-side")
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text())["rows"]
    names = [r["model"] for r in rows]
    assert names[:2] == ["Kneser-Ney order 3", "Kneser-Ney order 5"]
    assert len(rows) == 6 and names[2].startswith("neural context 2 (sampled, 3 epochs, 0.50 of them exact")
    assert names[4].startswith("neural context 4") and names[5].startswith("mixture context 4 + KN order 5")
    for r in rows:
        assert 1 < r["perplexity"] < 40   # below the uniform guess over the vocabulary
    for neural, mixture in ((rows[2], rows[3]), (rows[4], rows[5])):
        assert [h["epoch"] for h in neural["history"]] == [1, 2, 3] and 0 < neural["sgemm_fraction"]
        assert mixture["perplexity"] <= min(neural["perplexity"], rows[0 if "order 3" in mixture["model"] else 1]
                                            ["perplexity"]) * 1.01
    assert "| model | test perplexity |" in done.stdout
