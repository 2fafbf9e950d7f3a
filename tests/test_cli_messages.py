"""What the command line says besides results: first-run compiling notes, early output checks.

(Python warnings as one line: tests/test_cli_query.py, repeated words.)"""
import os
import subprocess
import sys

from w2v.cli import common, main

PROBE = """
import sys, numpy as np
from w2v.cli.common import is_cached
from w2v.kernels import phrases as k
before = is_cached(k.build_table)
k.build_table(np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int64), k.capacity_for(3))
print(before, is_cached(k.build_table))
"""


def test_is_cached_sees_numbas_disk_cache(tmp_path):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba-cache"))
    cold = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert cold.stdout.split() == ["False", "True"], cold.stderr
    warm = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300)
    assert warm.stdout.split() == ["True", "True"], warm.stderr   # a new process finds it on disk


def test_w2v_phrases_says_it_compiles_before_the_wait(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "c.txt"
    corpus.write_text("new york is big\nnew york is old\n" * 50)
    monkeypatch.setattr(common, "is_cached", lambda dispatcher: False)   # a fresh install
    assert main(["phrases", str(corpus), "-o", str(tmp_path / "p.txt")]) == 0
    err = capsys.readouterr().err
    assert err.startswith("w2v: compiling the phrase kernels (first run only, about ")
    monkeypatch.undo()
    assert main(["phrases", str(corpus), "-o", str(tmp_path / "p.txt")]) == 0
    assert "compiling" not in capsys.readouterr().err


def test_phrases_output_is_checked_before_reading(tmp_path, capsys):
    assert main(["phrases", str(tmp_path / "missing-corpus.txt"), "-o", str(tmp_path / "nodir" / "p.txt")]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "nodir" / "p.txt") in err and err.count("\n") == 1
