"""Phrase kernels: count unigrams and connector-bridged bigrams, and join phrases greedily.

A candidate phrase is (first word, connector run, last word): the run of connector words
between them is interned as a node of a trie (node 0: no connectors), so a candidate is
two int64 keys, ``a`` and ``node << 32 | b``, in an open-addressing hash table.  The
readable references of both kernels are at the end of this module (tests compare them).
"""
import numpy as np
from numba import njit

_EMPTY = -1


@njit(inline="always")
def _slot(k1, k2, mask):
    h = np.uint64(k1) * np.uint64(0x9E3779B97F4A7C15) ^ np.uint64(k2) * np.uint64(0xC2B2AE3D27D4EB4F)
    h ^= h >> np.uint64(29)
    return np.int64(h & np.uint64(mask))


@njit(inline="always")
def _probe(t1, t2, k1, k2):
    """The slot holding (k1, k2), or the empty slot where it would go."""
    mask = len(t1) - 1
    s = _slot(k1, k2, mask)
    while t1[s] != _EMPTY and not (t1[s] == k1 and t2[s] == k2):
        s = (s + 1) & mask
    return s


@njit(nogil=True, cache=True)
def table_find(t1, t2, k1, k2):
    """The slot holding (k1, k2), or -1."""
    s = _probe(t1, t2, k1, k2)
    return s if t1[s] != _EMPTY else -1


@njit(nogil=True, cache=True)
def _insert(t1, t2, k1, k2):
    """The slot of (k1, k2), claimed when new; returns (slot, new?)."""
    s = _probe(t1, t2, k1, k2)
    if t1[s] != _EMPTY:
        return s, False
    t1[s] = k1
    t2[s] = k2
    return s, True


@njit(nogil=True, cache=True)
def build_table(k1, k2, values, capacity):
    """A hash table (t1, t2, tv) holding keys (k1[i], k2[i]) → values[i]."""
    t1 = np.full(capacity, _EMPTY, np.int64)
    t2 = np.zeros(capacity, np.int64)
    tv = np.zeros(capacity, np.int64)
    for i in range(len(k1)):
        s, _ = _insert(t1, t2, k1[i], k2[i])
        tv[s] = values[i]
    return t1, t2, tv


def capacity_for(n):
    """A power of two at least twice ``n`` (load at most one half)."""
    return 1 << max(4, int(2 * max(n, 1) - 1).bit_length())


@njit(nogil=True, cache=True)
def _rebuild(t1, t2, tv, capacity, min_keep):
    n1 = np.full(capacity, _EMPTY, np.int64)
    n2 = np.zeros(capacity, np.int64)
    nv = np.zeros(capacity, np.int64)
    kept = 0
    for s in range(len(t1)):
        if t1[s] != _EMPTY and tv[s] >= min_keep:
            d, _ = _insert(n1, n2, t1[s], t2[s])
            nv[d] = tv[s]
            kept += 1
    return n1, n2, nv, kept


