"""`w2v download`: pretrained vectors by name from the catalogue (see :mod:`w2v.download`), and
the evaluation sets by name (see :mod:`w2v.datasets`)."""
import os



def register(sub):
    p = sub.add_parser(
        "download", help="download pretrained vectors by name (--list shows the catalogue)",
        description="Download pretrained vectors named in the catalogue into the cache ($W2V_DATA or the "
                    "platform's cache directory), verify them, and convert them once to the native format. "
                    "Any command that takes a model also takes such a name. The evaluation sets (google, wordsim353, "
                    "simlex999) are fetched by name too, into the same cache.")
    p.add_argument("name", nargs="?", help="a catalogue name, e.g. glove-wiki-gigaword-50, or an evaluation set")
    p.add_argument("--list", action="store_true", help="list the catalogue: names, dimensions, sizes, licences, cached or not")
    p.add_argument("--catalog", metavar="PATH|URL",
                   help="read this catalogue (JSON) instead of the one shipped with w2v ($W2V_CATALOG also works)")
    p.add_argument("--force", action="store_true", help="download again even if the vectors are cached")
    p.set_defaults(func=_download)


def _list(catalog):
    from .. import download

    rows = [("NAME", "DIMS", "WORDS", "SIZE", "LICENCE", "CACHED")]
    for name, item in catalog.items():
        licence = item["licence"].split(" (")[0] or "?"
        words = item.get("vocabulary")
        rows.append((name, str(item.get("dimensions") or "?"), f"{words:,}" if words else "?",
                     download._human(item.get("size")), licence, "yes" if download.is_cached(name) else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    from .. import datasets

    print()
    rows = [("EVALUATION SET", "KIND", "LICENCE", "WHERE")]
    for name in datasets.names():
        item = datasets.DATASETS[name]
        where = ("shipped" if item["shipped"] else
                 "cached" if os.path.exists(datasets.cached_path(name)) else "downloaded on first use")
        rows.append((name, item["kind"], item["licence"].split(" (")[0].split(";")[0], where))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"cache: {download.cache_dir()}")


def _download(args):
    from .. import download, store

    catalog = download.load_catalog(args.catalog)
    if args.list:
        _list(catalog)
        return 0
    if not args.name:
        raise ValueError("give a NAME to download, or --list to see the catalogue")
    from .. import datasets

    if datasets.canonical(args.name) is not None and args.name not in catalog:
        key = datasets.canonical(args.name)
        if args.force and os.path.exists(datasets.cached_path(key)):
            os.unlink(datasets.cached_path(key))
        print(f"{key}: {datasets.DATASETS[key]['description']} at {datasets.path(key)}")
        return 0
    path = download.fetch(args.name, catalog, force=args.force)
    _, _, arrays = store.load(path, mmap="r")
    rows, dims = arrays["vectors"].shape
    print(f"{args.name}: {rows} vectors x {dims} dimensions at {path}")
    return 0
