"""The standard evaluation sets by name: ``google`` analogies, ``wordsim353`` and ``simlex999`` pairs.

``path(name)`` gives a local file for :meth:`KeyedVectors.evaluate_word_analogies` and
``evaluate_word_pairs`` (``w2v evaluate --analogies google --pairs wordsim353`` takes the
names directly)::

    from w2v import datasets
    kv.evaluate_word_analogies(datasets.path("google"))
    kv.evaluate_word_pairs(datasets.path("wordsim353"))

What may be shipped is shipped (Google's analogy questions, Apache 2.0, in ``w2v/data/eval``);
the rest, whose publishers state no licence for redistribution, is downloaded on first use
through :mod:`w2v.download` (resumed, retried, checked against a SHA-256) into
``<cache>/datasets/NAME/``.  ``w2v download NAME`` fetches one ahead of time.
"""
import os
from importlib import resources

from . import download
from .errors import W2VError

#: name -> what the set is and where it comes from
DATASETS = {
    "google": {
        "file": "questions-words.txt", "kind": "analogies", "shipped": True,
        "description": "19,544 analogy questions in 14 sections (Mikolov et al. 2013), as distributed with word2vec",
        "licence": "Apache 2.0 (with word2vec)",
        "sha256": "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    },
    "wordsim353": {
        "file": "wordsim353.tsv", "kind": "pairs", "shipped": False,
        "description": "353 word pairs with human relatedness scores (Finkelstein et al. 2002)",
        "licence": "no licence stated by the publishers (cite the paper); downloaded, not shipped",
        "url": "https://raw.githubusercontent.com/piskvorky/gensim/4.4.0/gensim/test/test_data/wordsim353.tsv",
        "sha256": "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
    },
    "simlex999": {
        "file": "simlex999.txt", "kind": "pairs", "shipped": False,
        "description": "999 word pairs with human similarity (not relatedness) scores (Hill et al. 2015)",
        "licence": "no licence stated by the publishers (cite the paper); downloaded, not shipped",
        "url": "https://raw.githubusercontent.com/piskvorky/gensim/4.4.0/gensim/test/test_data/simlex999.txt",
        "sha256": "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
    },
}
#: the other spellings people use
ALIASES = {"questions-words": "google", "questions-words.txt": "google", "ws353": "wordsim353",
           "wordsim-353": "wordsim353", "simlex": "simlex999", "simlex-999": "simlex999"}


class DatasetError(W2VError, KeyError):
    """An evaluation set name w2v does not know (also a KeyError, naming it)."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


def names():
    """The evaluation sets w2v knows, by name."""
    return sorted(DATASETS)


def canonical(name):
    """``name`` as a key of :data:`DATASETS` (aliases resolved), or None when it is not one."""
    name = str(name).lower()
    name = ALIASES.get(name, name)
    return name if name in DATASETS else None


def cached_path(name):
    """Where the downloaded copy of evaluation set ``name`` lives (it may not exist yet)."""
    item = DATASETS[name]
    return os.path.join(download.cache_dir(), "datasets", name, item["file"])


def path(name, progress=None):
    """A local file holding evaluation set ``name``: the shipped copy, or the cached download
    (downloaded and checked first if need be)."""
    key = canonical(name)
    if key is None:
        raise DatasetError(f"no evaluation set called {name!r}; known: {', '.join(names())}")
    item = DATASETS[key]
    if item["shipped"]:
        return str(resources.files("w2v").joinpath("data/eval", item["file"]))
    target = cached_path(key)
    if os.path.exists(target) and download._hash_file(target, "sha256") == item["sha256"]:
        return target
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    requests = download._requests()
    with download._locked(directory, key), requests.Session() as session:
        if os.path.exists(target):   # a damaged or replaced copy: fetched again
            os.unlink(target)
        partial = download._download(session, item["url"], target, progress, key, download.TIMEOUT,
                                     download.ATTEMPTS, download.BACKOFF, key)
        download._verify(partial, {"sha256": item["sha256"]}, {}, key, item["url"], target)
        os.replace(partial, target)
    return target


def resolve(path_or_name, kind=None):
    """The file to read for an evaluation argument: an existing path as given, else the file of
    the evaluation set of that name (``kind``: "analogies" or "pairs", checked)."""
    given = os.fspath(path_or_name)
    if os.path.exists(given) or os.sep in given:
        return given
    key = canonical(given)
    if key is None:
        return given        # the reader says "no such file"
    if kind is not None and DATASETS[key]["kind"] != kind:
        raise W2VError(f"{given!r} is a set of {DATASETS[key]['kind']}, not of {kind}; sets of {kind}: "
                       f"{', '.join(n for n in names() if DATASETS[n]['kind'] == kind)}")
    return path(key)
