"""Pretrained downloads against a loopback HTTP server started here (no internet needed)."""
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import w2v
from w2v import download, formats, store
from w2v.cli import main
from w2v.errors import FormatError


# ---------------------------------------------------------------------------------------------
# a small HTTP server with misbehaviours on demand
# ---------------------------------------------------------------------------------------------
class _State:
    def __init__(self):
        self.files = {}        # path -> bytes
        self.redirects = {}    # path -> location
        self.drop_once = {}    # path -> bytes sent before the connection is cut (first request only)
        self.ignore_range = set()
        self.stall = set()     # paths whose response stops after a few bytes
        self.slow = set()      # paths sent in small chunks with pauses
        self.status = {}       # path -> an error status to answer with
        self.log = []          # (path, Range header, status)
        self.release = threading.Event()
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        st = self.server.state
        path = self.path
        rng = self.headers.get("Range")
        if path in st.redirects:
            self._log(path, rng, 302)
            self.send_response(302)
            self.send_header("Location", st.redirects[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path in st.status:
            self._log(path, rng, st.status[path])
            self.send_error(st.status[path])
            return
        if path not in st.files:
            self._log(path, rng, 404)
            self.send_error(404)
            return
        data = st.files[path]
        start = 0
        if rng and path not in st.ignore_range:
            start = int(rng.split("=")[1].split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self._log(path, rng, 206)
        else:
            self.send_response(200)
            self._log(path, rng, 200)
        body = data[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with st.lock:
            cut = st.drop_once.pop(path, None)
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        if path in st.stall:
            self.wfile.write(body[:10])
            self.wfile.flush()
            st.release.wait(15)
            return
        if path in st.slow:
            for i in range(0, len(body), 4000):     # about 3 s for the 240 kB test file
                self.wfile.write(body[i:i + 4000])
                self.wfile.flush()
                st.release.wait(0.05)
            return
        self.wfile.write(body)

    def _log(self, path, rng, status):
        with self.server.state.lock:
            self.server.state.log.append((path, rng, status))


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.state = _State()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """Every test gets its own cache, short timeouts and no pauses between attempts."""
    monkeypatch.setenv("W2V_DATA", str(tmp_path / "cache"))
    monkeypatch.delenv("W2V_CATALOG", raising=False)
    monkeypatch.setattr(download, "TIMEOUT", (5.0, 5.0))
    monkeypatch.setattr(download, "BACKOFF", 0.0)
    return tmp_path / "cache"


def _vectors(n=300, dim=8, seed=0, prefix="w"):
    rng = np.random.default_rng(seed)
    kv = w2v.KeyedVectors(dim)
    kv.add_vectors([f"{prefix}{i}" for i in range(n)], rng.standard_normal((n, dim)).astype(np.float32))
    return kv


def _text_bytes(kv, tmp_path, fmt="word2vec-text"):
    path = tmp_path / f"src.{fmt}"
    formats.save(kv, path, fmt)
    return path.read_bytes()


def _md5(data):
    return hashlib.md5(data).hexdigest()


def _catalog(tmp_path, entries):
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"catalog_version": 1, "entries": entries}))
    return str(path)


def _entry(name, urls, fmt="word2vec-text", compression="gzip", **extra):
    parts = [{"url": url, **checks} for url, checks in urls]
    return {"name": name, "description": "test vectors", "dimensions": 8, "vocabulary": 6000, "size": 250000,
            "format": fmt, "compression": compression, "parts": parts, "licence": "CC0", "citation": "none",
            **extra}


@pytest.fixture
def gz_site(server, tmp_path):
    """A gzipped word2vec text file on the server, with its catalogue entry (publisher's MD5)."""
    kv = _vectors(n=6000)     # about 240 kB compressed: several of the downloader's 64 kB blocks
    data = gzip.compress(_text_bytes(kv, tmp_path))
    server.state.files["/v/small.gz"] = data
    catalog = _catalog(tmp_path, [_entry("small", [(server.url + "/v/small.gz", {"md5": _md5(data)})])])
    return kv, data, catalog


def _data_requests(server, path):
    return [entry for entry in server.state.log if entry[0] == path]


# ---------------------------------------------------------------------------------------------
# downloads
# ---------------------------------------------------------------------------------------------
def test_download_is_verified_converted_to_native_and_memory_mapped(server, gz_site, cache):
    kv, _, catalog = gz_site
    path = download.fetch("small", catalog)
    assert path == str(cache / "small" / "vectors.w2v")
    assert store.is_native(path)
    assert sorted(os.listdir(cache / "small")) == [".lock", "vectors.w2v"]   # the download is gone
    loaded = w2v.load("small", catalog=catalog)
    assert isinstance(loaded.vectors, np.memmap)
    assert loaded.index_to_key == kv.index_to_key
    np.testing.assert_array_equal(loaded.vectors, kv.vectors)
    # later uses read the cache: no more requests
    requests_before = len(server.state.log)
    assert download.fetch("small", catalog) == path
    w2v.load("small", catalog=catalog)
    assert len(server.state.log) == requests_before


def test_resume_after_a_dropped_connection(server, gz_site):
    kv, data, catalog = gz_site
    half = len(data) // 2
    server.state.drop_once["/v/small.gz"] = half
    kv2 = w2v.load("small", catalog=catalog)
    np.testing.assert_array_equal(kv2.vectors, kv.vectors)
    (_, first, status1), (_, second, status2) = _data_requests(server, "/v/small.gz")
    assert (first, status1, status2) == (None, 200, 206)
    # it asks for the rest from what reached the disk (whole blocks of what was received)
    resumed_at = int(second.split("=")[1].rstrip("-"))
    assert 0 < resumed_at <= half


def test_server_that_ignores_range_starts_over(server, gz_site):
    kv, data, catalog = gz_site
    server.state.drop_once["/v/small.gz"] = len(data) // 2
    server.state.ignore_range.add("/v/small.gz")
    kv2 = w2v.load("small", catalog=catalog)
    np.testing.assert_array_equal(kv2.vectors, kv.vectors)
    log = _data_requests(server, "/v/small.gz")
    assert [status for _, _, status in log] == [200, 200] and log[1][1] is not None


def test_leftover_partial_download_is_resumed(server, gz_site, cache):
    kv, data, catalog = gz_site
    os.makedirs(cache / "small")
    (cache / "small" / "small.gz.part").write_bytes(data[:1000])   # an earlier run was stopped
    np.testing.assert_array_equal(w2v.load("small", catalog=catalog).vectors, kv.vectors)
    assert _data_requests(server, "/v/small.gz") == [("/v/small.gz", "bytes=1000-", 206)]


def test_checksum_mismatch_caches_nothing(server, tmp_path, cache):
    data = gzip.compress(_text_bytes(_vectors(), tmp_path))
    server.state.files["/v/bad.gz"] = data
    catalog = _catalog(tmp_path, [_entry("bad", [(server.url + "/v/bad.gz", {"md5": "0" * 32})])])
    with pytest.raises(download.DownloadError, match=r"checksum mismatch \(md5 [0-9a-f]{32}, the catalogue says 0{32}\).*nothing was cached"):
        download.fetch("bad", catalog)
    assert not download.is_cached("bad")
    assert [f for f in os.listdir(cache / "bad") if f != ".lock"] == []


def test_404_fails_at_once_with_the_url_and_where_to_place_the_file(server, tmp_path, cache, capsys):
    url = server.url + "/v/missing.gz"
    catalog = _catalog(tmp_path, [_entry("gone", [(url, {"md5": "0" * 32})])])
    assert main(["download", "gone", "--catalog", catalog]) == 2
    err = capsys.readouterr().err
    dest = cache / "gone" / "missing.gz"
    assert err == (f"w2v: error: could not download gone: {url} failed (HTTP 404 Not Found); to place it by hand, "
                   f"download that URL to {dest} and run `w2v download gone` again\n")
    assert len(_data_requests(server, "/v/missing.gz")) == 1   # no retries for a 404


def test_file_placed_by_hand_is_verified_and_used(tmp_path, cache):
    kv = _vectors()
    data = gzip.compress(_text_bytes(kv, tmp_path))
    url = "http://127.0.0.1:9/v/offline.gz"     # nothing listens on port 9 (discard)
    catalog = _catalog(tmp_path, [_entry("offline", [(url, {"md5": _md5(data)})])])
    with pytest.raises(download.DownloadError, match="connection refused.*download that URL to"):
        download.fetch("offline", catalog, attempts=2)
    os.makedirs(cache / "offline", exist_ok=True)
    (cache / "offline" / "offline.gz").write_bytes(data)
    np.testing.assert_array_equal(w2v.load("offline", catalog=catalog).vectors, kv.vectors)


def test_redirect_is_followed(server, gz_site, tmp_path):
    kv, data, _ = gz_site
    server.state.redirects["/old/small.gz"] = "/v/small.gz"
    catalog = _catalog(tmp_path, [_entry("moved", [(server.url + "/old/small.gz", {"md5": _md5(data)})])])
    np.testing.assert_array_equal(w2v.load("moved", catalog=catalog).vectors, kv.vectors)
    assert [p for p, _, _ in server.state.log] == ["/old/small.gz", "/v/small.gz"]


def test_server_errors_are_retried_with_doubling_pauses(server, gz_site, monkeypatch):
    kv, _, catalog = gz_site
    server.state.status["/v/small.gz"] = 503
    monkeypatch.setattr(download, "BACKOFF", 1.0)
    pauses = []
    monkeypatch.setattr(download.time, "sleep", pauses.append)
    with pytest.raises(download.DownloadError, match=r"small.gz failed \(HTTP 503 Service Unavailable\)"):
        download.fetch("small", catalog)
    assert len(_data_requests(server, "/v/small.gz")) == 5 and pauses == [1.0, 2.0, 4.0, 8.0]
    del server.state.status["/v/small.gz"]       # the server recovers
    np.testing.assert_array_equal(w2v.load("small", catalog=catalog).vectors, kv.vectors)


def test_stalled_server_times_out(server, gz_site, monkeypatch):
    _, _, catalog = gz_site
    server.state.stall.add("/v/small.gz")
    monkeypatch.setattr(download, "TIMEOUT", (2.0, 0.3))
    with pytest.raises(download.DownloadError, match=r"small.gz failed \(timed out\)"):
        download.fetch("small", catalog, attempts=2)
    assert len(_data_requests(server, "/v/small.gz")) == 2
    assert not download.is_cached("small")


def test_zip_member_and_unverified_sha256_recorded_then_checked(server, tmp_path, cache):
    wanted, other = _vectors(seed=1), _vectors(seed=2, prefix="x")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "not vectors\n")
        archive.writestr("other.vec", _text_bytes(other, tmp_path))
        archive.writestr("wanted.vec", _text_bytes(wanted, tmp_path))
    data = buffer.getvalue()
    server.state.files["/v/pack.zip"] = data
    catalog = _catalog(tmp_path, [_entry("pack", [(server.url + "/v/pack.zip", {"unverified": True})],
                                         fmt="fasttext-vec", compression="zip", member="wanted.vec")])
    loaded = w2v.load("pack", catalog=catalog)
    assert loaded.index_to_key == wanted.index_to_key
    np.testing.assert_array_equal(loaded.vectors, wanted.vectors)
    recorded = json.loads((cache / "pack" / "checksums.json").read_text())
    assert recorded == {"pack.zip": hashlib.sha256(data).hexdigest()}
    # the publisher's file changes: a forced download no longer matches the first one
    server.state.files["/v/pack.zip"] = data[:-1] + bytes([data[-1] ^ 1])
    with pytest.raises(download.DownloadError, match="checksum mismatch.*the first download of it had"):
        download.fetch("pack", catalog, force=True)


