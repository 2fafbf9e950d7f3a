"""Readable numpy twins of the compiled training kernels.

Each function does exactly one update the way the fast kernel does it, on the same
inputs, so tests can compare the two and ``w2v step`` can print the intermediate
values as the article's tables.  They are slow on purpose: clarity over speed.

Naming follows the article: the *embedding* matrix ``syn0`` holds input rows, the
*context* matrix ``syn1neg`` (negative sampling), ``syn1`` (hierarchical softmax) or
``syn1softmax`` (the full softmax: one output row per word) holds output rows.  In
skip-gram each context word is an input that must predict the centre word; one set of
negative samples is shared by all inputs of a window.

``lockf`` (gensim's ``wv.vectors_lockf``: a factor per input row, 0 for a row that must
never move) scales each input row's update; None means all ones.
"""
import numpy as np


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def window_positions(length, center, window, reduced=0):
    """Positions of the context words of ``center`` in a sentence of ``length`` words.

    ``reduced`` (0 … window-1) shrinks the window the way training does at random.
    """
    span = window - reduced
    lo, hi = max(0, center - span), min(length, center + span + 1)
    return [j for j in range(lo, hi) if j != center]


def skipgram_pairs(tokens, window):
    """(input word, output word) pairs of the sliding window, in the article's order."""
    return [(tokens[i], tokens[j]) for i in range(len(tokens)) for j in window_positions(len(tokens), i, window)]


def _locked(update, inputs, lockf):
    """The input rows' updates scaled by their lock factors."""
    if lockf is None:
        return update
    return (update * np.asarray(lockf, dtype=update.dtype)[inputs][:, None]).astype(update.dtype)


def _loss(dots, labels):
    # -log sigmoid(x) for positives, -log sigmoid(-x) for negatives, computed stably
    signed = np.where(labels > 0, dots, -dots)
    return float(np.sum(np.logaddexp(0.0, -signed)))


def sgns_update(syn0, syn1neg, inputs, output, negatives, alpha, lockf=None):
    """One skip-gram negative-sampling update for one window (in place).

    Every input word (a row of ``syn0``) is trained to predict ``output`` (label 1)
    and not the ``negatives`` (label 0).  Returns the intermediate values.
    """
    inputs = np.asarray(inputs, dtype=np.int64)
    outputs = np.concatenate([[output], np.asarray(negatives, dtype=np.int64)]).astype(np.int64)
    labels = np.zeros(len(outputs), dtype=syn0.dtype)
    labels[0] = 1
    x = syn0[inputs]                     # (m, d)
    y = syn1neg[outputs]                 # (K, d)
    dots = x @ y.T                       # (m, K)
    sig = sigmoid(dots)
    error = labels[None, :] - sig        # what the update pushes towards
    g = (error * alpha).astype(syn0.dtype)
    np.add.at(syn0, inputs, _locked(g @ y, inputs, lockf))  # uses the old context rows
    np.add.at(syn1neg, outputs, g.T @ x)  # uses the old embedding rows
    return {"inputs": inputs, "outputs": outputs, "labels": labels, "dot": dots,
            "sigmoid": sig, "error": error, "loss": _loss(dots, labels)}


def cbow_update(syn0, syn1neg, inputs, output, negatives, alpha, cbow_mean=True, lockf=None):
    """One CBOW negative-sampling update (in place): the context words together predict ``output``."""
    inputs = np.asarray(inputs, dtype=np.int64)
    outputs = np.concatenate([[output], np.asarray(negatives, dtype=np.int64)]).astype(np.int64)
    labels = np.zeros(len(outputs), dtype=syn0.dtype)
    labels[0] = 1
    h = syn0[inputs].sum(axis=0)
    if cbow_mean:
        h = h / len(inputs)
    y = syn1neg[outputs]
    dots = y @ h                         # (K,)
    sig = sigmoid(dots)
    error = labels - sig
    g = (error * alpha).astype(syn0.dtype)
    neu1e = g @ y
    if not cbow_mean:                    # a summed input spreads its error over the words
        neu1e = neu1e / len(inputs)
    np.add.at(syn1neg, outputs, np.outer(g, h).astype(syn0.dtype))
    np.add.at(syn0, inputs, _locked(np.broadcast_to(neu1e, (len(inputs), syn0.shape[1])).astype(syn0.dtype),
                                     inputs, lockf))
    return {"inputs": inputs, "outputs": outputs, "labels": labels, "hidden": h, "dot": dots,
            "sigmoid": sig, "error": error, "loss": _loss(dots, labels)}


