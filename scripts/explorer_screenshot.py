"""Regenerate docs/gallery/explorer.png: the explorer page in headless Chromium, by the browser tests' code.

    python scripts/explorer_screenshot.py                 # trains the demo model (w2v demo --epochs 15)
    python scripts/explorer_screenshot.py --model model.w2v
"""
import argparse
import os
import subprocess
import sys
import tempfile

from w2v.cli.serve import load_for_serving
from w2v.serve import Explorer
from w2v.serve.testing import running_server, screenshot

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model file (default: train the demo model)")
    parser.add_argument("-o", "--output", default=os.path.join(ROOT, "docs", "gallery", "explorer.png"))
    args = parser.parse_args()
    path = args.model
    if path is None:
        path = os.path.join(tempfile.mkdtemp(), "demo.w2v")
        subprocess.run([sys.executable, "-m", "w2v", "demo", "--epochs", "15", "-o", path], check=True,
                       stdout=subprocess.DEVNULL)
    with running_server(Explorer(load_for_serving(path), source=os.path.basename(path))) as url:
        errors = screenshot(url, args.output, word="liberty", analogy=("sons", "men", "women"),
                            rows=("freedom", "equality", "war"))
    if errors:
        sys.exit(f"the page logged errors: {errors}")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
