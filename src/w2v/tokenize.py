"""One tokenizer for all of w2v: training, ``w2v pairs``, ``w2v phrases``.

``whitespace`` (the default) splits on white space, as word2vec.c and gensim's LineSentence
do.  ``words`` is Unicode-aware: runs of letters, digits, underscores and combining marks
form words; an apostrophe (' or ’) or a hyphen between two such runs stays inside the
word (``don't``, ``l’homme``, ``well-known``, ``new_york``), and so does a ``.``, ``,``,
``:`` or ``/`` between two digits (``3.14``, ``1,000``, ``12:30``); all other punctuation,
symbols and emoji are dropped, or split off as one token each with ``punctuation="keep"``.
Runs of CJK characters (written without spaces) stay one token: w2v does not segment
words.  ``lowercase`` uses Python's full Unicode lower-casing (``İ`` becomes ``i̇``: i
plus a combining dot, which ``words`` keeps inside the word).  ``split_sentences`` is for
text that is not one sentence per line: a sentence then ends after ``.``, ``!``, ``?``,
``…`` or their CJK forms followed by white space (or at once for the CJK forms), or at a
blank line, and lines in between are joined.

Everything works on whole blocks of text with C-level operations: ``str.lower`` on the block,
then ``words`` in the C extension ``w2v._textio`` (one table lookup per character, built from the
interpreter's own Unicode predicates, the ones ``re`` uses), or where the extension was not
built, the compiled pattern below (the readable reference: tests hold the C tokenizer to it).
"""
import functools
import itertools
import re
import unicodedata

from .errors import W2VError

MODES = ("whitespace", "words")
PUNCTUATION = ("drop", "keep")

_SENTENCE_END = ".!?\u2026\u3002\uff01\uff1f"     # . ! ? … 。 ！ ？
_CJK_END = "\u3002\uff01\uff1f"


class TokenizerError(W2VError, ValueError):
    """A tokenizer option is not one of the known values."""


def _c_tokenizer():
    try:
        from . import _textio
    except ImportError:
        return None
    return _textio if hasattr(_textio, "tokenize_words") else None


@functools.lru_cache(maxsize=1)
def _classes():
    """The C tokenizer's table: class bits per code point."""
    import array
    ranges = array.array("i", [c for pair in _mark_ranges() for c in pair])
    return _c_tokenizer().word_classes(ranges.tobytes())


@functools.lru_cache(maxsize=1)
def _mark_ranges():
    """(first, last) code points of every run of combining marks (Unicode categories Mn, Mc, Me)."""
    cats = list(map(unicodedata.category, map(chr, range(0x110000))))
    ranges = []
    start = None
    for code, cat in enumerate(cats):
        if cat[0] == "M":
            if start is None:
                start = code
        elif start is not None:
            ranges.append((start, code - 1))
            start = None
    return ranges


@functools.lru_cache(maxsize=1)
def _marks_class():
    """The combining marks as the inside of a regular-expression character class."""
    ranges = _mark_ranges()
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "") for a, b in ranges)


@functools.lru_cache(maxsize=4)
def _word_pattern(keep_punctuation):
    marks = _marks_class()
    # one character class (letters, digits, underscore — str.isalnum or "_" — and combining marks):
    # a single set test per character keeps the pattern about as quick as str.split
    alnum = rf"[\w{marks}]"
    word = rf"{alnum}+(?:(?:['\u2019\-]|(?<=\d)[.,:/](?=\d)){alnum}+)*"
    if keep_punctuation:
        word += rf"|[^\s{marks}][{marks}]*"   # any other visible character, with its marks
    return re.compile(word)


@functools.lru_cache(maxsize=1)
def _sentence_pattern():
    ends = re.escape(_SENTENCE_END)
    cjk = re.escape(_CJK_END)
    closers = "\"'\u201d\u2019)\\]\u300d\u300f"
    return re.compile(rf"(?<=[{ends}])[{re.escape(closers)}]*\s+|(?<=[{cjk}])|\n\s*\n")


