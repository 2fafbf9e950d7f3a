"""Phrases: join frequent word pairs (``new york`` → ``new_york``), with gensim 4's names and results.

``Phrases(sentences, min_count=5, threshold=10.0, ...)`` counts words and candidate
phrases — two non-connector words, with any run of connector words between them
(``bank of america``) — and scores each candidate with word2vec's formula
(``scoring="default"``, as gensim computes it, with the number of distinct unigrams and
candidates) or with NPMI (``scoring="npmi"``), or with your own function of gensim's
signature.  Text is turned into int32 ids by the corpus scan and counted and joined in
compiled code (:mod:`w2v.kernels.phrases`); there is no Python work per token.

Candidates are told apart by their words; gensim keys them by the joined string.  The two
agree unless a token already contains the delimiter (as after a first pass): there w2v
scores ``new_york city`` with the counts of ``new_york`` and ``city`` (what gensim's
``phrases[sentence]`` does), where gensim's ``export_phrases`` re-splits the string.
"""
import collections
import inspect
import itertools
import math
import os

import numpy as np

from . import corpus as corpus_mod
from . import store
from .errors import FormatError, W2VError
from .kernels import phrases as kernels

#: gensim 4's English connector words: articles, some prepositions and conjunctions.
ENGLISH_CONNECTOR_WORDS = frozenset(
    "a an the for of with without at from to in on by and or".split())

_SCORING_ARGS = ("worda_count", "wordb_count", "bigram_count", "len_vocab", "min_count", "corpus_word_count")


_BUILD_SENTENCES = 256


class PhrasesError(W2VError, ValueError):
    """Bad Phrases parameters or input."""


def original_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """word2vec's score: (bigram count − min_count) / (count a × count b) × vocabulary size."""
    denom = worda_count * wordb_count
    if denom == 0:
        return -math.inf
    return (bigram_count - min_count) / float(denom) * len_vocab


def npmi_scorer(worda_count, wordb_count, bigram_count, len_vocab, min_count, corpus_word_count):
    """Normalised pointwise mutual information (Bouma 2009), in [-1, 1]; −inf below min_count."""
    if bigram_count < min_count:
        return -math.inf
    n = float(corpus_word_count)
    pa, pb, pab = worda_count / n, wordb_count / n, bigram_count / n
    try:
        return math.log(pab / (pa * pb)) / -math.log(pab)
    except ValueError:
        return -math.inf


def _check_sentence(sentence):
    if isinstance(sentence, (str, bytes)):
        raise corpus_mod.SentenceTypeError(
            f"a sentence must be a list of tokens, not a string ({sentence[:40]!r}); use line.split() "
            "or w2v.tokenize.Tokenizer(...).tokens(line)")


def _is_single(obj):
    """(True, tokens) for one sentence (a list of str), (False, iterable) for a corpus."""
    _check_sentence(obj)
    iterator = iter(obj)
    try:
        first = next(iterator)
    except StopIteration:
        return True, []
    if isinstance(first, str):
        return True, itertools.chain([first], iterator)
    return False, (itertools.chain([first], iterator) if iterator is obj else obj)


def _native():
    try:
        from . import _textio
    except ImportError:
        return None
    return _textio if hasattr(_textio, "TokenTable") else None


def _batches(sentences):
    iterator = iter(sentences)
    while True:
        batch = list(itertools.islice(iterator, corpus_mod._BLOCK_SENTENCES))
        if not batch:
            return
        yield batch


def _encode(index, words, sentences=None, source=None, tokenizer=None, unicode_errors="strict"):
    """A corpus as (int32 ids, int64 sentence lengths) through ``index``/``words`` (both grow)."""
    parts, lengths = [], []
    native = table = None
    if source is None and sentences is not None and tokenizer is None and not isinstance(sentences, (str, bytes)):
        native = _native()
        table = _token_table(native, words)
    if table is not None:
        # lists of str: looked up in C, batch by batch; anything else takes the general path below
        sentences = iter(sentences)
        for batch in _batches(sentences):
            before = len(words)
            try:
                encoded = native.encode_sentences(batch, table, words, 0)
            finally:
                _added(index, words, before)
            if encoded is None:
                for tokens, block_lengths, _ in corpus_mod.blocks(sentences=batch):
                    parts.append(corpus_mod.ids_of(index, words, tokens))
                    lengths.append(block_lengths[block_lengths > 0])
                table = _token_table(native, words)
                if table is None:   # words the table cannot hold (str subclasses): Python for the rest
                    break
                continue
            block_lengths = np.frombuffer(encoded[1], np.int64)
            parts.append(np.frombuffer(encoded[0], np.int32))
            lengths.append(corpus_mod._split_long(block_lengths[block_lengths > 0], corpus_mod.MAX_SENTENCE_LENGTH))
        else:
            return _joined(parts, lengths)
    for tokens, block_lengths, _ in corpus_mod.blocks(source, sentences, unicode_errors, tokenizer):
        parts.append(corpus_mod.ids_of(index, words, tokens))
        lengths.append(block_lengths[block_lengths > 0])
    return _joined(parts, lengths)


