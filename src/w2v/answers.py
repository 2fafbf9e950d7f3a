"""Query answers as JSON-ready dicts: one shape for `w2v similar/analogy --json` and `w2v serve`'s API."""


def ranked_json(results):
    return [{"word": word, "similarity": round(score, 6)} for word, score in results]


def similar_json(kv, positive, negative=(), topn=10, restrict_vocab=None, most_similar=None):
    """What `w2v similar --json` prints (and `w2v serve`'s /api/neighbors answers).

    ``most_similar``: a function with ``kv.most_similar``'s arguments and answers (the server
    passes one that shares the scans of concurrent requests); default ``kv.most_similar``.
    """
    positive, negative = list(positive), list(negative)
    search = most_similar or kv.most_similar
    results = search(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict_vocab)
    return {"positive": positive, "negative": negative, "results": ranked_json(results)}


def analogy_json(kv, positive, negative=(), topn=10, restrict_vocab=None, cosmul=False, most_similar=None):
    """What `w2v analogy --json` prints (and `w2v serve`'s /api/analogy answers); ``most_similar``
    as for :func:`similar_json` (3CosAdd only)."""
    positive, negative = list(positive), list(negative)
    search = kv.most_similar_cosmul if cosmul else most_similar or kv.most_similar
    results = search(positive=positive, negative=negative, topn=topn, restrict_vocab=restrict_vocab)
    return {"positive": positive, "negative": negative, "method": "3CosMul" if cosmul else "3CosAdd",
            "results": ranked_json(results)}
