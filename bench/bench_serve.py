"""`w2v serve` under load on loopback: 8 clients for a fixed time on a 400,000 × 300 model.

    python bench/bench_serve.py [--n 400000] [--dim 300] [--clients 8] [--seconds 15] [--max-requests 20000]

The vectors are random (query speed does not depend on what they mean), written as a native
file and served by a real `w2v serve` process (memory-mapped, as a user runs it).  Each client
keeps one HTTP connection and sends neighbours (70%), analogy (20%) and map (10%, the cached
5,000-word PCA map) requests until the time or the request budget runs out.  Prints p50/p99 per
endpoint and the errors, then the browser's time from opening the page to the first neighbours.
"""
import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import numpy as np


def make_model(path, n, dim, seed):
    import w2v

    rng = np.random.default_rng(seed)
    kv = w2v.KeyedVectors(dim)
    kv.set_vectors([f"w{i}" for i in range(n)], rng.standard_normal((n, dim), dtype=np.float32),
                   counts=np.arange(n, 0, -1, dtype=np.int64))
    kv.save(path)


def start_server(path):
    proc = subprocess.Popen([sys.executable, "-m", "w2v", "serve", path, "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith("w2v serve: http://"):
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    return proc, line.split()[2].rstrip("/")


def client(url, n, deadline, budget, lock, results, seed):
    rng = np.random.default_rng(seed)
    host = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        r = rng.random()
        a, b, c = (f"w{i}" for i in rng.integers(0, n, 3))
        if r < 0.7:
            name, path = "neighbors", f"/api/neighbors?word={a}&n=10"
        elif r < 0.9:
            name, path = "analogy", f"/api/analogy?positive={a}&positive={c}&negative={b}&n=10"
        else:
            name, path = "map", "/api/map?n=5000"
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        results.append((name, time.perf_counter() - start, ok))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400_000)
    parser.add_argument("--dim", type=int, default=300)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "vectors.w2v")
        make_model(path, args.n, args.dim, args.seed)
        t0 = time.monotonic()
        proc, url = start_server(path)
        print(f"server ready in {time.monotonic() - t0:.1f} s (load, memory-map, unit vectors, search copy)")
        try:
            t0 = time.monotonic()
            conn = http.client.HTTPConnection(urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port)
            while True:
                conn.request("GET", "/api/map?n=5000")
                response = conn.getresponse()
                response.read()
                if response.status != 202:
                    break
                time.sleep(0.1)
            conn.close()
            print(f"5,000-word PCA map computed in the background in {time.monotonic() - t0:.2f} s "
                  f"(status {response.status})")

            results, lock, budget = [], threading.Lock(), [args.max_requests]
            deadline = time.monotonic() + args.seconds
            threads = [threading.Thread(target=client, args=(url, args.n, deadline, budget, lock, results,
                                                             args.seed + k)) for k in range(args.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print(f"\n{args.clients} clients, {args.seconds:g} s, {len(results):,} requests, "
                  f"{args.n:,} x {args.dim} vectors, {os.cpu_count()} cores")
            print(f"{'endpoint':<10} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
            for name in ("neighbors", "analogy", "map"):
                times = np.array([t for e, t, ok in results if e == name]) * 1000
                errors = sum(1 for e, _, ok in results if e == name and not ok)
                if len(times):
                    print(f"{name:<10} {len(times):>8} {errors:>6} {np.percentile(times, 50):>8.1f} "
                          f"{np.percentile(times, 99):>8.1f}")

            try:
                from w2v.serve.testing import browser_page, chromium_path, open_explorer
            except ImportError:
                chromium_path = None
            if chromium_path and chromium_path():
                with browser_page() as page:
                    loads = [open_explorer(page, url, word=f"w{k}") for k in range(5)]
                print(f"\nbrowser: page opened to first neighbours shown: median {1000 * np.median(loads):.0f} ms "
                      f"(5 loads, headless Chromium), console errors: {len(page.console_errors)}")
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    main()