def _joined(parts, lengths):
    ids = np.concatenate(parts) if parts else np.zeros(0, np.int32)
    return ids, (np.concatenate(lengths) if lengths else np.zeros(0, np.int64))


def _token_table(native, words):
    """The C extension's table of ``words`` (ids = positions), or None where it cannot hold them."""
    if native is None:
        return None
    try:
        return native.TokenTable(words)
    except (TypeError, ValueError):
        return None


def _added(index, words, before):
    """Enter the words that C appended to ``words`` since ``before`` into ``index`` (a defaultdict
    handing out the next id), as ``index[word]`` would have."""
    if len(words) > before:
        index.update(zip(words[before:], range(before, len(words))))
        if isinstance(index, collections.defaultdict):
            index.default_factory = itertools.count(len(words)).__next__


def _new_index(words):
    index = collections.defaultdict(itertools.count(len(words)).__next__)
    index.update(zip(words, range(len(words))))
    return index


class _Joiner:
    """What joining needs: words → ids, connector flags, the connector-run trie, accepted phrases."""

    def __init__(self, words, connector_words, delimiter, trie_parent, trie_word, a, node_b, scores):
        self.words = list(words)
        self.connector_words = frozenset(connector_words)
        self.delimiter = delimiter
        self.trie_parent = np.asarray(trie_parent, np.int64)
        self.trie_word = np.asarray(trie_word, np.int64)
        self.a = np.asarray(a, np.int64)
        self.node_b = np.asarray(node_b, np.int64)
        self.scores = np.asarray(scores, np.float64)
        self._tables = None

    def strings(self):
        """The phrase strings, in table order."""
        words = self.words
        d = self.delimiter
        runs = [""] * len(self.trie_parent)
        for node in range(1, len(runs)):   # per connector run: few
            runs[node] = runs[self.trie_parent[node]] + words[self.trie_word[node]] + d
        first = map(words.__getitem__, self.a.tolist())
        run = map(runs.__getitem__, (self.node_b >> 32).tolist())
        last = map(words.__getitem__, (self.node_b & 0xFFFFFFFF).tolist())
        return list(map("".join, zip(first, itertools.repeat(d), run, last)))

    def tables(self):
        if self._tables is None:
            p1, p2, pv = kernels.build_table(self.a, self.node_b, np.arange(len(self.a), dtype=np.int64),
                                             kernels.capacity_for(len(self.a)))
            nodes = np.arange(1, len(self.trie_parent), dtype=np.int64)
            c1, c2, cv = kernels.build_table(self.trie_parent[1:], self.trie_word[1:], nodes,
                                             kernels.capacity_for(len(nodes)))
            self._tables = (p1, p2, pv, c1, c2, cv)
        return self._tables

    def is_connector(self, words, flags=None):
        start = 0 if flags is None else len(flags)
        new = np.fromiter(map(self.connector_words.__contains__, words[start:]), dtype=np.bool_,
                          count=len(words) - start)
        return new if flags is None else np.concatenate([flags, new])

    def join_ids(self, ids, lengths, is_conn, phrase_base):
        """The id stream with phrases joined: (ids, lengths); phrase i becomes ``phrase_base + i``."""
        out = np.empty(len(ids), np.int32)
        out_lengths = np.empty(len(lengths), np.int64)
        n = kernels.apply_phrases(ids, np.asarray(lengths, np.int64), is_conn, *self.tables(), phrase_base,
                                  out, out_lengths)
        return out[:n], out_lengths

    def apply(self, sentences):
        """Phrased token lists of a corpus, lazily, block by block."""
        native = _native()
        if native is None:
            yield from self._apply_python(sentences)
            return
        # words the phrases do not know are one "other" id: they only ever end a candidate
        table = _token_table(native, self.words)
        if table is None:
            yield from self._apply_python(sentences)
            return
        other = len(self.words)
        flags = np.append(self.is_connector(self.words), False)
        phrase_strings = self.strings()
        tables = self.tables()
        for batch in _batches(sentences):
            encoded = native.encode_sentences(batch, table, None, other)
            if encoded is None:
                yield from self._apply_python(batch)
                continue
            ids = np.frombuffer(encoded[0], np.int32)
            lengths = np.frombuffer(encoded[1], np.int64)
            refs = np.empty(len(ids), np.int64)
            out_lengths = np.empty(len(lengths), np.int64)
            kernels.apply_phrases(ids, lengths, flags, *tables, 0, refs, out_lengths, True, other)
            # a few hundred lists at a time: they die young, so the collector's full passes do not run
            starts_in = np.concatenate(([0], np.cumsum(lengths))).tolist()
            starts_out = np.concatenate(([0], np.cumsum(out_lengths))).tolist()
            for first in range(0, len(batch), _BUILD_SENTENCES):
                stop = min(first + _BUILD_SENTENCES, len(batch))
                yield from native.build_sentences(batch, refs, out_lengths, phrase_strings, first, stop,
                                                  starts_in[first], starts_out[first])

    def _apply_python(self, sentences):
        index = _new_index(self.words)
        words = list(self.words)
        flags = self.is_connector(words)
        phrase_strings = self.strings()
        iterator = iter(sentences)
        while True:
            batch = list(itertools.islice(iterator, corpus_mod._BLOCK_SENTENCES))
            if not batch:
                return
            for sentence in batch:
                _check_sentence(sentence)
            lengths = np.fromiter(map(len, batch), dtype=np.int64, count=len(batch))
            ids = corpus_mod.ids_of(index, words, list(itertools.chain.from_iterable(batch)))
            flags = self.is_connector(words, flags)
            out, out_lengths = self.join_ids(ids, lengths, flags, len(words))
            tokens = list(map((words + phrase_strings).__getitem__, out.tolist()))
            ends = np.cumsum(out_lengths).tolist()
            yield from map(tokens.__getitem__, map(slice, [0] + ends[:-1], ends))


