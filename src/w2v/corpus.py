"""Text in: files (plain, .gz, .bz2, .xz), folders, stdin, or iterables of token lists.

Everything is read in one pass and turned into integer ids in bulk: each block of text
is split by ``str.split`` and mapped through a dict with C-level ``map``, so there is no
Python work per token beyond what ``str.split`` costs.  The result, a :class:`Scan`, holds
the counts of every distinct word and the whole corpus as int32 ids; after the
vocabulary is chosen, :meth:`Scan.encode` turns it into the training arrays.  Reading
once means stdin and one-shot generators work too.
"""
import collections
import itertools
import os
import sys
import tempfile

import numpy as np
from numba import njit

from .compression import READ_ERRORS, open_file
from .errors import CorpusError, DecompressionError
from .progress import progress_bar
from .tokenize import Tokenizer
from .utils import keep_mask

MAX_SENTENCE_LENGTH = 10_000
_BLOCK_BYTES = 1 << 20
_BLOCK_SENTENCES = 20_000


def _files_of(source):
    """The list of (display name, path or None for stdin) a source names."""
    if source == "-":
        return [("<stdin>", None)]
    path = os.fspath(source)
    if os.path.isdir(path):
        files = sorted(
            os.path.join(root, name)
            for root, _, names in os.walk(path)
            for name in names
            if not name.startswith(".")
        )
        if not files:
            raise CorpusError(f"{path}: the folder has no files")
        return [(f, f) for f in files]
    if not os.path.exists(path):
        raise CorpusError(f"{path}: no such file or folder")
    return [(path, path)]


