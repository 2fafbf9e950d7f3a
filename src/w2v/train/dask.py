"""Training on a Dask cluster: the same kernels, one shard of the corpus per worker, synchronous rounds.

The corpus is cut into shards (whole files, and byte ranges of plain files cut on line
boundaries); each worker reads its shard itself through fsspec, counts its words and keeps
the shard as integer ids in its memory.  The driver merges the counts (in shard order, so the
vocabulary equals the one a single process counts) and chooses the vocabulary as usual.

Training runs in rounds the driver drives.  In a round every shard trains about
``sync_words`` of its words, with the compiled kernels on the worker's own copy of the
matrices, starting from the driver's state; it sends back only the rows it changed (their
change, optionally as float16).  The driver averages the changes over the shards into its
model once every shard of the round has reported — never before — and sends the merged
change to every worker, whose copies are then equal to the driver's again, bit for bit.

Averaging is local SGD: each of the K shards trains with K times the learning rate, so a
row only one shard touched moves as far as one process would have moved it, and a row every
shard pulls to the same place (a frequent word's, which settles within a round) lands there
instead of K times as far.  Adding the changes at the plain rate overshoots those rows and
diverges; averaging at the plain rate learns K times too slowly (bench/RESULTS.md).  The
learning rate follows the progress of the whole cluster; each shard's jobs have seeds of
their own made from the model's seed.

A worker that dies is replaced by Dask (its shard's ids are read again from the task's
lineage); the round it was in is run again from the driver's state, which is resent to
the workers.  A round that keeps failing stops training with a :class:`ClusterError`
naming the shard and the cause; the model then holds the state after the last whole round.
"""
import bz2
import contextlib
import gzip
import itertools
import logging
import lzma
import os
import pickle
import time
import uuid
from collections import namedtuple

import numpy as np

from .. import corpus as corpus_mod
from ..compression import codec_of
from ..errors import CorpusError, W2VError
from ..kernels import train as kernels
from ..progress import progress_bar
from ..tokenize import Tokenizer
from .schedule import EpochPlan, JobResult, cut_jobs, mix
from .state import lock_factors
from .threads import ThreadExecutor

logger = logging.getLogger(__name__)

INSTALL_HINT = "training on a cluster needs Dask: pip install 'w2v[dask]'"
_BLOCK_BYTES = 1 << 22


class ClusterError(W2VError, RuntimeError):
    """Training on the cluster cannot go on (or cannot start): the message says where and why."""


class ReplicaLost(RuntimeError):
    """A worker has no copy of the model at the round it is asked to train (it is new, or was restarted)."""


def distributed():
    """``dask.distributed``, or a ClusterError with the install hint."""
    try:
        import dask.distributed as dd
        import fsspec  # noqa: F401 - the workers read the corpus through it
    except ImportError:
        raise ClusterError(INSTALL_HINT) from None
    return dd