class _PhrasesTransformation:
    """What Phrases and FrozenPhrases share: applying, finding phrases."""

    def _joiner(self):
        raise NotImplementedError

    def analyze_sentence(self, sentence):
        """(token, score) pairs of one sentence: a joined phrase with its score, other words with None."""
        _check_sentence(sentence)
        start, between = None, []
        for word in sentence:
            if word in self.connector_words:
                if start is None:
                    yield word, None
                else:
                    between.append(word)
                continue
            if start is not None:
                phrase, score = self.score_candidate(start, word, between)
                if score is not None:
                    yield phrase, score
                    start, between = None, []
                    continue
                yield start, None
                yield from ((w, None) for w in between)
            start, between = word, []
        if start is not None:
            yield start, None
            yield from ((w, None) for w in between)

    def __getitem__(self, sentence):
        """One sentence (a list of str) with phrases joined, or, for a corpus, a lazy iterable of them."""
        single, sentence = _is_single(sentence)
        if not single:
            return self._joiner().apply(sentence)
        return [token for token, _ in self.analyze_sentence(list(sentence))]

    def find_phrases(self, sentences):
        """{phrase: score} of the phrases joined in ``sentences``."""
        joiner = self._joiner()
        found = {}
        strings = joiner.strings()
        base = len(joiner.words)
        index = _new_index(joiner.words)
        words = list(joiner.words)
        ids, lengths = _encode(index, words, sentences=sentences)
        out, _ = joiner.join_ids(ids, lengths, joiner.is_connector(words), len(words))
        used = np.unique(out[out >= base]) - base
        for i in used.tolist():
            found[strings[i]] = float(joiner.scores[i])
        return found


def _scoring_function(scoring):
    if isinstance(scoring, str):
        if scoring == "default":
            return original_scorer
        if scoring == "npmi":
            return npmi_scorer
        raise PhrasesError(f"unknown scoring {scoring!r}: use 'default', 'npmi' or a function")
    if not callable(scoring):
        raise PhrasesError(f"scoring must be 'default', 'npmi' or a function, got {scoring!r}")
    try:
        names = list(inspect.signature(scoring).parameters)
    except (TypeError, ValueError):
        names = []
    missing = [name for name in _SCORING_ARGS if name not in names]
    if missing:
        raise PhrasesError(f"scoring function missing expected parameters {missing}")
    return scoring