def _split_long(lengths, limit):
    """Split sentence lengths over ``limit`` into pieces of at most ``limit`` tokens (never drop)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.size == 0 or lengths.max() <= limit:
        return lengths
    pieces = []
    for n in lengths.tolist():
        while n > limit:
            pieces.append(limit)
            n -= limit
        pieces.append(n)
    return np.asarray(pieces, dtype=np.int64)


class SentenceTypeError(CorpusError, TypeError):
    """A sentence is a string, not a list of tokens (a TypeError too, as gensim's failures are)."""


class _FileBlocks:
    """Blocks of (tokens, sentence lengths) from text files, with file/line error reports."""

    def __init__(self, source, unicode_errors, tokenizer=None):
        self.files = _files_of(source)
        self.unicode_errors = unicode_errors
        self.tokenizer = tokenizer if tokenizer is not None and not tokenizer.is_default else None
        self.total_bytes = 0
        for _, path in self.files:
            if path is not None:
                self.total_bytes += os.path.getsize(path)

    def __iter__(self):
        for name, path in self.files:
            try:
                handle = sys.stdin.buffer if path is None else open_file(path)[0]
            except OSError as exc:
                raise CorpusError(f"{name}: cannot open: {exc.strerror or exc}") from None
            raw = getattr(handle, "fileobj", None) or getattr(handle, "_fp", None) or handle
            try:
                yield from self._read(name, handle, raw)
            except DecompressionError:   # names the file and offsets already (and a cut one is an EOFError)
                raise
            except READ_ERRORS as exc:
                raise CorpusError(f"{name}: cannot read: {exc}") from None
            finally:
                if path is not None:
                    handle.close()

    def _read(self, name, handle, raw):
        line_no = 0
        rest = b""
        last_pos = 0
        while True:
            chunk = handle.read(_BLOCK_BYTES)
            if not chunk:
                data, rest = rest, b""
            else:
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:  # one very long line: keep reading until it ends
                    rest = data
                    continue
                data, rest = data[:cut], data[cut:]
            if data:
                try:
                    text = data.decode("utf-8", errors=self.unicode_errors)
                except UnicodeDecodeError as exc:
                    bad_line = line_no + data.count(b"\n", 0, exc.start) + 1
                    column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
                    raise CorpusError(
                        f"{name}, line {bad_line}, byte {column}: invalid UTF-8 "
                        f"({exc.reason}); use unicode_errors='replace' (CLI: --unicode-errors replace) to read it anyway"
                    ) from None
                if self.tokenizer is not None and chunk:
                    # sentences cut at punctuation may run over lines: carry the unfinished one
                    end = self.tokenizer.complete_end(text)
                    if end == 0 and len(data) < 2 * _BLOCK_BYTES:
                        rest = data + rest   # no sentence end yet: read one block more, not more
                        continue             # (text without sentence ends must not be read twice over)
                    if 0 < end < len(text):
                        rest = text[end:].encode("utf-8") + rest
                        text = text[:end]
                if self.tokenizer is None:
                    lines = text.split("\n")
                    if lines and lines[-1] == "":
                        lines.pop()
                    line_no += len(lines)
                    split = [line.split() for line in lines]
                else:
                    line_no += text.count("\n")
                    tokens, counts = self.tokenizer.split_flat(text)
                if self.tokenizer is None:
                    counts = list(map(len, split))
                    tokens = list(itertools.chain.from_iterable(split))
                lengths = _split_long(counts, MAX_SENTENCE_LENGTH)
                try:
                    pos = raw.tell()
                except (OSError, AttributeError, ValueError):
                    pos = last_pos
                yield tokens, lengths, max(0, pos - last_pos)
                last_pos = pos
            if not chunk:
                return


class _IterableBlocks:
    """Blocks of (tokens, sentence lengths) from an iterable of token lists."""

    def __init__(self, sentences, tokenizer=None):
        if isinstance(sentences, (str, bytes)):
            raise SentenceTypeError("sentences must be an iterable of token lists, not a single string")
        self.sentences = sentences
        self.total_bytes = 0
        self.tokenizer = tokenizer if tokenizer is not None and not tokenizer.is_default else None

    def __iter__(self):
        iterator = iter(self.sentences)
        number = 0
        while True:
            batch = list(itertools.islice(iterator, _BLOCK_SENTENCES))
            if not batch:
                return
            for i, sentence in enumerate(batch):
                if isinstance(sentence, (str, bytes)):
                    raise SentenceTypeError(
                        f"sentence {number + i + 1} is a string ({sentence[:40]!r}); each sentence must be a "
                        "list of tokens, e.g. line.split()"
                    )
            number += len(batch)
            if self.tokenizer is not None:
                batch = self.tokenizer.retokenize(batch)
            lengths = _split_long(list(map(len, batch)), MAX_SENTENCE_LENGTH)
            tokens = list(itertools.chain.from_iterable(batch))
            if not all(map(isinstance, tokens, itertools.repeat(str))):  # C-level: no bytecode per token
                bad = next(t for t in tokens if not isinstance(t, str))
                raise CorpusError(f"tokens must be str, got {type(bad).__name__} ({bad!r}) in sentences "
                                  f"{number - len(batch) + 1}-{number}")
            yield tokens, lengths, 0


def blocks(source=None, sentences=None, unicode_errors="strict", tokenizer=None):
    """Blocks of (tokens, sentence lengths, bytes read) from exactly one of the two inputs;
    ``tokenizer`` (a :class:`w2v.tokenize.Tokenizer` or its spec) says how text becomes tokens."""
    if (source is None) == (sentences is None):
        raise CorpusError("give exactly one corpus: corpus_file (a path, folder or '-') or sentences (an iterable)")
    if unicode_errors not in ("strict", "replace", "ignore"):
        raise ValueError(f"unicode_errors must be 'strict', 'replace' or 'ignore', not {unicode_errors!r}")
    tokenizer = Tokenizer.make(tokenizer)
    if source is not None:
        return _FileBlocks(source, unicode_errors, tokenizer)
    return _IterableBlocks(sentences, tokenizer)


class _IdArray:
    """An append-only int32 array that spills to a temporary file when it grows large."""

    def __init__(self, spill_tokens):
        self.parts = []
        self.size = 0
        self.spill_tokens = spill_tokens
        self.file = None

    def append(self, ids):
        self.size += len(ids)
        if self.file is not None:
            self.file.write(ids.tobytes())
            return
        self.parts.append(ids)
        if self.size > self.spill_tokens:
            self.file = tempfile.TemporaryFile(prefix="w2v-corpus-")
            for part in self.parts:
                self.file.write(part.tobytes())
            self.parts = []

    def array(self):
        if self.file is None:
            return np.concatenate(self.parts) if self.parts else np.zeros(0, np.int32)
        self.file.flush()
        return np.memmap(self.file, dtype=np.int32, mode="r+", shape=(self.size,))


class Scan:
    """One pass over a corpus: distinct words with counts, and the corpus as provisional ids."""

    def __init__(self, index, words, counts, ids, lengths):
        self.index = index          # word -> provisional id, for the words still counted
        self.words = words          # provisional id -> word (a word forgotten and seen again has two)
        self.counts = counts        # provisional id -> count (0 for words pruned on the way)
        self.ids = ids              # the corpus, as provisional ids
        self.lengths = lengths      # tokens per sentence
        self.total_words = int(lengths.sum())

    def vocabulary(self):
        """(words, counts) of the words counted, in first-seen order."""
        pids = np.fromiter(self.index.values(), dtype=np.int64, count=len(self.index))
        return list(self.index.keys()), self.counts[pids]

    @property
    def sentence_count(self):
        return len(self.lengths)

    def encode(self, key_to_index):
        """The corpus as final ids: (ids without out-of-vocabulary words, sentence offsets into ids,
        raw words per sentence).  Windows span the dropped words, as in word2vec.c and gensim."""
        remap = np.fromiter(map(key_to_index.get, self.words, itertools.repeat(-1)), dtype=np.int32,
                            count=len(self.words))
        return encode_with(remap, self.ids, self.lengths)


def encode_with(remap, ids, lengths):
    """Map provisional ids through ``remap`` and drop the -1s: (ids, sentence offsets into them, raw
    words per sentence).  ``ids`` may be a memmap.  One compiled pass straight into the output: the
    numpy version (:func:`encode_with_reference`) needs temporaries four times the corpus's size
    at its peak (measured: +83 MB on english-5m, the training process's peak; bench/RESULTS.md)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    out_ids = np.empty(len(ids), np.int32)
    out_lengths = np.empty(len(lengths), np.int64)
    n = _encode(np.ascontiguousarray(remap, np.int32), np.asarray(ids), lengths, out_ids, out_lengths)
    offsets = np.zeros(len(out_lengths) + 1, dtype=np.int64)
    np.cumsum(out_lengths, out=offsets[1:])
    # a view: the dropped words' room (out-of-vocabulary tokens, a few percent) is not worth a copy
    return out_ids[:n], offsets, lengths


@njit(nogil=True, cache=True)
def _encode(remap, ids, lengths, out_ids, out_lengths):
    p = 0
    n = 0
    for s in range(len(lengths)):
        kept = 0
        for t in range(p, p + lengths[s]):
            w = remap[ids[t]]
            if w >= 0:
                out_ids[n] = w
                n += 1
                kept += 1
        out_lengths[s] = kept
        p += lengths[s]
    return n


def encode_with_reference(remap, ids, lengths):
    """The readable numpy twin of :func:`encode_with` (tests hold the two to each other): map
    provisional ids through ``remap`` and drop the -1s, in chunks (``ids`` may be a memmap)."""
    kept_ids = []
    kept_lengths = []
    step = 1 << 24
    starts = np.concatenate([[0], np.cumsum(lengths)])
    sentence = 0
    for lo in range(0, len(ids), step):
        hi = min(len(ids), lo + step)
        # whole sentences only: extend the chunk to the end of the sentence it cuts
        last = np.searchsorted(starts, hi, side="left")
        hi = int(starts[last])
        if hi <= lo:
            continue
        mapped = remap[ids[lo:hi]]
        keep = mapped >= 0
        kept_ids.append(mapped[keep])
        first = sentence
        sentence = last
        # sentences are never empty (the scan drops empty lines), so reduceat sums each one
        kept_lengths.append(np.add.reduceat(keep, starts[first:last] - lo, dtype=np.int64))
    out_ids = np.concatenate(kept_ids) if kept_ids else np.zeros(0, np.int32)
    out_lengths = np.concatenate(kept_lengths) if kept_lengths else np.zeros(0, np.int64)
    offsets = np.zeros(len(out_lengths) + 1, dtype=np.int64)
    np.cumsum(out_lengths, out=offsets[1:])
    return out_ids, offsets, np.asarray(lengths, dtype=np.int64)


def ids_of(index, words, tokens):
    """``tokens`` as int32 ids through ``index`` (a defaultdict handing out the next id to a new
    word), with C-level ``map``; new words are appended to ``words``."""
    before = len(index)
    ids = np.fromiter(map(index.__getitem__, tokens), dtype=np.int32, count=len(tokens))
    added = len(index) - before
    if added:  # the dict keeps insertion order, so the new words are its last entries
        words.extend(list(itertools.islice(reversed(index), added))[::-1])
    return ids


def scan(source=None, sentences=None, unicode_errors="strict", max_vocab_size=None, progress=None,
         spill_tokens=1 << 28, tokenizer=None, trim_rule=None):
    """Read a corpus once: count words and keep the corpus as provisional ids.

    ``max_vocab_size`` bounds the words counted at once, as in gensim and word2vec.c:
    after each sentence, when more distinct words than that are counted, the words seen
    fewer than ``min_reduce`` times are forgotten (``trim_rule`` may keep or drop words
    there too) and ``min_reduce`` grows by one (it starts at 1); a forgotten word's earlier
    count is lost.
    """
    reader = blocks(source, sentences, unicode_errors, tokenizer)
    new_id = itertools.count().__next__
    index = collections.defaultdict(new_id)
    words = []
    counts = np.zeros(1 << 16, dtype=np.int64)
    pruner = _Pruner(max_vocab_size, trim_rule) if max_vocab_size else None
    id_array = _IdArray(spill_tokens)
    all_lengths = []
    bar = progress_bar(total=reader.total_bytes or None, unit="B", unit_scale=True, desc="reading",
                       disable=None if progress is None else not progress, leave=False)
    with bar:
        for tokens, lengths, nbytes in reader:
            ids = ids_of(index, words, tokens)
            seen = len(words)
            if seen > len(counts):
                counts = np.concatenate([counts, np.zeros(max(seen, 2 * len(counts)) - len(counts), np.int64)])
            if pruner is None:
                counts[:seen] += np.bincount(ids, minlength=seen)
            elif pruner.count(ids, lengths, counts, words):
                # forget the pruned words for good: one that comes back gets a new provisional id
                index = collections.defaultdict(new_id, itertools.compress(
                    index.items(), pruner.alive[np.fromiter(index.values(), np.int64, len(index))]))
            id_array.append(ids)
            all_lengths.append(lengths[lengths > 0])
            bar.update(nbytes)
            bar.set_postfix_str(f"{id_array.size:,} words", refresh=False)
    lengths = np.concatenate(all_lengths) if all_lengths else np.zeros(0, np.int64)
    return Scan(index, words, counts[:len(words)], id_array.array(), lengths)


@njit(nogil=True, cache=True)
def _count_until_full(ids, lengths, sentence, position, counts, alive, n_alive, limit):
    """Count sentences from ``sentence`` (its first token at ``position``) until, after a
    sentence, more than ``limit`` words are counted.  Returns (next sentence, its position,
    words counted); the next sentence is ``len(lengths)`` when the block is done."""
    for s in range(sentence, len(lengths)):
        for p in range(position, position + lengths[s]):
            w = ids[p]
            if not alive[w]:
                alive[w] = True
                n_alive += 1
            counts[w] += 1
        position += lengths[s]
        if n_alive > limit:
            return s + 1, position, n_alive
    return len(lengths), position, n_alive


class _Pruner:
    """gensim's and word2vec.c's bounded counting (``max_vocab_size``): which provisional ids
    are counted now, and the threshold of the next pruning."""

    def __init__(self, limit, trim_rule=None):
        self.limit = int(limit)
        self.trim_rule = trim_rule
        self.min_reduce = 1
        self.alive = np.zeros(1 << 16, dtype=np.bool_)
        self.n_alive = 0

    def count(self, ids, lengths, counts, words):
        """Count one block into ``counts``, pruning after each sentence that overflows;
        returns whether any word was forgotten."""
        if len(counts) > len(self.alive):
            self.alive = np.concatenate([self.alive, np.zeros(len(counts) - len(self.alive), np.bool_)])
        lengths = np.asarray(lengths, dtype=np.int64)
        sentence = position = 0
        forgot = False
        while sentence < len(lengths):
            sentence, position, self.n_alive = _count_until_full(
                ids, lengths, sentence, position, counts, self.alive, self.n_alive, self.limit)
            if self.n_alive > self.limit:
                forgot |= self._prune(counts, words)
        return forgot

    def _prune(self, counts, words):
        pids = np.flatnonzero(self.alive[:len(words)])
        keep = keep_mask(list(map(words.__getitem__, pids.tolist())) if self.trim_rule else None,
                         counts[pids], self.min_reduce, self.trim_rule)
        gone = pids[~keep]
        counts[gone] = 0
        self.alive[gone] = False
        self.n_alive -= len(gone)
        self.min_reduce += 1
        return len(gone) > 0