@njit(nogil=True, cache=True)
def count_phrases(ids, lengths, is_conn, n_words, trie_parent, trie_word, max_vocab_size, min_reduce):
    """Count unigrams (non-connectors) and candidates, as gensim's ``_learn_vocab`` does.

    ``trie_parent``/``trie_word`` are the known connector runs (node i > 0 extends node
    ``trie_parent[i]`` by word ``trie_word[i]``); new runs are added.  When the counted
    unigrams and candidates exceed ``max_vocab_size`` after a sentence, those seen fewer than
    ``min_reduce`` times are forgotten and ``min_reduce`` grows by one.
    Returns (unigram counts, cand a, cand node<<32|b, cand counts, trie parent, trie word,
    total words, min_reduce).
    """
    ucount = np.zeros(n_words, np.int64)
    n_uni = 0
    cap = 1 << 16
    t1 = np.full(cap, _EMPTY, np.int64)
    t2 = np.zeros(cap, np.int64)
    tv = np.zeros(cap, np.int64)
    n_cand = 0
    # the trie of connector runs, as a hash table (parent, word) -> node
    n_nodes = len(trie_parent)
    parents = np.empty(max(16, 2 * n_nodes), np.int64)
    cwords = np.empty(max(16, 2 * n_nodes), np.int64)
    parents[:n_nodes] = trie_parent
    cwords[:n_nodes] = trie_word
    ccap = 1 << 10
    while ccap < 4 * n_nodes:
        ccap *= 2
    c1 = np.full(ccap, _EMPTY, np.int64)
    c2 = np.zeros(ccap, np.int64)
    cv = np.zeros(ccap, np.int64)
    for node in range(1, n_nodes):
        s, _ = _insert(c1, c2, parents[node], cwords[node])
        cv[s] = node
    total = 0
    pos = 0
    for sent in range(len(lengths)):
        start = -1
        node = 0
        for i in range(pos, pos + lengths[sent]):
            w = ids[i]
            if not is_conn[w]:
                if ucount[w] == 0:
                    n_uni += 1
                ucount[w] += 1
                if start >= 0:
                    if 2 * (n_cand + 1) > cap:
                        t1, t2, tv, n_cand = _rebuild(t1, t2, tv, 2 * cap, 0)
                        cap *= 2
                    s, new = _insert(t1, t2, start, (node << 32) | w)
                    tv[s] += 1
                    if new:
                        n_cand += 1
                start = w
                node = 0
            elif start >= 0:
                s, new = _insert(c1, c2, node, w)
                if new:
                    if n_nodes == len(parents):
                        parents = np.concatenate((parents, np.empty(len(parents), np.int64)))
                        cwords = np.concatenate((cwords, np.empty(len(cwords), np.int64)))
                    parents[n_nodes] = node
                    cwords[n_nodes] = w
                    cv[s] = n_nodes
                    n_nodes += 1
                    if 2 * n_nodes > ccap:
                        ccap *= 2
                        c1, c2, cv, _ = _rebuild(c1, c2, cv, ccap, 0)
                        s = table_find(c1, c2, node, w)
                node = cv[s]
            total += 1
        pos += lengths[sent]
        if n_uni + n_cand > max_vocab_size:
            for w in range(n_words):
                if ucount[w] > 0 and ucount[w] < min_reduce:
                    ucount[w] = 0
                    n_uni -= 1
            t1, t2, tv, n_cand = _rebuild(t1, t2, tv, cap, min_reduce)
            min_reduce += 1
    k1 = np.empty(n_cand, np.int64)
    k2 = np.empty(n_cand, np.int64)
    counts = np.empty(n_cand, np.int64)
    j = 0
    for s in range(cap):
        if t1[s] != _EMPTY and tv[s] > 0:
            k1[j] = t1[s]
            k2[j] = t2[s]
            counts[j] = tv[s]
            j += 1
    return ucount, k1[:j], k2[:j], counts[:j], parents[:n_nodes].copy(), cwords[:n_nodes].copy(), total, min_reduce


@njit(nogil=True, cache=True)
def _candidate_run(ids, lengths, is_conn, n_words, max_node, sent, pos, ucount, keys, n_keys,
                   parents, cwords, n_nodes, c1, c2, cv):
    """The loop of :func:`candidate_keys` from sentence ``sent`` (at token ``pos``) while the
    trie has room for the next sentence's connector runs; returns (sent, pos, n_keys, n_nodes).
    (Its arrays never change here, so numba keeps no reference counts in the loop.)"""
    while sent < len(lengths):
        end = pos + lengths[sent]
        if n_nodes + lengths[sent] > len(parents) or 2 * (n_nodes + lengths[sent]) > len(c1):
            break
        start = -1
        node = 0
        for i in range(pos, end):
            w = ids[i]
            if not is_conn[w]:
                ucount[w] += 1
                if start >= 0:
                    keys[n_keys] = (start * max_node + node) * n_words + w
                    n_keys += 1
                start = w
                node = 0
            elif start >= 0:
                s, new = _insert(c1, c2, node, w)
                if new:
                    parents[n_nodes] = node
                    cwords[n_nodes] = w
                    cv[s] = n_nodes
                    n_nodes += 1
                    if n_nodes >= max_node:
                        return sent, pos, n_keys, n_nodes
                node = cv[s]
        pos = end
        sent += 1
    return sent, pos, n_keys, n_nodes