class Tokenizer:
    """How text becomes tokens.  See the module's documentation for the rules.

    ``Tokenizer()`` is today's white-space split; ``Tokenizer("words", lowercase=True)``
    turns ``"The dog's bark."`` into ``["the", "dog's", "bark"]``.
    """

    def __init__(self, mode="whitespace", lowercase=False, punctuation="drop", split_sentences=False):
        if mode not in MODES:
            raise TokenizerError(f"tokenize must be one of {', '.join(MODES)}, got {mode!r}")
        if punctuation not in PUNCTUATION:
            raise TokenizerError(f"punctuation must be 'drop' or 'keep', got {punctuation!r}")
        if punctuation == "keep" and mode != "words":
            raise TokenizerError("punctuation='keep' needs tokenize='words' (white space keeps punctuation attached)")
        self.mode = mode
        self.lowercase = bool(lowercase)
        self.punctuation = punctuation
        self.split_sentences = bool(split_sentences)
        self._findall = _word_pattern(punctuation == "keep").findall if mode == "words" else None
        self._native = _c_tokenizer() if mode == "words" else None

    @classmethod
    def make(cls, spec):
        """A Tokenizer from None (the default), a mode name, a dict of options, or a Tokenizer."""
        if spec is None:
            return cls()
        if isinstance(spec, Tokenizer):
            return spec
        if isinstance(spec, str):
            return cls(spec)
        if isinstance(spec, dict):
            unknown = set(spec) - {"mode", "lowercase", "punctuation", "split_sentences"}
            if unknown:
                raise TokenizerError(f"unknown tokenizer options: {', '.join(sorted(unknown))}")
            return cls(**spec)
        raise TokenizerError(f"tokenizer must be None, 'whitespace', 'words', a dict or a Tokenizer, got {spec!r}")

    @property
    def is_default(self):
        return self.mode == "whitespace" and not self.lowercase and not self.split_sentences

    def to_dict(self):
        """The options as a JSON-able dict (what a saved model records)."""
        return {"mode": self.mode, "lowercase": self.lowercase, "punctuation": self.punctuation,
                "split_sentences": self.split_sentences}

    def __eq__(self, other):
        return isinstance(other, Tokenizer) and self.to_dict() == other.to_dict()

    def __repr__(self):
        options = ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items())
        return f"Tokenizer({options})"

    # -- the work --------------------------------------------------------------------------
    def _pieces(self, text):
        """The block cut into sentences: its lines, or with split_sentences its sentences."""
        if self.split_sentences:
            return _sentence_pattern().split(text)
        pieces = text.split("\n")
        if pieces and pieces[-1] == "":
            pieces.pop()
        return pieces

    def complete_end(self, text):
        """Where the last complete sentence of a block ends (the rest waits for the next block):
        the block's end, unless sentences are split at punctuation and some text follows the
        last sentence end.  0 when the block holds no sentence end at all."""
        if not self.split_sentences:
            return len(text)
        pattern = _sentence_pattern()
        window = 4096
        while True:
            start = max(0, len(text) - window)
            end = None
            for end in pattern.finditer(text, start):   # the tail only: a few matches
                pass
            if end is not None:
                return end.end()
            if start == 0:
                return 0
            window *= 8

    def split_block(self, text):
        """A block of text (whole lines) as a list of token lists, one per sentence (maybe empty)."""
        tokens, lengths = self.split_flat(text)
        ends = list(itertools.accumulate(lengths))
        return list(map(tokens.__getitem__, map(slice, [0] + ends[:-1], ends)))

    def split_flat(self, text):
        """A block of text (whole lines) as (all tokens in one list, tokens per sentence)."""
        if self.lowercase:
            text = text.lower()
        if self._native is not None:
            source = _sentence_pattern().split(text) if self.split_sentences else text
            tokens, lengths = self._native.tokenize_words(source, _classes(), self.punctuation == "keep")
            return tokens, memoryview(lengths).cast("q").tolist()
        return self.reference_split(text, lowercase=False)

    def reference_split(self, text, lowercase=None):
        """``split_flat`` with Python's ``re`` (the fallback, and the reference for the C tokenizer)."""
        if self.lowercase if lowercase is None else lowercase:
            text = text.lower()
        pieces = self._pieces(text)
        split = list(map(str.split if self._findall is None else self._findall, pieces))
        return list(itertools.chain.from_iterable(split)), list(map(len, split))

    def tokens(self, text):
        """All the tokens of one string, as one list (for a single sentence)."""
        return list(itertools.chain.from_iterable(self.split_block(text)))

    def retokenize(self, batch):
        """Token lists (Python input) under this tokenizer: lower-cased, and with ``words``
        each list's text tokenized again.  Sentence splitting does not apply to token lists."""
        if self.lowercase:
            batch = [list(map(str.lower, sentence)) for sentence in batch]
        if self._native is not None:
            tokens, lengths = self._native.tokenize_words(list(map(" ".join, batch)), _classes(),
                                                          self.punctuation == "keep")
            ends = list(itertools.accumulate(memoryview(lengths).cast("q").tolist()))
            return list(map(tokens.__getitem__, map(slice, [0] + ends[:-1], ends)))
        if self._findall is not None:
            batch = list(map(self._findall, map(" ".join, batch)))
        return batch
