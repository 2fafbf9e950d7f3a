"""Pretrained vectors by name: the catalogue, the cache, and downloads that survive the real world.

A *catalogue* (JSON; the one shipped is ``w2v/data/catalog.json``, another can be given with
``catalog=`` / ``--catalog PATH_OR_URL`` or the ``W2V_CATALOG`` environment variable) names
vectors and says where to get them.  :func:`fetch` downloads an entry once into the cache
(``W2V_DATA``, else the platform's cache directory), verifies every part against the
checksum its publisher gives before anything is kept, converts the vectors once to w2v's
native format and deletes the download; later loads memory-map that native file.

Downloads resume with HTTP ``Range`` after a dropped connection (starting over when a server
ignores it), retry with exponential backoff, give up on a stalled connection after a read
timeout, follow redirects, check the free disk space first, and take a lock file so that two
processes fetching the same name download it once.  Nothing downloaded is ever executed:
data files are read as data, a catalogue as JSON.
"""
import contextlib
import errno
import hashlib
import json
import os
import shutil
import sys
import time
import zipfile
from importlib import resources

from . import formats, store
from .atomic import atomic_write
from .errors import FormatError, W2VError

CATALOG_ENV = "W2V_CATALOG"
DATA_ENV = "W2V_DATA"
NATIVE_NAME = "vectors.w2v"
CHECKSUMS_NAME = "checksums.json"

#: Seconds to wait for a connection, and for the next bytes of a response before giving up.
TIMEOUT = (15.0, 60.0)
#: Attempts per file (the first plus retries), and the first pause between them (doubling, capped).
ATTEMPTS = 5
BACKOFF = 1.0
_MAX_PAUSE = 60.0
_CHUNK = 1 << 16
_READABLE = ("word2vec-text", "word2vec-binary", "glove", "fasttext-vec")
_COMPRESSIONS = ("gzip", "zip", "none")
_CHECKSUMS = ("md5", "sha256")


class DownloadError(W2VError):
    """A download failed (network, server, checksum, disk): the message says which URL and what to do."""


# ---------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------
def _check_entry(where, i, entry):
    def bad(what):
        name = entry.get("name") if isinstance(entry, dict) else None
        return FormatError(f"catalogue {where}: entry {i}{f' ({name})' if name else ''}: {what}")

    if not isinstance(entry, dict):
        raise bad("not a JSON object")
    for field, kind in (("name", str), ("format", str), ("parts", list)):
        if not isinstance(entry.get(field), kind):
            raise bad(f"needs {field!r} ({kind.__name__})")
    if entry["format"] not in _READABLE:
        raise bad(f"format {entry['format']!r} is not one of {', '.join(_READABLE)}")
    compression = entry.setdefault("compression", "none")
    if compression not in _COMPRESSIONS:
        raise bad(f"compression {compression!r} is not one of {', '.join(_COMPRESSIONS)}")
    if compression == "zip" and not isinstance(entry.get("member"), str):
        raise bad("a zip entry needs 'member', the file inside the archive to read")
    if not entry["parts"]:
        raise bad("'parts' is empty")
    for j, part in enumerate(entry["parts"]):
        if not isinstance(part, dict) or not isinstance(part.get("url"), str):
            raise bad(f"part {j} needs 'url'")
        if not (any(isinstance(part.get(k), str) for k in _CHECKSUMS) or part.get("unverified") is True):
            raise bad(f"part {j} needs 'md5' or 'sha256' (the publisher's checksum) or \"unverified\": true")
    for field in ("dimensions", "vocabulary", "size"):
        if entry.get(field) is not None and not (isinstance(entry[field], int) and entry[field] >= 0):
            raise bad(f"{field!r} must be a whole number of {'bytes' if field == 'size' else 'items'} or null")
    for field in ("description", "licence", "citation"):
        entry.setdefault(field, "")
    return entry