@njit(nogil=True, cache=True)
def candidate_keys(ids, lengths, is_conn, n_words, trie_parent, trie_word, max_node):
    """Count unigrams and write one int64 key per candidate occurrence, for sorting.

    The key of (a, connector run ``node``, b) is ``(a * max_node + node) * n_words + b``;
    sorting the keys and counting equal runs gives the candidates' counts in order of
    (a, node, b), with two sequential passes and a sort instead of a hash table that misses
    the cache on every token.  No pruning: the caller uses :func:`count_phrases` when the
    counts outgrow ``max_vocab_size``.  Returns (unigram counts, keys, trie parent, trie word,
    total words, ok); ok is False when a connector run's node reaches ``max_node``.
    """
    ucount = np.zeros(n_words, np.int64)
    keys = np.empty(len(ids), np.int64)
    n_nodes = len(trie_parent)
    room = max(1024, 2 * n_nodes)
    parents = np.empty(room, np.int64)
    cwords = np.empty(room, np.int64)
    parents[:n_nodes] = trie_parent
    cwords[:n_nodes] = trie_word
    ccap = 1 << 12
    while ccap < 2 * room:
        ccap *= 2
    c1, c2, cv = build_table(parents[1:n_nodes], cwords[1:n_nodes], np.arange(1, n_nodes), ccap)
    sent, pos, n_keys = 0, 0, 0
    while True:
        sent, pos, n_keys, n_nodes = _candidate_run(ids, lengths, is_conn, n_words, max_node, sent, pos, ucount,
                                                    keys, n_keys, parents, cwords, n_nodes, c1, c2, cv)
        if n_nodes >= max_node:
            return ucount, keys[:0], parents[:n_nodes].copy(), cwords[:n_nodes].copy(), pos, False
        if sent == len(lengths):
            break
        # room for the next sentence's runs: grow the trie's arrays and its table
        room = max(2 * room, n_nodes + lengths[sent])
        grown = np.empty(room, np.int64)
        grown[:n_nodes] = parents[:n_nodes]
        parents = grown
        grown = np.empty(room, np.int64)
        grown[:n_nodes] = cwords[:n_nodes]
        cwords = grown
        while ccap < 2 * room:
            ccap *= 2
        c1, c2, cv = build_table(parents[1:n_nodes], cwords[1:n_nodes], np.arange(1, n_nodes), ccap)
    return ucount, keys[:n_keys], parents[:n_nodes].copy(), cwords[:n_nodes].copy(), pos, True


@njit(nogil=True, cache=True)
def _count_runs(keys, n_words, max_node):
    """The distinct sorted ``keys`` as (a, node << 32 | b) and how often each occurs."""
    n = 0
    for i in range(len(keys)):
        if i == 0 or keys[i] != keys[i - 1]:
            n += 1
    a = np.empty(n, np.int64)
    node_b = np.empty(n, np.int64)
    counts = np.zeros(n, np.int64)
    j = -1
    for i in range(len(keys)):
        key = keys[i]
        if i == 0 or key != keys[i - 1]:
            j += 1
            rest = key // n_words
            a[j] = rest // max_node
            node_b[j] = ((rest % max_node) << 32) | (key % n_words)
        counts[j] += 1
    return a, node_b, counts


def count_sorted(ids, lengths, is_conn, n_words, trie_parent, trie_word):
    """:func:`count_phrases` without pruning, by sorting keys: the same counts (in (a, node, b)
    order), or None when the keys cannot hold the connector runs (use count_phrases)."""
    n_words = max(int(n_words), 1)
    max_node = (2 ** 63 - 1) // (n_words * n_words)
    if max_node < 2:
        return None
    ucount, keys, parent, word, total, ok = candidate_keys(ids, lengths, is_conn, n_words, trie_parent,
                                                           trie_word, max_node)
    if not ok:
        return None
    keys.sort()
    a, node_b, counts = _count_runs(keys, n_words, max_node)
    return ucount, a, node_b, counts, parent, word, total


