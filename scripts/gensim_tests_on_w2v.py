"""Run gensim's own unit tests for KeyedVectors and Word2Vec against w2v, the import swapped.

    python scripts/gensim_tests_on_w2v.py [--keep DIR] [-k EXPR] [--baseline]

Copies ``gensim/test/test_keyedvectors.py`` and ``test_word2vec.py`` from the installed
gensim into a temporary folder, rewrites their imports so that ``KeyedVectors`` and
``Word2Vec`` are w2v's (gensim's corpus readers, test data and helpers stay gensim's, as
they would in a user's code), runs pytest on them and prints the pass/fail counts and one
line per failing test, marking those that expect gensim's behaviour where w2v deliberately
differs (``DELIBERATE``; the exit status is 1 when any other test fails).  ``--baseline``
also runs the unmodified files on gensim itself, since a few of gensim's own tests fail
with today's NumPy/SciPy.  gensim's test files are
never copied into this repository.  Needs gensim, pytest and testfixtures (gensim's test
dependency); POT for the Word Mover's Distance tests.
"""
import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

FILES = ("test_keyedvectors.py", "test_word2vec.py")

# The module the rewritten test_word2vec.py imports instead of gensim.models: gensim's word2vec
# and keyedvectors modules with their model classes replaced by w2v's.
SWAP = '''"""gensim.models.word2vec / keyedvectors with w2v's Word2Vec and KeyedVectors in them."""
import types

import gensim.models.keyedvectors as _gensim_keyedvectors
import gensim.models.word2vec as _gensim_word2vec

import w2v

word2vec = types.ModuleType("word2vec")
word2vec.__dict__.update(vars(_gensim_word2vec))
word2vec.Word2Vec = w2v.Word2Vec
word2vec.KeyedVectors = w2v.KeyedVectors
keyedvectors = types.ModuleType("keyedvectors")
keyedvectors.__dict__.update(vars(_gensim_keyedvectors))
keyedvectors.KeyedVectors = w2v.KeyedVectors
'''

REWRITES = {
    "test_keyedvectors.py": [
        ("from gensim.models.keyedvectors import KeyedVectors, REAL, pseudorandom_weak_vector",
         "from gensim.models.keyedvectors import REAL, pseudorandom_weak_vector\nfrom w2v import KeyedVectors"),
        ("gensim.models.keyedvectors.KeyedVectors", "KeyedVectors"),
        ("gensim.models.KeyedVectors", "KeyedVectors"),
    ],
    "test_word2vec.py": [
        ("from gensim.models import word2vec, keyedvectors", "from _w2v_swap import word2vec, keyedvectors"),
    ],
}


# gensim tests that expect gensim's behaviour where w2v deliberately differs (the README's table
# "Where w2v differs from gensim"): test name -> the difference.
DELIBERATE = {
    "test_word2vec::TestWord2VecModel.test_build_vocab_warning": "a string given as a sentence is an error",
    "test_word2vec::TestWord2VecModel.test_persistence_backwards_compatible":
        "a string given as a sentence is an error",
    "test_word2vec::TestWord2VecModel.test_train_with_explicit_param":
        "train() without total_examples/total_words and epochs counts the corpus",
    "test_word2vec::TestWord2VecModel.test_no_training_c_format":
        "a model whose wv was read by load_word2vec_format trains",
    "test_word2vec::TestWord2VecModel.test_load_on_class_error": "load works when called on an instance",
}


def gensim_tests():
    spec = importlib.util.find_spec("gensim")
    if spec is None:
        sys.exit("gensim is not installed: pip install gensim")
    return Path(spec.origin).parent / "test"


def prepare(folder, swap):
    source = gensim_tests()
    for name in FILES:
        text = (source / name).read_text()
        if swap:
            for old, new in REWRITES[name]:
                if old not in text:
                    sys.exit(f"{name}: expected to find {old!r}; gensim's tests changed, update this script")
                text = text.replace(old, new)
        (folder / name).write_text(text)
    if swap:
        (folder / "_w2v_swap.py").write_text(SWAP)


def run(folder, extra, label):
    report = folder / "report.xml"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
               "-W", "ignore", *extra, *FILES]
    print(f"== {label}: {' '.join(command[1:])}", flush=True)
    subprocess.run(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = {}
    for case in ET.parse(report).iter("testcase"):
        name = f"{case.get('classname', '').rpartition('.')[2]}.{case.get('name')}"
        name = f"{case.get('file') or case.get('classname', '').split('.')[0]}::{name}"
        outcome, detail = "passed", ""
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
                detail = (found.get("message") or "").strip().splitlines()[0:1]
                detail = detail[0][:160] if detail else ""
                break
        results[name] = (outcome, detail)
    return results


def summary(label, results):
    by_file = {}
    for name, (outcome, _) in results.items():
        by_file.setdefault(name.split("::")[0], Counter())[outcome] += 1
    for name, counts in sorted(by_file.items()):
        ran = counts["passed"] + counts["failed"] + counts["error"]
        print(f"{label} {name}: {counts['passed']}/{ran} passed ({counts['failed']} failed, {counts['error']} errors, "
              f"{counts['skipped']} skipped)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="write the rewritten tests into this folder and keep them")
    parser.add_argument("-k", help="only the tests matching this pytest expression")
    parser.add_argument("--baseline", action="store_true", help="also run the unmodified tests on gensim")
    args = parser.parse_args()
    try:
        import testfixtures  # noqa: F401
    except ImportError:
        sys.exit("gensim's test_word2vec.py needs testfixtures: pip install testfixtures")
    extra = ["-k", args.k] if args.k else []
    folder = Path(args.keep or tempfile.mkdtemp(prefix="gensim-tests-on-w2v-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        baseline = None
        if args.baseline:
            prepare(folder, swap=False)
            baseline = run(folder, extra, "gensim")
            summary("gensim", baseline)
        prepare(folder, swap=True)
        ours = run(folder, extra, "w2v")
        summary("w2v", ours)
        if baseline is not None:
            fine = [n for n, (o, _) in baseline.items() if o == "passed"]
            passed = sum(ours.get(n, ("missing",))[0] == "passed" for n in fine)
            print(f"w2v passes {passed} of the {len(fine)} tests that pass on gensim")
        if baseline is not None:
            print("\nfailing on gensim itself:")
            for name, (outcome, detail) in sorted(baseline.items()):
                if outcome in ("failed", "error"):
                    print(f"  {name}: {detail}")
        print("\nfailing on w2v:")
        unexplained = 0
        for name, (outcome, detail) in sorted(ours.items()):
            if outcome in ("failed", "error"):
                if name in DELIBERATE:
                    note = f" (deliberate: {DELIBERATE[name]})"
                elif baseline and baseline.get(name, ("",))[0] != "passed":
                    note = " (fails on gensim too)"
                else:
                    note, unexplained = "", unexplained + 1
                print(f"  {name}{note}: {detail}")
        print(f"\n{unexplained} failing test(s) not explained by a deliberate difference"
              + ("" if baseline is not None else " (run with --baseline to see which fail on gensim too)"))
        return 1 if unexplained else 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