class Phrases(_PhrasesTransformation):
    """Detect phrases from collocation counts (gensim 4's ``Phrases``: same parameters, same results)."""

    def __init__(self, sentences=None, min_count=5, threshold=10.0, max_vocab_size=40000000, delimiter="_",
                 progress_per=10000, scoring="default", connector_words=frozenset()):
        if isinstance(min_count, bool) or not isinstance(min_count, (int, float, np.number)) or min_count <= 0:
            raise PhrasesError(f"min_count must be at least 1, got {min_count!r}")
        if not isinstance(threshold, (int, float, np.number)) or isinstance(threshold, bool) or math.isnan(threshold):
            raise PhrasesError(f"threshold must be a number, got {threshold!r}")
        if scoring == "default" and threshold <= 0:
            raise PhrasesError(f"threshold must be positive with the default scoring, got {threshold!r}")
        if scoring == "npmi" and not -1 < threshold <= 1:
            raise PhrasesError(f"threshold must be in (-1, 1] with npmi scoring, got {threshold!r}")
        if not isinstance(max_vocab_size, (int, np.integer)) or max_vocab_size < 1:
            raise PhrasesError(f"max_vocab_size must be a whole number >= 1, got {max_vocab_size!r}")
        if not isinstance(delimiter, str) or not delimiter:
            raise PhrasesError(f"delimiter must be a non-empty string, got {delimiter!r}")
        if isinstance(connector_words, str):
            raise PhrasesError("connector_words must be a set of words, not a string")
        self.scoring = _scoring_function(scoring)
        self.min_count = min_count
        self.threshold = threshold
        self.max_vocab_size = int(max_vocab_size)
        self.delimiter = delimiter
        self.progress_per = progress_per
        self.connector_words = frozenset(connector_words)
        self.corpus_word_count = 0
        self.min_reduce = 1
        self._words = []
        self._index = _new_index(self._words)
        self._ucount = np.zeros(0, np.int64)
        self._a = np.zeros(0, np.int64)
        self._node_b = np.zeros(0, np.int64)
        self._counts = np.zeros(0, np.int64)
        self._trie_parent = np.zeros(1, np.int64)
        self._trie_word = np.zeros(1, np.int64)
        self._cache = None
        self._lookup = None
        if sentences is not None:
            self.add_vocab(sentences)

    def __str__(self):
        return (f"Phrases<{len(self)} vocab, min_count={self.min_count}, threshold={self.threshold}, "
                f"max_vocab_size={self.max_vocab_size}>")

    __repr__ = __str__

    def __len__(self):
        """Distinct unigrams and candidates counted: gensim's ``len(phrases.vocab)``."""
        return int(np.count_nonzero(self._ucount)) + len(self._counts)

    # -- learning ---------------------------------------------------------------------------
    def add_vocab(self, sentences=None, corpus_file=None, tokenizer=None):
        """Count the words and candidates of more sentences (or of a text file, read with ``tokenizer``)."""
        if sentences is not None:
            _check_sentence(sentences)
        ids, lengths = _encode(self._index, self._words, sentences, corpus_file, tokenizer)
        self._learn_ids(ids, lengths)
        return self

    add_vocab_documents = add_vocab

    def _learn_ids(self, ids, lengths):
        flags = np.fromiter(map(self.connector_words.__contains__, self._words), dtype=np.bool_,
                            count=len(self._words))
        lengths = np.asarray(lengths, np.int64)
        fast = kernels.count_sorted(ids, lengths, flags, len(self._words), self._trie_parent, self._trie_word)
        if fast is not None and np.count_nonzero(fast[0]) + len(fast[1]) <= self.max_vocab_size:
            # the counts never outgrew max_vocab_size, so count_phrases would not have pruned either
            ucount, a, node_b, counts, parent, word, total = fast
            min_reduce = 1
        else:
            ucount, a, node_b, counts, parent, word, total, min_reduce = kernels.count_phrases(
                ids, lengths, flags, len(self._words), self._trie_parent, self._trie_word, self.max_vocab_size, 1)
        self._trie_parent, self._trie_word = parent, word
        self.corpus_word_count += int(total)
        old = np.zeros(len(ucount), np.int64)
        old[:len(self._ucount)] = self._ucount
        if len(self):
            self.min_reduce = max(self.min_reduce, int(min_reduce))
            self._ucount = old + ucount
            a = np.concatenate([self._a, a])
            node_b = np.concatenate([self._node_b, node_b])
            counts = np.concatenate([self._counts, counts])
            order = np.lexsort((node_b, a))
            a, node_b, counts = a[order], node_b[order], counts[order]
            first = np.ones(len(a), bool)
            first[1:] = (a[1:] != a[:-1]) | (node_b[1:] != node_b[:-1])
            starts = np.flatnonzero(first)
            self._a, self._node_b = a[starts], node_b[starts]
            self._counts = np.add.reduceat(counts, starts) if len(starts) else counts[:0]
            if len(self) > self.max_vocab_size:
                keep = self._counts >= self.min_reduce
                self._a, self._node_b, self._counts = self._a[keep], self._node_b[keep], self._counts[keep]
                self._ucount[self._ucount < self.min_reduce] = 0
                self.min_reduce += 1
        else:
            self._ucount = ucount
            self._a, self._node_b, self._counts = a, node_b, counts
        self._cache = None
        self._lookup = None

    # -- scoring ----------------------------------------------------------------------------
    def _scores(self):
        """The score of every candidate (−inf where gensim's score_candidate gives none)."""
        if self._cache is not None:
            return self._cache
        n_vocab = len(self)
        if self.scoring is original_scorer:
            self._cache = kernels.default_scores(self._ucount, self._a, self._node_b, self._counts, self.min_count,
                                                 n_vocab)
            return self._cache
        ca = self._ucount[self._a] if len(self._a) else np.zeros(0, np.int64)
        cb = self._ucount[self._node_b & 0xFFFFFFFF] if len(self._a) else np.zeros(0, np.int64)
        cab = self._counts
        valid = (ca > 0) & (cb > 0) & (cab > 0)
        scores = np.full(len(cab), -np.inf)
        if self.scoring is npmi_scorer:
            n = float(self.corpus_word_count)
            ok = valid & (cab >= self.min_count)
            pa, pb, pab = ca[ok] / n, cb[ok] / n, cab[ok] / n
            with np.errstate(divide="ignore", invalid="ignore"):
                scores[ok] = np.log(pab / (pa * pb)) / -np.log(pab)
        else:
            for i in np.flatnonzero(valid).tolist():   # a user's function: called per candidate, as gensim does
                scores[i] = self.scoring(worda_count=int(ca[i]), wordb_count=int(cb[i]), bigram_count=int(cab[i]),
                                         len_vocab=n_vocab, min_count=self.min_count,
                                         corpus_word_count=self.corpus_word_count)
        self._cache = scores
        return scores

    def _joiner(self):
        scores = self._scores()
        keep = scores > self.threshold
        return _Joiner(self._words, self.connector_words, self.delimiter, self._trie_parent, self._trie_word,
                       self._a[keep], self._node_b[keep], scores[keep])

    def score_candidate(self, word_a, word_b, in_between):
        """(joined phrase, score) when ``word_a in_between… word_b`` is a phrase, else (None, None)."""
        ia, ib = self._index.get(word_a), self._index.get(word_b)
        if ia is None or ib is None or ia >= len(self._ucount) or ib >= len(self._ucount):
            return None, None
        if self._ucount[ia] <= 0 or self._ucount[ib] <= 0:
            return None, None
        if self._lookup is None:
            t = kernels.build_table(self._a, self._node_b, np.arange(len(self._a), dtype=np.int64),
                                    kernels.capacity_for(len(self._a)))
            c = kernels.build_table(self._trie_parent[1:], self._trie_word[1:],
                                    np.arange(1, len(self._trie_parent), dtype=np.int64),
                                    kernels.capacity_for(len(self._trie_parent)))
            self._lookup = t, c
        (p1, p2, pv), (c1, c2, cv) = self._lookup
        node = 0
        for w in in_between:
            iw = self._index.get(w)
            s = -1 if iw is None else kernels.table_find(c1, c2, node, iw)
            if s < 0:
                return None, None
            node = int(cv[s])
        s = kernels.table_find(p1, p2, ia, (node << 32) | ib)
        if s < 0:
            return None, None
        hit = [pv[s]]
        score = float(self._scores()[hit[0]])
        if not score > self.threshold:
            return None, None
        return self.delimiter.join([word_a, *in_between, word_b]), score

    def export_phrases(self):
        """{phrase: score} of every candidate scoring above the threshold."""
        joiner = self._joiner()
        return dict(zip(joiner.strings(), joiner.scores.tolist()))

    @property
    def vocab(self):
        """{token or joined candidate: count}, as gensim's ``Phrases.vocab`` (built on demand)."""
        joiner = _Joiner(self._words, self.connector_words, self.delimiter, self._trie_parent, self._trie_word,
                         self._a, self._node_b, self._counts)
        present = np.flatnonzero(self._ucount)
        result = dict(zip(map(self._words.__getitem__, present.tolist()), self._ucount[present].tolist()))
        for key, count in zip(joiner.strings(), self._counts.tolist()):
            result[key] = result.get(key, 0) + count
        return result

    def freeze(self):
        """A FrozenPhrases: only the phrases, smaller and quicker, no more learning."""
        return FrozenPhrases(self)

    # -- files ------------------------------------------------------------------------------
    def _meta(self):
        if self.scoring not in (original_scorer, npmi_scorer):
            raise PhrasesError("a Phrases with a custom scoring function cannot be saved (w2v files hold no code)")
        return {"scoring": "default" if self.scoring is original_scorer else "npmi", "min_count": self.min_count,
                "threshold": self.threshold, "delimiter": self.delimiter,
                "connector_words": sorted(self.connector_words)}

    def save(self, path):
        """Save to a native w2v file (kind "phrases"), atomically."""
        blob, offsets = store.encode_strings(self._words)
        meta = self._meta() | {"frozen": False, "max_vocab_size": self.max_vocab_size,
                               "corpus_word_count": self.corpus_word_count, "min_reduce": self.min_reduce}
        store.save(path, "phrases", meta, {"words": blob, "word_offsets": offsets, "ucount": self._ucount,
                                           "a": self._a, "node_b": self._node_b, "counts": self._counts,
                                           "trie_parent": self._trie_parent, "trie_word": self._trie_word})

    @classmethod
    def load(cls, path):
        """Load a Phrases or FrozenPhrases saved by w2v (whichever the file holds)."""
        path = os.fspath(path)
        kind, meta, arrays = store.load(path)
        if kind != "phrases":
            raise FormatError(f"{path}: holds {kind!r}, not phrases")
        words = store.decode_strings(arrays["words"], arrays["word_offsets"])
        if meta.get("frozen"):
            frozen = FrozenPhrases.__new__(FrozenPhrases)
            frozen._set(_Joiner(words, meta["connector_words"], meta["delimiter"], arrays["trie_parent"],
                                arrays["trie_word"], arrays["a"], arrays["node_b"], arrays["scores"]),
                        meta["threshold"], meta["min_count"], _scoring_function(meta["scoring"]))
            return frozen
        model = cls(min_count=meta["min_count"], threshold=meta["threshold"], max_vocab_size=meta["max_vocab_size"],
                    delimiter=meta["delimiter"], scoring=meta["scoring"], connector_words=meta["connector_words"])
        model._words = words
        model._index = _new_index(words)
        model._ucount, model._a, model._node_b = arrays["ucount"], arrays["a"], arrays["node_b"]
        model._counts, model._trie_parent, model._trie_word = arrays["counts"], arrays["trie_parent"], arrays["trie_word"]
        model.corpus_word_count, model.min_reduce = meta["corpus_word_count"], meta["min_reduce"]
        return model