@njit(nogil=True, cache=True)
def apply_phrases(ids, lengths, is_conn, p1, p2, pv, c1, c2, cv, phrase_base, out, out_lengths, positions=False,
                  n_known=2 ** 62):
    """Join phrases greedily left to right, as gensim's ``analyze_sentence``: a candidate
    (start word, connectors, word) found in table (p1, p2) → phrase index ``pv`` becomes the
    one id ``phrase_base + index``; the word after a phrase starts afresh.  Connector runs
    are looked up in the trie table (c1, c2) → node ``cv``.  Writes ``out``/``out_lengths``;
    returns the number of ids written.  With ``positions``, ``out`` gets each kept token's
    position in ``ids`` and ``-1 - index`` for a phrase instead (for rebuilding token lists).
    Ids from ``n_known`` on are in no phrase (words the phrases do not know): not looked up."""
    n_out = 0
    pos = 0
    for sent in range(len(lengths)):
        begin = n_out
        start = -1
        node = 0
        end = pos + lengths[sent]
        for i in range(pos, end):
            w = ids[i]
            if not is_conn[w]:
                if start >= 0:
                    found = -1
                    if node >= 0 and w < n_known and ids[start] < n_known:
                        found = table_find(p1, p2, ids[start], (node << 32) | w)
                    if found >= 0:
                        out[n_out] = -1 - pv[found] if positions else phrase_base + pv[found]
                        n_out += 1
                        start = -1
                    else:
                        for k in range(start, i):
                            out[n_out] = k if positions else ids[k]
                            n_out += 1
                        start = i
                else:
                    start = i
                node = 0
            elif start >= 0:
                if node >= 0:
                    s = table_find(c1, c2, node, w)
                    node = cv[s] if s >= 0 else -1
            else:
                out[n_out] = i if positions else w
                n_out += 1
        if start >= 0:
            for k in range(start, end):
                out[n_out] = k if positions else ids[k]
                n_out += 1
        out_lengths[sent] = n_out - begin
        pos = end
    return n_out


@njit(nogil=True, cache=True)
def default_scores(ucount, a, node_b, counts, min_count, n_vocab):
    """word2vec's score of each candidate, ``(count - min_count) / (count a * count b) * n_vocab``,
    as gensim's ``original_scorer`` computes it; −inf where a count is 0.  One pass and one
    output array (numpy's version, :func:`reference_default_scores`, makes six temporaries)."""
    scores = np.empty(len(counts), np.float64)
    for i in range(len(counts)):
        ca = ucount[a[i]]
        cb = ucount[node_b[i] & 0xFFFFFFFF]
        cab = counts[i]
        if ca > 0 and cb > 0 and cab > 0:
            scores[i] = (cab - min_count) / np.float64(ca * cb) * n_vocab
        else:
            scores[i] = -np.inf
    return scores


# -- readable references (pure Python, per token; for the tests) --------------------------------

def reference_count(sentences, is_conn):
    """Unigram counts and {(a, (connectors...), b): count} of id sentences (no pruning)."""
    unigrams, candidates = {}, {}
    for sentence in sentences:
        start, between = None, []
        for w in sentence:
            if is_conn[w]:
                if start is not None:
                    between.append(w)
                continue
            unigrams[w] = unigrams.get(w, 0) + 1
            if start is not None:
                key = (start, tuple(between), w)
                candidates[key] = candidates.get(key, 0) + 1
            start, between = w, []
    return unigrams, candidates


def reference_apply(sentence, is_conn, phrases):
    """Greedy left-to-right joining: ``phrases`` maps (a, (connectors...), b) to a new id."""
    out, start, between = [], None, []
    for w in sentence:
        if is_conn[w]:
            if start is None:
                out.append(w)
            else:
                between.append(w)
            continue
        if start is not None and (start, tuple(between), w) in phrases:
            out.append(phrases[(start, tuple(between), w)])
            start, between = None, []
            continue
        if start is not None:
            out += [start] + between
        start, between = w, []
    if start is not None:
        out += [start] + between
    return out


def reference_default_scores(ucount, a, node_b, counts, min_count, n_vocab):
    """:func:`default_scores` in numpy."""
    ca, cb = ucount[a], ucount[node_b & 0xFFFFFFFF]
    scores = np.full(len(counts), -np.inf)
    valid = (ca > 0) & (cb > 0) & (counts > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = (counts - min_count) / (ca * cb).astype(np.float64) * n_vocab
    scores[valid] = raw[valid]
    return scores