def load_catalog(source=None):
    """The catalogue as {name: entry}: from ``source`` (a path or http(s) URL), else from
    ``$W2V_CATALOG``, else the one shipped with w2v."""
    source = source or os.environ.get(CATALOG_ENV) or None
    if source is None:
        where = "w2v/data/catalog.json"
        text = resources.files("w2v").joinpath("data/catalog.json").read_text(encoding="utf-8")
    elif str(source).startswith(("http://", "https://")):
        where = str(source)
        requests = _requests()
        try:
            response = requests.get(where, timeout=TIMEOUT)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise DownloadError(f"could not read the catalogue {where}: {_reason(exc)}") from None
        text = response.text
    else:
        where = os.fspath(source)
        try:
            with open(where, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise FormatError(f"catalogue {where}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise FormatError(f"catalogue {where}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise FormatError(f"catalogue {where}: needs a JSON object with a list 'entries'")
    catalog = {}
    for i, entry in enumerate(data["entries"]):
        entry = _check_entry(where, i, entry)
        if entry["name"] in catalog:
            raise FormatError(f"catalogue {where}: the name {entry['name']!r} appears twice")
        catalog[entry["name"]] = entry
    return catalog


def _catalog(catalog):
    return catalog if isinstance(catalog, dict) else load_catalog(catalog)


def entry(name, catalog=None):
    """The catalogue entry called ``name``; KeyError naming close names when there is none."""
    catalog = _catalog(catalog)
    if name not in catalog:
        import difflib

        close = difflib.get_close_matches(name, list(catalog), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else "; `w2v download --list` shows them"
        raise KeyError(f"no vectors called {name!r} in the catalogue{hint}")
    return catalog[name]


# ---------------------------------------------------------------------------------------------
# the cache
# ---------------------------------------------------------------------------------------------
def cache_dir():
    """Where downloads live: ``$W2V_DATA``, else the platform's user cache directory for w2v."""
    if os.environ.get(DATA_ENV):
        return os.path.abspath(os.environ[DATA_ENV])
    import platformdirs

    return platformdirs.user_cache_dir("w2v", appauthor=False)


def _entry_dir(name):
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise FormatError(f"catalogue name {name!r} cannot be a folder name in the cache")
    return os.path.join(cache_dir(), name)


def cached_path(name):
    """The native file of ``name`` in the cache (it may not exist yet)."""
    return os.path.join(_entry_dir(name), NATIVE_NAME)


def is_cached(name):
    return store.is_native(cached_path(name))


def _part_file(entry_dir, url):
    base = os.path.basename(url.split("?", 1)[0].split("#", 1)[0].rstrip("/")) or "download"
    return os.path.join(entry_dir, base)


# ---------------------------------------------------------------------------------------------
# HTTP
# ---------------------------------------------------------------------------------------------
def _requests():
    try:
        import requests
    except ImportError:
        raise W2VError("downloading needs the 'requests' package: pip install requests") from None
    return requests


def _reason(exc):
    """A short reason for a failed request (requests' messages nest several exceptions)."""
    requests = _requests()
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return f"HTTP {exc.response.status_code} {exc.response.reason or ''}".strip()
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        text = str(exc)
        if "timed out" in text.lower():   # a read that stalled mid-body comes as a connection error
            return "timed out"
        for known in ("Connection refused", "Name or service not known", "Temporary failure in name resolution",
                      "Network is unreachable", "Connection reset", "Connection aborted", "IncompleteRead"):
            if known in text:
                return known.lower()
        return "connection failed"
    return f"{type(exc).__name__}: {exc}"


class _Retry(Exception):
    """A response that should be tried again (a server error, a short body)."""


def _hash_file(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _free_bytes(path):
    """Free bytes on the file system of ``path`` (the tests replace this to fake a full disk)."""
    return shutil.disk_usage(path).free


def _human(n):
    if n is None:
        return "?"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000


def _stream(session, url, partial, progress, desc, timeout):
    """One attempt at ``url`` into ``partial``, continuing what is there; returns when complete."""
    requests = _requests()
    offset = os.path.getsize(partial) if os.path.exists(partial) else 0
    headers = {"Range": f"bytes={offset}-", "Accept-Encoding": "identity"} if offset else {"Accept-Encoding": "identity"}
    with session.get(url, stream=True, timeout=timeout, headers=headers) as response:
        if response.status_code == 416 and offset:    # what we have is not a prefix the server knows
            os.unlink(partial)
            raise _Retry("the server refused to resume (HTTP 416); starting over")
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retry(f"HTTP {response.status_code} {response.reason or ''}".strip())
        response.raise_for_status()
        if offset and response.status_code == 206:
            start = response.headers.get("Content-Range", "").replace("bytes ", "").split("-")[0]
            if start.strip() != str(offset):
                offset = 0   # not the range we asked for: start over
        elif offset:
            offset = 0       # 200: the server ignores Range and sends everything again
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else None
        from .progress import progress_bar

        bar = progress_bar(total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024,
                           desc=desc, disable=None if progress is None else not progress, leave=False)
        with bar, open(partial, "ab" if offset else "wb") as out:
            for chunk in response.iter_content(_CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        got = os.path.getsize(partial)
        if total is not None and got < total:
            raise _Retry(f"connection closed after {got} of {total} bytes")
    return got


def _download(session, url, dest, progress, desc, timeout, attempts, backoff, name):
    """Download ``url`` to ``dest + '.part'``, resuming and retrying; returns that path."""
    requests = _requests()
    partial = dest + ".part"
    last = None
    for attempt in range(attempts):
        if attempt:
            time.sleep(min(_MAX_PAUSE, backoff * 2 ** (attempt - 1)))
        try:
            _stream(session, url, partial, progress, desc, timeout)
            return partial
        except requests.HTTPError as exc:   # 404, 403, ...: trying again will not help
            last = _reason(exc)
            break
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            last = _reason(exc)
        except _Retry as exc:
            last = str(exc)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DownloadError(f"the disk is full writing {partial} ({_human(_free_bytes(os.path.dirname(dest)))} "
                                    f"free); free some space or set {DATA_ENV} to a larger disk, then run "
                                    f"`w2v download {name}` again to resume") from None
            raise
    raise DownloadError(f"could not download {name}: {url} failed ({last}); to place it by hand, download "
                        f"that URL to {dest} and run `w2v download {name}` again")


def _verify(path, part, recorded, name, url, dest):
    """Check ``path`` against the part's checksum (or the SHA-256 recorded on first download)."""
    for algorithm in _CHECKSUMS:
        expected = part.get(algorithm)
        if isinstance(expected, str):
            break
    else:
        algorithm, expected = "sha256", recorded.get(os.path.basename(dest))
    actual = _hash_file(path, algorithm)
    if expected is not None and actual.lower() != expected.lower():
        os.unlink(path)
        origin = "the catalogue says" if part.get(algorithm) else "the first download of it had"
        raise DownloadError(f"{url}: checksum mismatch ({algorithm} {actual}, {origin} {expected}); the file "
                            f"was deleted and nothing was cached for {name}")
    # Record the SHA-256 of what the publisher gave no checksum for, to check later downloads against.
    return {} if part.get(algorithm) else {os.path.basename(dest): actual}


@contextlib.contextmanager
def _locked(directory, name):
    """An exclusive lock on ``directory/.lock`` (another process fetching the same name waits)."""
    try:
        import fcntl
    except ImportError:    # not POSIX: no lock
        yield
        return
    with open(os.path.join(directory, ".lock"), "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"w2v: waiting for another process downloading {name}", file=sys.stderr)
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _check_space(directory, item, present):
    """Refuse to start when the disk cannot hold the download, its unpacking and the native copy."""
    size = item.get("size")
    native = None
    if item.get("vocabulary") and item.get("dimensions"):
        native = item["vocabulary"] * (item["dimensions"] * 4 + 24)   # vectors + counts + keys
    need = max(0, (size or 0) - present) + (native or 0)
    if item["compression"] == "zip" and native:
        need += 3 * native          # the member unpacked as text
    if len(item["parts"]) > 1 and size:
        need += size                # the parts joined into one archive
    free = _free_bytes(directory)
    if need and free < need:
        raise DownloadError(f"not enough disk space for {item['name']} in {directory}: needs about {_human(need)}, "
                            f"{_human(free)} free; free some space or set {DATA_ENV} to a larger disk")


def _read_recorded(directory):
    path = os.path.join(directory, CHECKSUMS_NAME)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return {}


def _convert(item, directory, parts):
    """The verified download → the native file (joined, unpacked, read, saved atomically)."""
    source = parts[0]
    scratch = []
    try:
        if len(parts) > 1:
            source = os.path.join(directory, ".joined.tmp")
            scratch.append(source)
            with open(source, "wb") as out:
                for part in parts:
                    with open(part, "rb") as handle:
                        shutil.copyfileobj(handle, out, 1 << 20)
        if item["compression"] == "zip":
            try:
                with zipfile.ZipFile(source) as archive:
                    if item["member"] not in archive.namelist():
                        raise FormatError(f"{source}: the archive has no {item['member']!r} "
                                          f"(it has {', '.join(archive.namelist()[:10])})")
                    unpacked = os.path.join(directory, ".member.tmp")
                    scratch.append(unpacked)
                    with archive.open(item["member"]) as member, open(unpacked, "wb") as out:
                        shutil.copyfileobj(member, out, 1 << 20)
            except zipfile.BadZipFile as exc:
                raise FormatError(f"{source}: not a readable zip archive ({exc})") from None
            source = unpacked
        kv = formats.load(source, format=item["format"])
        kv.save(os.path.join(directory, NATIVE_NAME))
        return kv
    finally:
        for path in scratch:
            with contextlib.suppress(OSError):
                os.unlink(path)


def fetch(name, catalog=None, progress=None, force=False, timeout=None, attempts=None, backoff=None):
    """Make sure the vectors called ``name`` are in the cache; return the native file's path.

    Downloads (resuming a partial download), verifies, converts once and deletes the download.
    ``force`` downloads again even when a native copy is cached.  A file placed by hand at the
    path a failed download names is verified and used instead of downloading.
    """
    item = entry(name, catalog)
    directory = _entry_dir(name)
    os.makedirs(directory, exist_ok=True)
    native = os.path.join(directory, NATIVE_NAME)
    with _locked(directory, name):
        if store.is_native(native) and not force:
            return native
        dests = [_part_file(directory, part["url"]) for part in item["parts"]]
        if len(set(dests)) != len(dests):
            dests = [f"{d}.{j:02d}" for j, d in enumerate(dests)]
        present = sum(os.path.getsize(p) for d in dests for p in (d, d + ".part") if os.path.exists(p))
        _check_space(directory, item, present)
        recorded = _read_recorded(directory)
        fresh = {}
        requests = _requests()
        with requests.Session() as session:
            for j, (part, dest) in enumerate(zip(item["parts"], dests)):
                desc = name if len(dests) == 1 else f"{name} {j + 1}/{len(dests)}"
                if os.path.exists(dest):   # verified before, or placed by hand
                    fresh.update(_verify(dest, part, recorded, name, part["url"], dest))
                    continue
                partial = _download(session, part["url"], dest, progress, desc,
                                    timeout or TIMEOUT, attempts or ATTEMPTS, BACKOFF if backoff is None else backoff,
                                    name)
                fresh.update(_verify(partial, part, recorded, name, part["url"], dest))
                os.replace(partial, dest)
        if fresh != {k: recorded.get(k) for k in fresh}:
            with atomic_write(os.path.join(directory, CHECKSUMS_NAME), "w", encoding="utf-8") as out:
                json.dump({**recorded, **fresh}, out, indent=1, sort_keys=True)
        try:
            _convert(item, directory, dests)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DownloadError(f"the disk is full converting {name} in {directory}; free some space and "
                                    f"run `w2v download {name}` again (the download is kept)") from None
            raise
        for dest in dests:
            os.unlink(dest)
    return native


def resolve_model(path_or_name, catalog=None):
    """The file to read for a command's model argument: an existing path as given, else the
    cached native copy of a catalogue entry of that name (downloaded first if need be)."""
    path = os.fspath(path_or_name)
    if os.path.exists(path) or os.sep in path or path == "-":
        return path
    known = _catalog(catalog)
    if path not in known:
        return path
    return fetch(path, known)


def load(path_or_name, *args, catalog=None, **kwargs):
    """:func:`w2v.formats.load`, also taking a catalogue name (downloaded once, then the cached
    native copy is memory-mapped)."""
    path = os.fspath(path_or_name)
    resolved = resolve_model(path, catalog)
    if resolved != path:
        kwargs.setdefault("mmap", "r")
    return formats.load(resolved, *args, **kwargs)


load.__doc__ = (load.__doc__ or "") + "\n" + (formats.load.__doc__ or "")
