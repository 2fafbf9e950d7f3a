"""A real explorer server on 127.0.0.1 in a background thread, and headless Chromium to look at it.

Used by the tests (tests/test_serve_*.py), the load benchmark and scripts/explorer_screenshot.py,
so the screenshot in the README is made by the same code the browser tests run.
"""
import contextlib
import os
import shutil
import threading
import time

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path():
    """Debian's chromium (Playwright's own browser download is not used), or None."""
    for candidate in (os.environ.get("W2V_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@contextlib.contextmanager
def running_server(explorer, host="127.0.0.1", port=0, timeout=30.0):
    """Serve ``explorer`` (warmed up first) with uvicorn; yields the base URL, stops on exit."""
    import uvicorn

    from .app import build_app

    explorer.warm_up()
    server = uvicorn.Server(uvicorn.Config(build_app(explorer), host=host, port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, name="w2v-serve-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the explorer server did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout)


@contextlib.contextmanager
def browser_page(width=1280, height=900):
    """A Playwright page in headless Chromium; ``page.console_errors`` collects console errors
    (``page.api_errors`` the URLs of API requests answered with an error status)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors, answered = [], []

            def console(message):
                if message.type != "error":
                    return
                # A 4xx answer of the JSON API (an unknown word, say) is shown by the page as a message;
                # Chromium still logs it. Anything else (a script error, a missing file) is an error.
                if message.text.startswith("Failed to load resource") and "/api/" in message.location.get("url", ""):
                    answered.append(message.location["url"])
                else:
                    errors.append(message.text)

            page.on("console", console)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.console_errors = errors
            page.api_errors = answered
            yield page
        finally:
            browser.close()


def open_explorer(page, url, word=None):
    """Load the page and wait until its first neighbours are shown; returns the seconds that took."""
    start = time.monotonic()
    page.goto(url + "/" + (f"?word={word}" if word else ""))
    page.wait_for_selector("#neighbors li, #items-similar li", timeout=15000)
    return time.monotonic() - start


def screenshot(url, path, word=None, analogy=None, rows=(), width=1280, height=1500):
    """The README's picture of the explorer: a word's neighbours, rows, an analogy and the map."""
    with browser_page(width, height) as page:
        open_explorer(page, url, word)
        for w in rows:
            page.fill("#row-word", w)
            page.click("#rows-form button")
            page.wait_for_selector(f'#rows tr[data-word="{w}"]')
        if analogy:
            for box, w in zip(("#an-a", "#an-b", "#an-c"), analogy):
                page.fill(box, w)
            page.click("#analogy-form button")
            page.wait_for_selector("#analogy-rows tr")
        page.wait_for_function("document.getElementById('map-status').textContent.includes('words')",
                               timeout=60000)
        page.screenshot(path=path, full_page=True)
        return list(page.console_errors)


MEASURE_MAP = """async ([moves, wheels]) => {
    // Pan (drag), zoom (wheel) and hover the map with real DOM events.  For each event: the page's own
    // work for it (the handler, then the redraw it asked for at the next animation frame), and the
    // time from the event to the second animation frame after it (painted by then).
    const canvas = document.getElementById('map'), r = canvas.getBoundingClientRect();
    const frame = () => new Promise((ok) => requestAnimationFrame(() => ok()));
    const paints = [], original = window.paintMap;
    window.paintMap = function () { const t = performance.now(); original(); paints.push(performance.now() - t); };
    const times = {pan: [], zoom: [], hover: [], pan_frame: [], zoom_frame: [], hover_frame: []};
    async function measure(kind, fire) {
        await frame();
        paints.length = 0;
        const t = performance.now();
        fire();
        const handler = performance.now() - t;
        await frame(); await frame();
        times[kind + '_frame'].push(performance.now() - t);
        times[kind].push(handler + paints.reduce((a, b) => a + b, 0));
    }
    const mouse = (type, x, y, buttons) => canvas.dispatchEvent(new MouseEvent(type,
        {clientX: r.left + x, clientY: r.top + y, buttons, bubbles: true, cancelable: true}));
    let x = r.width / 2, y = r.height / 2;
    try {
        mouse('mousedown', x, y, 1);
        for (let i = 0; i < moves; i++) {
            x += (i % 20 < 10 ? 7 : -7); y += (i % 10 < 5 ? 3 : -3);
            await measure('pan', () => mouse('mousemove', x, y, 1));
        }
        window.dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
        for (let i = 0; i < wheels; i++) {
            await measure('zoom', () => canvas.dispatchEvent(new WheelEvent('wheel', {clientX: r.left + x,
                clientY: r.top + y, deltaY: i < wheels / 2 ? -100 : 100, bubbles: true, cancelable: true})));
        }
        for (let i = 0; i < moves; i++) {
            await measure('hover', () => mouse('mousemove', r.width * (0.2 + 0.6 * i / moves),
                                                r.height * (0.3 + 0.4 * ((i * 7) % moves) / moves), 0));
        }
    } finally {
        window.paintMap = original;
    }
    return times;
}"""


def map_frame_times(page, moves=40, wheels=10):
    """Milliseconds per event while panning, zooming and hovering the map already on ``page``:
    ``pan``/``zoom``/``hover`` the page's work (its handler and the redraw it caused), ``*_frame``
    the event to the second animation frame after it (painted by then)."""
    return page.evaluate(MEASURE_MAP, [moves, wheels])