class FrozenPhrases(_PhrasesTransformation):
    """The phrases of a trained :class:`Phrases` and nothing else (gensim's ``FrozenPhrases``/``Phraser``)."""

    def __init__(self, phrases_model):
        if not isinstance(phrases_model, Phrases):
            raise PhrasesError(f"FrozenPhrases needs a Phrases, got {type(phrases_model).__name__}")
        joiner = phrases_model._joiner()
        # keep only the words the phrases use
        used = np.unique(np.concatenate([joiner.a, joiner.node_b & 0xFFFFFFFF, joiner.trie_word[1:]]))
        remap = np.full(len(joiner.words) + 1, -1, np.int64)
        remap[used] = np.arange(len(used))
        words = list(map(joiner.words.__getitem__, used.tolist()))
        node_b = ((joiner.node_b >> 32) << 32) | remap[joiner.node_b & 0xFFFFFFFF]
        trie_word = remap[joiner.trie_word]
        trie_word[0] = 0
        self._set(_Joiner(words, joiner.connector_words, joiner.delimiter, joiner.trie_parent, trie_word,
                          remap[joiner.a], node_b, joiner.scores),
                  phrases_model.threshold, phrases_model.min_count, phrases_model.scoring)

    def _set(self, joiner, threshold, min_count, scoring):
        self._joiner_ = joiner
        self.threshold = threshold
        self.min_count = min_count
        self.scoring = scoring
        self.delimiter = joiner.delimiter
        self.connector_words = joiner.connector_words
        self.phrasegrams = dict(zip(joiner.strings(), joiner.scores.tolist()))

    def _joiner(self):
        return self._joiner_

    def __str__(self):
        return f"FrozenPhrases<{len(self.phrasegrams)} phrases, min_count={self.min_count}, threshold={self.threshold}>"

    __repr__ = __str__

    def score_candidate(self, word_a, word_b, in_between):
        phrase = self.delimiter.join([word_a, *in_between, word_b])
        score = self.phrasegrams.get(phrase, -math.inf)
        return (phrase, score) if score > self.threshold else (None, None)

    def export_phrases(self):
        return dict(self.phrasegrams)

    def save(self, path):
        """Save to a native w2v file (kind "phrases", frozen), atomically."""
        j = self._joiner_
        if self.scoring not in (original_scorer, npmi_scorer):
            raise PhrasesError("phrases scored by a custom function cannot be saved (w2v files hold no code)")
        blob, offsets = store.encode_strings(j.words)
        meta = {"frozen": True, "scoring": "default" if self.scoring is original_scorer else "npmi",
                "min_count": self.min_count, "threshold": self.threshold, "delimiter": j.delimiter,
                "connector_words": sorted(j.connector_words)}
        store.save(path, "phrases", meta, {"words": blob, "word_offsets": offsets, "a": j.a, "node_b": j.node_b,
                                           "scores": j.scores, "trie_parent": j.trie_parent,
                                           "trie_word": j.trie_word})

    load = Phrases.load


