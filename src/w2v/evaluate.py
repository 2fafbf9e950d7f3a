"""Standard benchmarks for word vectors: analogies (Google's questions-words) and word-pair similarity.

Both give the same figures as gensim's ``KeyedVectors.evaluate_word_analogies`` and
``evaluate_word_pairs`` on the same vectors.  Analogy questions are answered in
blocks, each block one matrix product against the vocabulary, instead of one
query at a time.
"""
import os

import numpy as np

from .errors import DecodingError, FormatError, W2VError


class AnalogyResult(tuple):
    """``(score, sections)`` as gensim returns it, plus ``oov_ratio`` (percent) and ``questions``.

    ``sections`` is a list of ``{"section": name, "correct": [...], "incorrect": [...]}``
    with the 4-tuples of (upper-cased, unless case-sensitive) words; the last entry is
    ``"Total accuracy"``.
    """

    def __new__(cls, score, sections, oov_ratio, questions, oov):
        self = super().__new__(cls, (score, sections))
        self.score = score
        self.sections = sections
        self.oov_ratio = oov_ratio
        self.questions = questions
        self.oov = oov
        return self

    def table(self):
        """Rows of (section, correct, asked, accuracy) including the total."""
        rows = []
        for section in self.sections:
            correct, incorrect = len(section["correct"]), len(section["incorrect"])
            asked = correct + incorrect
            rows.append((section["section"], correct, asked, correct / asked if asked else 0.0))
        return rows


class PairsResult(tuple):
    """``(pearson, spearman, oov_ratio)`` as gensim returns it; pearson and spearman are
    ``(statistic, pvalue)`` results.  Also ``pairs`` (pairs scored) and ``oov`` (pairs skipped)."""

    def __new__(cls, pearson, spearman, oov_ratio, pairs, oov):
        self = super().__new__(cls, (pearson, spearman, oov_ratio))
        self.pearson = pearson
        self.spearman = spearman
        self.oov_ratio = oov_ratio
        self.pairs = pairs
        self.oov = oov
        return self


def _ok_vocab(kv, restrict_vocab, case_insensitive):
    """Word → index over the first ``restrict_vocab`` keys; with case folding the first
    (most frequent) spelling of a word wins, as in gensim."""
    ok_vocab = {}
    for index, key in enumerate(kv.index_to_key[:restrict_vocab]):
        word = key.upper() if case_insensitive else key
        ok_vocab.setdefault(word, index)
    return ok_vocab


def _read_lines(path, encoding="utf-8"):
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        hint = "" if os.sep in path else " (a standard set by name: w2v.datasets.path(NAME))"
        raise W2VError(f"{path}: no such file{hint}") from None
    try:
        return data.decode(encoding).splitlines()
    except UnicodeDecodeError as exc:   # also a UnicodeDecodeError, as gensim raises
        line = data[:exc.start].count(b"\n") + 1
        raise DecodingError(f"{path}: line {line}: not valid {encoding}", exc.encoding, exc.object, exc.start,
                            exc.end, exc.reason) from None


def evaluate_word_analogies(kv, path, restrict_vocab=300000, case_insensitive=True, dummy4unknown=False,
                            similarity_function="most_similar"):
    """Accuracy on an analogy file (``: section`` headers, then ``a b c d`` lines: a is to b as c is to d).

    Each question is answered by the method of ``kv`` named ``similarity_function``, called as
    ``method(positive=[b, c], negative=[a], topn=5, restrict_vocab=restrict_vocab)``:
    ``"most_similar"`` (3CosAdd, the default; answered in blocks of one matrix product each)
    or ``"most_similar_cosmul"`` (3CosMul, one question at a time).  Questions with a word
    outside the first ``restrict_vocab`` keys are skipped (or count as wrong with
    ``dummy4unknown``).  Returns an :class:`AnalogyResult`.
    The standard set by name: ``w2v.datasets.path("google")``.
    """
    path = os.fspath(path)
    method = getattr(kv, similarity_function, None) if isinstance(similarity_function, str) else None
    if not callable(method):
        raise ValueError(f"similarity_function must name a method of KeyedVectors such as 'most_similar' or "
                         f"'most_similar_cosmul', got {similarity_function!r}")
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    sections, section = [], None
    questions = []   # (section index, a, b, c, expected) with words as written in ok_vocab
    oov = total = 0
    for line_no, line in enumerate(_read_lines(path), 1):
        if line.startswith(": "):
            section = {"section": line[2:].strip(), "correct": [], "incorrect": []}
            sections.append(section)
            continue
        if section is None:
            if not line.strip():
                continue
            raise FormatError(f"{path}: line {line_no}: a question before the first ': section' header")
        words = line.split()
        if len(words) != 4:
            continue  # gensim skips malformed lines too
        if case_insensitive:
            words = [w.upper() for w in words]
        total += 1
        if any(w not in ok_vocab for w in words):
            oov += 1
            if dummy4unknown:
                section["incorrect"].append(tuple(words))
            continue
        questions.append((len(sections) - 1, *words))
    if total == 0:
        raise FormatError(f"{path}: no analogy questions found (expected ': section' lines, then 'a b c d' lines)")

    if questions and similarity_function == "most_similar":
        _answer(kv, questions, ok_vocab, restrict_vocab, case_insensitive, sections)
    elif questions:
        _answer_one_by_one(kv, method, questions, ok_vocab, restrict_vocab, case_insensitive, sections)

    correct = [q for s in sections for q in s["correct"]]
    incorrect = [q for s in sections for q in s["incorrect"]]
    sections.append({"section": "Total accuracy", "correct": correct, "incorrect": incorrect})
    asked = len(correct) + len(incorrect)
    score = len(correct) / asked if asked else 0.0
    return AnalogyResult(score, sections, 100.0 * oov / total, total, oov)