def sg_hs_update(syn0, syn1, inputs, points, codes, alpha, lockf=None):
    """One skip-gram hierarchical-softmax update (in place) for the inputs of one window.

    ``points`` are the inner nodes on the Huffman path of the output word, ``codes``
    its branch bits; a node's label is ``1 - code``.
    """
    inputs = np.asarray(inputs, dtype=np.int64)
    points = np.asarray(points, dtype=np.int64)
    labels = (1 - np.asarray(codes)).astype(syn0.dtype)
    x = syn0[inputs]
    y = syn1[points]
    dots = x @ y.T
    sig = sigmoid(dots)
    error = labels[None, :] - sig
    g = (error * alpha).astype(syn0.dtype)
    np.add.at(syn0, inputs, _locked(g @ y, inputs, lockf))
    np.add.at(syn1, points, g.T @ x)
    return {"inputs": inputs, "outputs": points, "labels": labels, "dot": dots,
            "sigmoid": sig, "error": error, "loss": _loss(dots, labels)}


def cbow_hs_update(syn0, syn1, inputs, points, codes, alpha, cbow_mean=True, lockf=None):
    """One CBOW hierarchical-softmax update (in place)."""
    inputs = np.asarray(inputs, dtype=np.int64)
    points = np.asarray(points, dtype=np.int64)
    labels = (1 - np.asarray(codes)).astype(syn0.dtype)
    h = syn0[inputs].sum(axis=0)
    if cbow_mean:
        h = h / len(inputs)
    y = syn1[points]
    dots = y @ h
    sig = sigmoid(dots)
    error = labels - sig
    g = (error * alpha).astype(syn0.dtype)
    neu1e = g @ y
    if not cbow_mean:
        neu1e = neu1e / len(inputs)
    np.add.at(syn1, points, np.outer(g, h).astype(syn0.dtype))
    np.add.at(syn0, inputs, _locked(np.broadcast_to(neu1e, (len(inputs), syn0.shape[1])).astype(syn0.dtype),
                                     inputs, lockf))
    return {"inputs": inputs, "outputs": points, "labels": labels, "hidden": h, "dot": dots,
            "sigmoid": sig, "error": error, "loss": _loss(dots, labels)}


def softmax(scores):
    """Row-wise softmax (float64), shifted by each row's maximum so exp() cannot overflow."""
    scores = np.asarray(scores, dtype=np.float64)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sg_softmax_update(syn0, syn1softmax, inputs, output, alpha, lockf=None):
    """One skip-gram full-softmax update for one window (in place): the article's step before
    negative sampling.

    Every input word (a row of ``syn0``) scores every word of the vocabulary (``syn1softmax``
    has one row per word); the softmax of those scores is the *prediction* vector, the
    one-hot vector of ``output`` the *target*, and ``error = target − prediction``.  Each
    input row then moves by alpha × error @ (old output rows), and every output row by
    alpha × error × (old input row).  The loss is -log prediction[output] per input.
    """
    inputs = np.asarray(inputs, dtype=np.int64)
    x = syn0[inputs]                     # (m, d)
    scores = x @ syn1softmax.T           # (m, V)
    prediction = softmax(scores)
    target = np.zeros(syn1softmax.shape[0], dtype=syn0.dtype)
    target[output] = 1
    error = target[None, :] - prediction
    g = (error * alpha).astype(syn0.dtype)
    input_update = g @ syn1softmax       # with the old output rows
    syn1softmax += g.T @ x               # with the old input rows
    np.add.at(syn0, inputs, _locked(input_update, inputs, lockf))
    return {"inputs": inputs, "output": int(output), "dot": scores, "prediction": prediction, "target": target,
            "error": error, "loss": float(-np.sum(np.log(prediction[:, output])))}


def cbow_softmax_update(syn0, syn1softmax, inputs, output, alpha, cbow_mean=True, lockf=None):
    """One CBOW full-softmax update (in place): the context words' mean (or sum) scores every word."""
    inputs = np.asarray(inputs, dtype=np.int64)
    h = syn0[inputs].sum(axis=0)
    if cbow_mean:
        h = h / len(inputs)
    scores = syn1softmax @ h             # (V,)
    prediction = softmax(scores)
    target = np.zeros(syn1softmax.shape[0], dtype=syn0.dtype)
    target[output] = 1
    error = target - prediction
    g = (error * alpha).astype(syn0.dtype)
    neu1e = g @ syn1softmax
    if not cbow_mean:
        neu1e = neu1e / len(inputs)
    syn1softmax += np.outer(g, h).astype(syn0.dtype)
    np.add.at(syn0, inputs, _locked(np.broadcast_to(neu1e, (len(inputs), syn0.shape[1])).astype(syn0.dtype),
                                     inputs, lockf))
    return {"inputs": inputs, "output": int(output), "hidden": h, "dot": scores, "prediction": prediction,
            "target": target, "error": error, "loss": float(-np.log(prediction[output]))}