def test_compression_is_recognised_by_content(server, tmp_path):
    import bz2

    kv = _vectors(n=50)
    data = bz2.compress(_text_bytes(kv, tmp_path, "glove"))
    server.state.files["/v/plain"] = data
    catalog = _catalog(tmp_path, [_entry("plain", [(server.url + "/v/plain", {"sha256": hashlib.sha256(data).hexdigest()})],
                                         fmt="glove", compression="none")])
    np.testing.assert_array_equal(w2v.load("plain", catalog=catalog).vectors, kv.vectors)


def test_cache_directory_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("W2V_DATA")
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert download.cache_dir() == str(tmp_path / "xdg" / "w2v")
    monkeypatch.setenv("W2V_DATA", "elsewhere")
    assert download.cache_dir() == os.path.abspath("elsewhere")


def test_multi_part_download_is_joined(server, tmp_path):
    kv = _vectors(n=6000)
    data = gzip.compress(_text_bytes(kv, tmp_path, "word2vec-binary"))
    thirds = [data[: len(data) // 3], data[len(data) // 3: 2 * len(data) // 3], data[2 * len(data) // 3:]]
    urls = []
    for j, part in enumerate(thirds):
        server.state.files[f"/v/big.gz_0{j}"] = part
        urls.append((server.url + f"/v/big.gz_0{j}", {"md5": _md5(part)}))
    server.state.drop_once["/v/big.gz_01"] = 70000      # one part also needs resuming
    catalog = _catalog(tmp_path, [_entry("big", urls, fmt="word2vec-binary")])
    np.testing.assert_array_equal(w2v.load("big", catalog=catalog).vectors, kv.vectors)


def test_two_processes_download_one_name_once(server, gz_site, cache):
    kv, _, catalog = gz_site
    server.state.slow.add("/v/small.gz")
    script = ("import sys; from w2v import download; "
              "print(download.fetch('small', sys.argv[1], progress=False))")
    env = {**os.environ, "W2V_DATA": str(cache)}
    procs = [subprocess.Popen([sys.executable, "-c", script, catalog], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert {out.strip() for out, _ in outs} == {str(cache / "small" / "vectors.w2v")}
    assert len(_data_requests(server, "/v/small.gz")) == 1
    # they did overlap: one waited for the other's lock
    assert sum("waiting for another process downloading small" in err for _, err in outs) == 1
    np.testing.assert_array_equal(w2v.load("small", catalog=catalog).vectors, kv.vectors)


def test_full_disk_is_refused_before_downloading(server, gz_site, monkeypatch):
    _, _, catalog = gz_site
    monkeypatch.setattr(download, "_free_bytes", lambda path: 5000)
    with pytest.raises(download.DownloadError, match=r"not enough disk space for small in .*: needs about .*, 5.0 KB free"):
        download.fetch("small", catalog)
    assert server.state.log == []


# ---------------------------------------------------------------------------------------------
# the catalogue
# ---------------------------------------------------------------------------------------------
def test_shipped_catalogue_names_and_checksums():
    catalog = download.load_catalog()
    for name in ["glove-wiki-gigaword-50", "glove-wiki-gigaword-100", "glove-wiki-gigaword-200",
                 "glove-wiki-gigaword-300", "glove-twitter-25", "glove-twitter-50", "glove-twitter-100",
                 "glove-twitter-200", "word2vec-google-news-300", "conceptnet-numberbatch-17-06-300",
                 "fasttext-wiki-news-300d-1m", "fasttext-crawl-300d-2m"]:
        item = catalog[name]
        assert item["licence"] and item["citation"] and item["dimensions"] and item["vocabulary"]
        for part in item["parts"]:
            if "gensim-data" in part["url"]:
                assert part["url"].endswith(f"/{name}/{name}.gz") and len(part["md5"]) == 32
            else:
                assert part["unverified"] is True and item["compression"] == "zip" and item["member"]
    assert catalog["word2vec-google-news-300"]["format"] == "word2vec-binary"


def test_catalogue_from_environment_and_from_url(server, gz_site, tmp_path, monkeypatch):
    kv, _, catalog_path = gz_site
    server.state.files["/catalog.json"] = open(catalog_path, "rb").read()
    assert list(download.load_catalog(server.url + "/catalog.json")) == ["small"]
    monkeypatch.setenv("W2V_CATALOG", catalog_path)
    assert list(download.load_catalog()) == ["small"]
    np.testing.assert_array_equal(w2v.load("small").vectors, kv.vectors)


@pytest.mark.parametrize("entry, message", [
    ({"name": "x", "format": "pdf", "parts": [{"url": "u", "md5": "m"}]}, "format 'pdf' is not one of"),
    ({"name": "x", "format": "glove", "parts": [{"url": "u"}]}, "part 0 needs 'md5' or 'sha256'"),
    ({"name": "x", "format": "glove", "compression": "zip", "parts": [{"url": "u", "md5": "m"}]}, "needs 'member'"),
    ({"name": "x", "format": "glove"}, "needs 'parts'"),
])
def test_bad_catalogue_entries_are_named(tmp_path, entry, message):
    path = _catalog(tmp_path, [entry])
    with pytest.raises(FormatError, match=f"catalogue {path}: entry 0 \\(x\\): .*{message}"):
        download.load_catalog(path)


def test_unknown_name_suggests_close_ones():
    with pytest.raises(KeyError, match="did you mean glove-wiki-gigaword-50"):
        download.fetch("glove-wiki-gigaword-5")


# ---------------------------------------------------------------------------------------------
# the command line
# ---------------------------------------------------------------------------------------------
def test_cli_download_list_and_any_command_takes_a_name(server, gz_site, monkeypatch, capsys, cache):
    kv, _, catalog = gz_site
    assert main(["download", "--list", "--catalog", catalog]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].split() == ["small", "8", "6,000", "250.0", "KB", "CC0", "no"]
    assert main(["download", "small", "--catalog", catalog]) == 0
    assert capsys.readouterr().out == f"small: 6000 vectors x 8 dimensions at {cache / 'small' / 'vectors.w2v'}\n"
    assert main(["download", "--list", "--catalog", catalog]) == 0
    assert capsys.readouterr().out.splitlines()[1].split()[-1] == "yes"
    monkeypatch.setenv("W2V_CATALOG", catalog)
    assert main(["similar", "small", "w1", "--topn", "1"]) == 0
    expected = kv.most_similar("w1", topn=1)[0][0]
    assert expected in capsys.readouterr().out
    assert main(["info", "small"]) == 0
    assert "native" in capsys.readouterr().out


def test_progress_bar_shows_bytes_per_second(server, gz_site, capsys):
    _, _, catalog = gz_site
    server.state.slow.add("/v/small.gz")
    download.fetch("small", catalog, progress=True)
    err = capsys.readouterr().err
    assert "small:" in err and "B/s" in err and "<" in err      # rate and time left, e.g. "56.0kB/s]" "00:03<00:02"