def _answer(kv, questions, ok_vocab, restrict_vocab, case_insensitive, sections):
    normed = kv.get_normed_vectors()
    idx = np.array([[ok_vocab[a], ok_vocab[b], ok_vocab[c]] for _, a, b, c, _ in questions], dtype=np.int64)
    # b − a + c from unit vectors, scaled to unit length (the 3CosAdd query of gensim's most_similar)
    queries = normed[idx[:, 1]] + normed[idx[:, 2]] - normed[idx[:, 0]]
    lengths = np.linalg.norm(queries, axis=1, keepdims=True)
    queries /= np.where(lengths > 0, lengths, 1)
    keys = kv.index_to_key
    # the input words are never answers
    for start, scores, best in kv._search_blocks(queries, idx, 5, restrict_vocab):
        for r, q in enumerate(questions[start:start + len(scores)]):
            section, a, b, c, expected = q
            ignore = {a, b, c}
            predicted = None
            for i in best[r]:
                if scores[r, i] == -np.inf:
                    break
                predicted = keys[i].upper() if case_insensitive else keys[i]
                # A different spelling of an input word (e.g. 'King' for 'KING') is skipped, as in gensim.
                if predicted in ok_vocab and predicted not in ignore:
                    break
            target = sections[section]["correct" if predicted == expected else "incorrect"]
            target.append((a, b, c, expected))


def _answer_one_by_one(kv, method, questions, ok_vocab, restrict_vocab, case_insensitive, sections):
    """Answer each question with ``method`` (any of kv's most_similar-like methods)."""
    keys = kv.index_to_key
    for section, a, b, c, expected in questions:
        # the words as the vectors spell them (case folding picked the first spelling of each)
        sims = method(positive=[keys[ok_vocab[b]], keys[ok_vocab[c]]], negative=[keys[ok_vocab[a]]], topn=5,
                      restrict_vocab=restrict_vocab)
        ignore = {a, b, c}
        predicted = None
        for key, _ in sims:
            predicted = key.upper() if case_insensitive else key
            if predicted in ok_vocab and predicted not in ignore:
                break
        target = sections[section]["correct" if predicted == expected else "incorrect"]
        target.append((a, b, c, expected))


def evaluate_word_pairs(kv, path, delimiter="\t", encoding="utf8", restrict_vocab=300000, case_insensitive=True,
                        dummy4unknown=False):
    """Correlation of the vectors' cosine similarities with human judgements.

    ``path`` holds ``word1<delimiter>word2<delimiter>score`` lines (``#`` starts a comment).
    Returns a :class:`PairsResult`: Pearson and Spearman ``(statistic, pvalue)`` and the
    percentage of pairs skipped because a word is outside the first ``restrict_vocab`` keys.
    The standard sets by name: ``w2v.datasets.path("wordsim353")`` (or "simlex999").
    """
    try:
        from scipy import stats
    except ImportError:
        raise W2VError("evaluate_word_pairs needs scipy for the correlations: pip install scipy") from None
    path = os.fspath(path)
    ok_vocab = _ok_vocab(kv, restrict_vocab, case_insensitive)
    gold, left, right, dummies = [], [], [], []
    oov = 0
    for line in _read_lines(path, encoding):
        if not line or line.startswith("#"):
            continue
        fields = line.split(delimiter)
        if len(fields) != 3:
            continue
        try:
            score = float(fields[2])
        except ValueError:
            continue
        a, b = fields[0], fields[1]
        if case_insensitive:
            a, b = a.upper(), b.upper()
        if a not in ok_vocab or b not in ok_vocab:
            oov += 1
            if dummy4unknown:
                dummies.append(len(gold))
                gold.append(score)
                left.append(-1)
                right.append(-1)
            continue
        gold.append(score)
        left.append(ok_vocab[a])
        right.append(ok_vocab[b])
    if not gold:
        raise FormatError(f"{path}: no word pairs to score: the file has no 'word1{delimiter!r}word2{delimiter!r}score' "
                          f"lines, or all their words are out of vocabulary")
    if len(gold) < 3:
        raise FormatError(f"{path}: only {len(gold)} word pair(s) to score ({oov} more out of vocabulary); "
                          "a correlation needs at least 3")
    normed = kv.get_normed_vectors()
    left, right = np.asarray(left), np.asarray(right)
    model = np.einsum("ij,ij->i", normed[left], normed[right])
    model[np.asarray(dummies, dtype=np.int64)] = 0.0
    gold = np.asarray(gold, dtype=np.float64)
    spearman = stats.spearmanr(gold, model)
    pearson = stats.pearsonr(gold, model)
    scored = len(gold)
    oov_ratio = 100.0 * oov / scored if dummy4unknown else 100.0 * oov / (scored + oov)
    return PairsResult(pearson, spearman, oov_ratio, scored, oov)