Phraser = FrozenPhrases


def learn_passes(ids, lengths, words, passes, progress=None, **params):
    """Learn and join phrases ``passes`` times on an id stream (one read of the text).

    ``words`` maps ids to strings.  Returns (ids, lengths, words, [Phrases of each pass]); a
    phrase whose string is already a word takes that word's id.
    """
    models = []
    words = list(words)
    for _ in range(passes):
        model = Phrases(**params)
        model._words = words
        model._index = _new_index(words)
        model._learn_ids(ids, lengths)
        if not len(model):
            raise corpus_mod.CorpusError("the corpus is empty: no words were read")
        joiner = model._joiner()
        flags = joiner.is_connector(words)
        new_ids, lengths = joiner.join_ids(ids, lengths, flags, len(words))
        strings = joiner.strings()
        index = dict(zip(words, range(len(words))))
        target = np.fromiter(map(index.get, strings, itertools.count(len(words))), dtype=np.int64,
                             count=len(strings))
        fresh = target >= len(words)
        target[fresh] = len(words) + np.arange(int(fresh.sum()))
        words = words + [s for s, f in zip(strings, fresh.tolist()) if f]
        remap = np.concatenate([np.arange(len(model._words), dtype=np.int64), target]).astype(np.int32)
        ids = remap[new_ids]
        models.append(model)
    return ids, lengths, words, models


def phrase_scan(scan, phrases):
    """A corpus scan with phrases learned and joined in its id stream (training's ``phrases=``).

    ``phrases`` is a number of passes, or a dict of Phrases parameters with "passes".
    Returns a new :class:`w2v.corpus.Scan` whose words include the phrases.
    """
    params = dict(phrases) if isinstance(phrases, dict) else {"passes": phrases}
    passes = params.pop("passes", 1)
    if "connector_words" in params:
        params["connector_words"] = frozenset(params["connector_words"])
    ids, lengths, words, models = learn_passes(scan.ids, scan.lengths, scan.words, passes, **params)
    counts = np.bincount(ids, minlength=len(words)).astype(np.int64)
    found = corpus_mod.Scan(dict(zip(words, range(len(words)))), words, counts, ids, lengths)
    found.phrase_models = models
    return found