@contextlib.contextmanager
def connect(spec):
    """A Client for ``spec``: ``local:N`` starts a cluster of N worker processes on this machine,
    anything else is a scheduler's address (``tcp://host:8786``)."""
    dd = distributed()
    cluster = None
    if spec.startswith("local:"):
        try:
            n = int(spec[len("local:"):])
            if n < 1:
                raise ValueError
        except ValueError:
            raise ClusterError(f"--dask local:N needs a number of worker processes >= 1, got {spec!r}") from None
        threads = max(1, (os.cpu_count() or 1) // n)
        cluster = dd.LocalCluster(n_workers=n, threads_per_worker=threads, processes=True,
                                  dashboard_address=None, silence_logs=logging.ERROR)
        client = dd.Client(cluster)
    else:
        if "://" not in spec:
            raise ClusterError(f"--dask takes local:N or a scheduler address such as tcp://host:8786, got {spec!r}")
        try:
            client = dd.Client(spec, timeout="15s")
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# -- shards ------------------------------------------------------------------------------------
#: A piece of a file: bytes [start, end) of a plain file (the lines that begin there), or a
#: whole compressed file (codec set, end None).
Piece = namedtuple("Piece", "url start end codec")
#: A shard: the pieces one worker reads, in corpus order.
Shard = namedtuple("Shard", "number pieces nbytes")


def _filesystem(source):
    import fsspec

    return fsspec.core.url_to_fs(os.fspath(source) if not isinstance(source, str) else source)


def split_corpus(source, n):
    """Cut a corpus (a file or a folder of files, a local path or an fsspec URL) into at most
    ``n`` shards of about equal bytes.  Plain files are cut at byte offsets (each line goes to
    the piece it begins in); compressed files cannot be cut and go whole into one shard."""
    if source == "-":
        raise ClusterError("a cluster cannot read standard input: give the corpus as a file or folder the "
                           "workers can read")
    fs, root = _filesystem(source)
    if fs.isdir(root):
        files = sorted(p for p in fs.find(root)
                       if not any(part.startswith(".") for part in p[len(root):].split("/") if part))
        if not files:
            raise CorpusError(f"{source}: the folder has no files")
    elif fs.exists(root):
        files = [root]
    else:
        raise CorpusError(f"{source}: no such file or folder")
    entries = []
    for path in files:
        size = int(fs.size(path))
        if size == 0:
            continue
        with fs.open(path, "rb") as f:
            codec = codec_of(f.read(6))
        entries.append((fs.unstrip_protocol(path), size, codec))
    total = sum(size for _, size, _ in entries)
    n = max(1, int(n))
    target = total / n if total else 1
    shards = [[] for _ in range(n)]
    where = 0
    for url, size, codec in entries:
        if codec is not None:
            shards[min(n - 1, int((where + size / 2) // target))].append(Piece(url, 0, None, codec))
        else:
            inside = [int(k * target) for k in range(1, n) if where < k * target < where + size]
            cuts = [where] + inside + [where + size]
            for a, b in zip(cuts[:-1], cuts[1:]):
                if b > a:
                    shards[min(n - 1, int(((a + b) / 2) // target))].append(Piece(url, a - where, b - where, None))
        where += size
    sizes = [sum((p.end - p.start) if p.end is not None else _size_of(entries, p.url) for p in s) for s in shards]
    kept = [(s, b) for s, b in zip(shards, sizes) if s]
    return [Shard(i, tuple(s), b) for i, (s, b) in enumerate(kept)]


def _size_of(entries, url):
    return next(size for u, size, _ in entries if u == url)


def _line_blocks(handle, start, end):
    """Blocks of whole lines (bytes) of ``handle``: the lines whose first byte is in [start, end)."""
    end = float("inf") if end is None else end
    pos = 0
    if start > 0:
        handle.seek(start - 1)
        pos = start - 1 + len(handle.readline())   # the line under way at ``start`` belongs to the piece before
    carry = b""
    while True:
        if pos >= end:
            if carry and not carry.endswith(b"\n"):
                carry += handle.readline()   # the last line begun before ``end`` is ours: finish it
            if carry:
                yield carry
            return
        chunk = handle.read(int(min(_BLOCK_BYTES, end - pos)))
        if not chunk:
            if carry:
                yield carry
            return
        pos += len(chunk)
        data = carry + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            carry = data
            continue
        yield data[:cut]
        carry = data[cut:]


_DECOMPRESS = {"gzip": lambda f: gzip.GzipFile(fileobj=f, mode="rb"), "bzip2": bz2.BZ2File,
               "xz": lambda f: lzma.LZMAFile(f)}


def shard_texts(shard, unicode_errors="strict"):
    """The text of a shard, in blocks of whole lines (str), read with fsspec where the worker runs."""
    for piece in shard.pieces:
        fs, path = _filesystem(piece.url)
        try:
            raw = fs.open(path, "rb")
        except OSError as exc:
            raise CorpusError(f"{piece.url}: cannot open: {exc}") from None
        with raw:
            handle = _DECOMPRESS[piece.codec](raw) if piece.codec else raw
            offset = piece.start
            try:
                for data in _line_blocks(handle, piece.start, piece.end):
                    try:
                        yield data.decode("utf-8", errors=unicode_errors)
                    except UnicodeDecodeError as exc:
                        where = "byte" if piece.codec is None else "byte of the decompressed text"
                        raise CorpusError(
                            f"{piece.url}, {where} {offset + exc.start + 1}: invalid UTF-8 "
                            f"({exc.reason}); use unicode_errors='replace' (CLI: --unicode-errors replace) "
                            "to read it anyway") from None
                    offset += len(data)
            except (OSError, EOFError, lzma.LZMAError) as exc:
                raise CorpusError(f"{piece.url}: cannot read: {exc}") from None


#: What a worker keeps of its shard after reading it: the words it counted (``words``/``counts``,
#: first-seen order), and the shard as provisional ids (``pid_words`` maps them to words).
ShardText = namedtuple("ShardText", "words counts pid_words ids lengths")
#: The shard under the final vocabulary: ids, sentence offsets, raw words per sentence.
EncodedShard = namedtuple("EncodedShard", "ids offsets raw_lengths")


def count_shard(shard, unicode_errors="strict", tokenizer=None, max_vocab_size=None, trim_rule=None):
    """Read and count one shard (runs on a worker): a :class:`ShardText`."""
    tokenizer = Tokenizer.make(tokenizer)
    sentences = itertools.chain.from_iterable(map(tokenizer.split_block, shard_texts(shard, unicode_errors)))
    scan = corpus_mod.scan(sentences=sentences, max_vocab_size=max_vocab_size, progress=False, trim_rule=trim_rule)
    words, counts = scan.vocabulary()
    return ShardText(words, np.asarray(counts, np.int64), list(scan.words), np.asarray(scan.ids), scan.lengths)


def _summary(text):
    return text.words, text.counts, int(text.lengths.sum()), len(text.lengths)


def encode_shard(text, vocabulary):
    """A :class:`ShardText` under the final vocabulary (a list of words, or it pickled): an :class:`EncodedShard`."""
    if isinstance(vocabulary, bytes):
        vocabulary = pickle.loads(vocabulary)
    index = dict(zip(vocabulary, range(len(vocabulary))))
    remap = np.fromiter(map(index.get, text.pid_words, itertools.repeat(-1)), np.int32, len(text.pid_words))
    return EncodedShard(*corpus_mod.encode_with(remap, text.ids, text.lengths))


def read_and_encode(shard, unicode_errors, tokenizer, vocabulary):
    """Read a shard again and encode it (runs on a worker that replaces a lost one)."""
    return encode_shard(count_shard(shard, unicode_errors, tokenizer), vocabulary)


def merge_counts(summaries):
    """The counts of all shards as one (words, counts) in first-seen order over the shards in order,
    as one process reading the whole corpus counts them."""
    merged = {}
    for words, counts, _, _ in summaries:
        get = merged.get
        for word, count in zip(words, counts.tolist()):
            merged[word] = get(word, 0) + count
    return list(merged), np.fromiter(merged.values(), np.int64, len(merged))


class ShardScan:
    """The cluster's reading of a corpus: the merged counts on the driver, the shards' ids on the workers."""

    def __init__(self, client, source, shards, texts, summaries, reading):
        self.client = client
        self.reading = reading           # (unicode_errors, tokenizer): how the shards are read again
        self.source = source
        self.shards = shards
        self.texts = texts               # futures of ShardText, one per shard, held on the workers
        self.words, self.counts = merge_counts(summaries)
        self.shard_words = [s[2] for s in summaries]
        self.total_words = int(sum(self.shard_words))
        self.sentence_count = int(sum(s[3] for s in summaries))

    def vocabulary(self):
        return self.words, self.counts

    def encoded(self, vocabulary):
        """Futures of each shard's :class:`EncodedShard` under ``vocabulary`` (encoded where the shard lives)."""
        # pickled first: Dask sends one bytes object at once, a list of words item by item (seconds)
        [self.vocabulary_future] = self.client.scatter([pickle.dumps(list(vocabulary), protocol=5)], broadcast=True,
                                                       hash=False)
        return [self.client.submit(encode_shard, text, self.vocabulary_future, pure=False, retries=2)
                for text in self.texts]

    def reread(self, number):
        """A future of shard ``number`` read and encoded afresh (its worker was lost with its ids)."""
        return self.client.submit(read_and_encode, self.shards[number], *self.reading, self.vocabulary_future,
                                  pure=False, retries=2)

    def encode(self, key_to_index):
        """The whole corpus gathered here (for training without the cluster after counting on it)."""
        vocabulary = sorted(key_to_index, key=key_to_index.get)
        parts = self.client.gather(self.encoded(vocabulary))
        ids = np.concatenate([p.ids for p in parts])
        raw = np.concatenate([p.raw_lengths for p in parts])
        offsets = np.zeros(sum(len(p.offsets) - 1 for p in parts) + 1, np.int64)
        np.cumsum(np.concatenate([np.diff(p.offsets) for p in parts]), out=offsets[1:])
        return ids, offsets, raw


def workers_of(client):
    return max(1, len(client.scheduler_info(n_workers=-1)["workers"]))


def scan_shards(client, source, unicode_errors="strict", tokenizer=None, max_vocab_size=None, trim_rule=None,
                progress=None, shards=None):
    """Count the corpus on the cluster, each worker its shard: a :class:`ShardScan`."""
    dd = distributed()
    shards = split_corpus(source, shards or workers_of(client))
    tokenizer = Tokenizer.make(tokenizer).to_dict()
    texts = [client.submit(count_shard, shard, unicode_errors, tokenizer, max_vocab_size, trim_rule,
                           pure=False, retries=2) for shard in shards]
    summaries = [None] * len(shards)
    pending = {client.submit(_summary, t, pure=False): i for i, t in enumerate(texts)}
    bar = progress_bar(total=sum(s.nbytes for s in shards) or None, unit="B", unit_scale=True,
                       desc=f"reading on {len(shards)} workers", disable=None if progress is None else not progress,
                       leave=False)
    with bar:
        for future in dd.as_completed(list(pending)):
            i = pending[future]
            summaries[i] = future.result()
            bar.update(shards[i].nbytes)
    return ShardScan(client, source, shards, texts, summaries, (unicode_errors, tokenizer))


# -- the rounds, on the workers -------------------------------------------------------------------
#: What the kernels read besides the corpus and the matrices (the same on every worker).
Tables = namedtuple("Tables", "lockf keep neg_accept neg_alias points codes code_lengths sg hs negative window "
                              "shrink cbow_mean compute_loss")
#: One shard's round: which part of which epoch, and how the learning rate and seeds go.
RoundSpec = namedtuple("RoundSpec", "seed train_count epoch round rounds epochs start_alpha end_alpha "
                                    "alpha_scale batch_words threads")
#: A shard's answer: words trained (after subsampling), loss, raw words, and its changes
#: ``deltas``: per matrix (rows, values), the rows sorted, values float32 or float16.
RoundResult = namedtuple("RoundResult", "shard effective loss raw deltas train_seconds worker")

_REPLICAS = {}   # on a worker: (run, shard) -> _Replica


class _Replica:
    """A worker's copy of the model for one shard: ``base`` is the driver's state at round
    ``version``; ``work`` is what the kernels train (equal to ``base`` between rounds)."""

    def __init__(self, matrices, version):
        self.base = [np.array(m, dtype=np.float32, copy=True) for m in matrices]
        self.work = [m.copy() for m in self.base]
        self.version = version
        self.clean = True
        self.plan = None   # (epoch, rounds, order, spans, raw per job)


def _apply(matrices, delta):
    for matrix, (rows, values) in zip(matrices, delta):
        if len(rows):
            matrix[rows] += values.astype(np.float32, copy=False)


def _epoch_plan(data, spec, shard):
    """This shard's sentence order and jobs for ``spec.epoch`` (each job: begin, end, raw words)."""
    n = len(data.raw_lengths)
    order = np.random.default_rng(mix(spec.seed, spec.train_count, spec.epoch, 0xDA5C, shard)).permutation(n)
    lengths = np.diff(data.offsets)[order]
    per_round = max(1, int(np.sum(lengths)) // max(1, spec.rounds))
    spans, raw = cut_jobs(lengths, data.raw_lengths[order], max(1, min(spec.batch_words, per_round)))
    return order, spans, raw


def train_round(shard, data, tables, run, version, delta, reset, spec, float16):
    """Train shard ``shard``'s part of one round on this worker's copy of the model (runs on a worker).

    The copy is first brought to round ``version``: by the merged change of the round before
    (``delta``), or by the driver's whole state (``reset``) when this worker has no copy at
    that round.  Returns a :class:`RoundResult` with the rows the round changed."""
    key = (run, shard)
    replica = _REPLICAS.get(key)
    if replica is not None and replica.version == version - 1 and delta is not None:
        _apply(replica.base, delta)
        for base, work, (rows, _) in zip(replica.base, replica.work, delta):
            work[rows] = base[rows]
        replica.version = version
    if replica is None or replica.version != version:
        if reset is None:
            raise ReplicaLost(f"shard {shard}: this worker holds no copy of the model at round {version}")
        _REPLICAS[key] = replica = _Replica(reset, version)
    if not replica.clean:   # a round that failed half-way left its changes in the working copy
        replica.work = [m.copy() for m in replica.base]
        replica.clean = True

    if replica.plan is None or replica.plan[0] != (spec.epoch, spec.rounds):
        replica.plan = ((spec.epoch, spec.rounds),) + _epoch_plan(data, spec, shard)
    _, order, spans, raw = replica.plan
    cum = np.concatenate([[0], np.cumsum(raw)])
    bounds = np.searchsorted(cum[:-1], np.linspace(0, cum[-1], spec.rounds + 1), side="left")
    bounds[-1] = len(spans)
    first, last = int(bounds[spec.round]), int(bounds[spec.round + 1])
    round_raw = float(cum[last] - cum[first]) or 1.0

    def alpha(done):   # the rate at the cluster's progress when this shard has done ``done`` of its round
        progress = spec.epoch + (spec.round + done / round_raw) / spec.rounds
        rate = spec.start_alpha - (spec.start_alpha - spec.end_alpha) * progress / max(1, spec.epochs)
        return rate * spec.alpha_scale

    jobs = [kernels.job(a, b, alpha(cum[j] - cum[first]), alpha(cum[j + 1] - cum[first]),
                        mix(spec.seed, spec.train_count, spec.epoch, 0xDA5C, shard, j))
            for j, (a, b) in zip(range(first, last), spans[first:last])]
    syn0, syn1neg, syn1 = replica.work
    threads = spec.threads or _worker_threads()
    state = kernels.training_state(data.ids, data.offsets, syn0, syn1neg, syn1, tables.lockf, tables.keep,
                                   tables.neg_accept, tables.neg_alias, tables.points, tables.codes,
                                   tables.code_lengths, tables.sg, tables.hs, tables.negative, tables.window,
                                   tables.shrink, tables.cbow_mean, tables.compute_loss,
                                   hot_rows=kernels.HOT_ROWS if threads > 1 else 0)
    plan = EpochPlan(spec.epoch, order, jobs, raw[first:last])
    effective = loss = 0.0
    replica.clean = False
    trained = time.perf_counter()
    with ThreadExecutor(threads) as pool:
        for result in pool.run_epoch(state, plan):
            effective += result.effective
            loss += result.loss
    trained = time.perf_counter() - trained

    deltas = []
    for base, work in zip(replica.base, replica.work):
        rows = np.flatnonzero((work != base).any(axis=1)).astype(np.int32)
        values = work[rows] - base[rows]
        deltas.append((rows, values.astype(np.float16) if float16 else values))
        work[rows] = base[rows]
    replica.clean = True
    return RoundResult(shard, int(effective), float(loss), int(cum[last] - cum[first]), deltas, trained,
                       _worker_address())


def _worker_address():
    try:
        from dask.distributed import get_worker

        return get_worker().address
    except Exception:  # noqa: BLE001 - not on a worker
        return None


def _worker_threads():
    try:
        from dask.distributed import get_worker

        worker = get_worker()
        return max(1, int(getattr(worker, "nthreads", None) or worker.state.nthreads))
    except Exception:  # noqa: BLE001 - not on a worker, or another Dask version: one thread
        return 1


def _warm(state):
    """Compile (or load from numba's cache) the kernel in a worker process; returns the seconds spent
    compiling (0 when numba's cache had it: loading is not compiling)."""
    args = (state, np.zeros(0, np.int64), kernels.job(0, 0, 0.0, 0.0, 0))
    cached = kernels.is_compiled(kernels.train_job, args)
    started = time.perf_counter()
    kernels.train_job(*args)
    return 0.0 if cached else time.perf_counter() - started


def _forget(run):
    for key in [k for k in _REPLICAS if k[0] == run]:
        del _REPLICAS[key]


# -- the driver ------------------------------------------------------------------------------
class ShardSchedule:
    """The epochs of a cluster run, as the epoch loop reads them: rounds instead of jobs."""

    def __init__(self, shard_words, epochs, sync_words):
        self.epochs = int(epochs)
        self.shard_words = list(shard_words)
        self.epoch_raw = int(sum(self.shard_words))
        self.total_raw = self.epochs * self.epoch_raw
        self.rounds = max(1, -(-max(self.shard_words, default=0) // int(sync_words)))

    def plan(self, epoch):
        per_round = np.full(self.rounds, self.epoch_raw // self.rounds, np.int64)
        return EpochPlan(epoch, None, list(range(self.rounds)), per_round)


class DaskExecutor:
    """Runs the epochs on a Dask cluster in synchronous rounds (see the module's documentation).

    ``sync_words``: words each shard trains between two synchronisations (default: the model's);
    ``combine``: ``"average"`` (the default) averages the shards' changes over all shards, each
    shard training at the learning rate × shards; ``"sum"`` adds them and ``"mean"`` averages them
    over the shards that changed a row, both at the plain rate (kept to measure them: see the
    module's documentation); ``float16`` sends the changes as float16; ``threads``: kernel threads
    per shard (default: the worker's threads); ``shards``: how many (default: one per worker);
    ``retries``: how often a round is run again after a worker is lost before giving up.
    After a run, ``stats`` holds rounds, bytes sent each way and the time spent waiting and merging.
    """

    reads_corpus = True   # the model hands it the corpus's name, not the corpus

    def __init__(self, client, sync_words=None, combine="average", float16=False, threads=None, shards=None,
                 retries=3):
        if combine not in COMBINES:
            raise ValueError(f"combine must be one of {', '.join(map(repr, COMBINES))}, got {combine!r}")
        self.client = client
        self.sync_words = sync_words
        self.combine = combine
        self.float16 = bool(float16)
        self.threads = threads
        self.shards = shards
        self.retries = int(retries)
        self.stats = {}

    # The model calls this instead of reading the corpus itself.
    def plan_corpus(self, model, corpus_iterable, corpus_file, run, scan=None):
        """(the driver's TrainState, a :class:`ShardSchedule`) for training ``model`` on ``corpus_file``."""
        distributed()
        check_model(model, corpus_iterable)
        if scan is None or not isinstance(scan, ShardScan) or scan.client is not self.client:
            scan = scan_shards(self.client, corpus_file, model.unicode_errors, model.tokenizer,
                               progress=model.progress, shards=self.shards)
        sync_words = int(self.sync_words or model.sync_words)
        self.data = scan.encoded(model.wv.index_to_key)
        distributed().wait(self.data)
        scan.texts = None   # not kept twice: a shard lost with its worker is read again (ShardScan.reread)
        self.scan = scan
        self.model = model
        self.spec = dict(seed=int(model.seed), train_count=int(model.train_count), epochs=int(run["epochs"]),
                         start_alpha=float(run["start_alpha"]), end_alpha=float(run["end_alpha"]),
                         alpha_scale=float(len(scan.shards) if self.combine == "average" else 1),
                         batch_words=int(model.batch_words), threads=self.threads)
        empty = np.zeros(0, np.int32), np.zeros(1, np.int64)
        state = kernels.training_state(*empty, model.wv.vectors, model.syn1neg, model.syn1, lock_factors(model.wv),
                                       model._keep, model._neg_accept, model._neg_alias, model._points, model._codes,
                                       model._code_lengths, model.sg, model.hs, model.negative, model.window,
                                       model.shrink_windows, model.cbow_mean, run["compute_loss"])
        return state, ShardSchedule(scan.shard_words, run["epochs"], sync_words)

    def prepare(self, state):
        """Load the kernel on every worker (numba's cache, or a compilation); returns the longest compilation."""
        d = state.syn0.shape[1]
        rows = np.zeros((1, d), np.float32)
        tiny = kernels.training_state(np.zeros(0, np.int32), np.zeros(1, np.int64), rows, rows, rows, None,
                                      state.keep[:1], state.neg_accept[:1], state.neg_alias[:1], state.points[:1],
                                      state.codes[:1], state.code_lengths[:1], state.sg, state.hs, state.negative,
                                      state.window, state.shrink, state.cbow_mean, state.compute_loss)
        seconds = self.client.run(_warm, tiny)
        return max(seconds.values(), default=0.0)

    def __enter__(self):
        self.run_id = uuid.uuid4().hex
        self.version = 0
        self.delta = None
        self.reset = None
        self.homes = {}
        self.stats = {"shards": len(self.data), "rounds": 0, "bytes_up": 0, "bytes_down": 0, "bytes_reset": 0,
                      "resets": 0, "seconds_round": 0.0, "seconds_merge": 0.0, "seconds_send": 0.0,
                      "seconds_train_max": 0.0,
                      "seconds_train_sum": 0.0, "rows_merged": 0, "float16": self.float16, "combine": self.combine}
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):
            self.client.run(_forget, self.run_id)
        self.client.cancel([f for f in (self.delta, self.reset) if f is not None])
        self.delta = self.reset = None

    def _tables(self, state):
        return Tables(state.lockf, state.keep, state.neg_accept, state.neg_alias, state.points, state.codes,
                      state.code_lengths, state.sg, state.hs, state.negative, state.window, state.shrink,
                      state.cbow_mean, state.compute_loss)

    def _matrices(self, state):
        return (state.syn0, state.syn1neg, state.syn1)

    def _send_state(self, state):
        [self.reset] = self.client.scatter([tuple(np.asarray(m) for m in self._matrices(state))], broadcast=True,
                                           hash=False)
        self.stats["bytes_reset"] += sum(m.nbytes for m in self._matrices(state)) * len(self.data)

    def run_epoch(self, state, plan):
        """Run the epoch's rounds; after each whole round, merge it and yield a JobResult per shard."""
        if self.version == 0 and self.reset is None:
            [self.tables] = self.client.scatter([self._tables(state)], broadcast=True, hash=False)
            self._send_state(state)
        for r in range(len(plan.jobs)):
            results = self._round(state, plan, r)
            for result in results:
                yield JobResult(result.effective, result.loss, result.raw)

    def _round(self, state, plan, r):
        dd = distributed()
        spec = RoundSpec(round=r, rounds=len(plan.jobs), epoch=plan.epoch, **self.spec)
        started = time.perf_counter()
        for attempt in range(self.retries + 1):
            # each shard goes back to the worker holding its copy of the model (another one if it is gone)
            futures = [self.client.submit(train_round, k, data, self.tables, self.run_id, self.version, self.delta,
                                          self.reset, spec, self.float16, pure=False, retries=1,
                                          **({"workers": self.homes[k], "allow_other_workers": True}
                                             if k in self.homes else {}))
                       for k, data in enumerate(self.data)]
            try:
                results = self.client.gather(futures)
                break
            except (ReplicaLost, dd.CancelledError) as exc:   # a worker was lost, with its copy or its shard
                lost = exc
            except dd.KilledWorker as exc:
                self.client.cancel(futures)
                raise ClusterError(f"epoch {plan.epoch + 1}, round {r + 1}: workers kept dying while training "
                                   f"({exc}); the model holds the state after the last whole round") from None
            except Exception as exc:
                self.client.cancel(futures)
                raise ClusterError(f"epoch {plan.epoch + 1}, round {r + 1} failed on the cluster: "
                                   f"{type(exc).__name__}: {exc}; the model holds the state after the last whole "
                                   "round") from exc
            self.client.cancel(futures)
            for k, data in enumerate(self.data):
                if data.status != "finished":
                    self.data[k] = self.scan.reread(k)
            logger.warning("a worker was lost (%s); sending the state of round %d again", lost, self.version)
            self.stats["resets"] += 1
            self._send_state(state)
        else:
            raise ClusterError(f"epoch {plan.epoch + 1}, round {r + 1}: workers were lost {self.retries + 1} times; "
                               "the model holds the state after the last whole round")
        waited = time.perf_counter()
        self.homes = {res.shard: [res.worker] for res in results if res.worker}
        merged = merge_deltas([res.deltas for res in results], self.combine, self.float16)
        _apply(self._matrices(state), merged)
        sent = time.perf_counter()
        self.client.cancel([f for f in (self.delta, self.reset) if f is not None])
        [self.delta] = self.client.scatter([merged], broadcast=True, hash=False)
        self.reset = None
        self.version += 1
        done = time.perf_counter()
        up = sum(rows.nbytes + values.nbytes for res in results for rows, values in res.deltas)
        down = sum(rows.nbytes + values.nbytes for rows, values in merged) * len(self.data)
        s = self.stats
        s["rounds"] += 1
        s["bytes_up"] += up
        s["bytes_down"] += down
        s["rows_merged"] += sum(len(rows) for rows, _ in merged)
        s["seconds_round"] += done - started
        s["seconds_merge"] += sent - waited
        s["seconds_send"] += done - sent
        s["seconds_train_max"] += max(res.train_seconds for res in results)
        s["seconds_train_sum"] += sum(res.train_seconds for res in results)
        return results


#: How the shards' changes of a round are combined: "average" (the mean over all shards, the shards
#: training with the learning rate × shards: the default), "sum", "mean" (over the shards that changed a row).
COMBINES = ("average", "sum", "mean")


def merge_deltas(deltas, combine="average", float16=False):
    """The shards' changes of a round as one change per matrix: (sorted rows, values) with each
    row's changes averaged over all shards (``average``), added (``sum``) or averaged over the
    shards that changed it (``mean``)."""
    merged = []
    for parts in zip(*deltas):
        top = max((int(r[-1]) + 1 for r, _ in parts if len(r)), default=0)
        width = next((v.shape[1] for _, v in parts if v.ndim == 2), 0)
        total = np.zeros((top, width), np.float32)   # dense scratch: the changed rows are most of the rows
        times = np.zeros(top, np.int32)
        for r, v in parts:
            total[r] += v   # rows are unique within a shard's change
            times[r] += 1
        rows = np.flatnonzero(times).astype(np.int32)
        total = total[rows]
        if combine == "mean" and len(rows):
            total /= times[rows, None].astype(np.float32)
        elif combine == "average":
            total /= np.float32(len(parts))
        merged.append((rows, total.astype(np.float16) if float16 else total))
    return merged


def check_model(model, corpus_iterable):
    """Say clearly what a cluster run cannot do."""
    if corpus_iterable is not None:
        raise ClusterError("client= trains on corpus_file: the workers read it themselves, and sentences given as "
                           "a Python iterable live in this process; train them without client=")
    if getattr(model, "phrases", 0):
        raise ClusterError("phrases= is not available on a cluster yet: join the phrases first "
                           "(w2v phrases CORPUS -o PHRASED) and train on the joined text")
