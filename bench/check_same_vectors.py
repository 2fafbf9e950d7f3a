"""Check that a change to the training code leaves the trained vectors bit for bit as they were.

    git worktree add /tmp/before main
    python bench/check_same_vectors.py /tmp/before/src

Trains the same small models (every mode: skip-gram and CBOW, negative sampling and
hierarchical softmax, both at once; one worker and a seed, so training is repeatable) with
the code in SRC and with the code of this checkout, each in its own process, and compares
every matrix and the per-epoch losses exactly.  Exit status 1 when any differs.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "src" / "w2v" / "data" / "public-domain-speeches.txt.gz"
MODES = {
    "sg-ns": dict(sg=1),
    "cbow-ns": dict(sg=0),
    "sg-hs": dict(sg=1, hs=1, negative=0),
    "cbow-hs-sum": dict(sg=0, hs=1, negative=0, cbow_mean=0),
    "sg-hs-ns-full-window": dict(sg=1, hs=1, negative=3, window=3, shrink_windows=False),
}
CHILD = r"""
import json, sys
import numpy as np
import w2v
out, corpus, modes = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
for name, options in modes.items():
    m = w2v.Word2Vec(corpus_file=corpus, vector_size=32, epochs=2, workers=1, seed=7, progress=False,
                     compute_loss=True, **options)
    np.savez(f"{out}/{name}.npz", syn0=m.wv.vectors, loss=np.array(m.epoch_losses),
             syn1neg=m.syn1neg if m.syn1neg is not None else np.zeros(0),
             syn1=m.syn1 if m.syn1 is not None else np.zeros(0))
"""


def train(src, out):
    import json

    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    subprocess.run([sys.executable, "-c", CHILD, out, str(CORPUS), json.dumps(MODES)], env=env, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", metavar="SRC", help="the src/ folder of the code to compare with")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before, after = os.path.join(tmp, "before"), os.path.join(tmp, "after")
        os.mkdir(before)
        os.mkdir(after)
        train(args.before, before)
        train(None, after)
        failed = False
        for name in MODES:
            a, b = np.load(f"{before}/{name}.npz"), np.load(f"{after}/{name}.npz")
            same = all(np.array_equal(a[k], b[k]) for k in a.files)
            failed |= not same
            print(f"{name:22} {'identical' if same else 'DIFFERENT'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
