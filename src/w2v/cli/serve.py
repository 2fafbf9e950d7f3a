"""`w2v serve MODEL`: the explorer in a browser (needs the `serve` extra: starlette, uvicorn)."""
import ipaddress
import secrets
import sys

from ..errors import W2VError

HINT = "w2v serve needs the optional packages starlette and uvicorn: pip install 'w2v[serve]'"


def register(sub):
    """Add `w2v serve` to the `w2v` parser."""
    p = sub.add_parser(
        "serve", help="explore a model in the browser: neighbours, colour rows, analogies, map, training",
        description="Serve the explorer page and its JSON API for one model until Ctrl-C. Binds 127.0.0.1; "
                    "any other address needs an access token (--token, or one is generated and printed).")
    p.add_argument("model", metavar="MODEL", help="vectors or model file (any format w2v reads)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument("--token", help="access token required from browsers and scripts (default: none on "
                                   "127.0.0.1, a generated one on any other address)")
    p.add_argument("--limit", type=int, metavar="N", help="load only the first N vectors")
    p.add_argument("--map-max", type=int, default=50_000, metavar="N",
                   help="most words the map may show (default 50000)")
    group = p.add_argument_group("items models")
    group.add_argument("--names", help="a side table (CSV/TSV/Parquet) mapping item ids to names")
    group.add_argument("--name-col", default="name", help="column with the names (default 'name')")
    group.add_argument("--id-col", default=None, help="column with the item ids (default: the first column)")
    group.add_argument("--names-sep", default=None, help="field separator of the names table")
    p.set_defaults(func=_serve)


def load_for_serving(path, limit=None):
    """The richest object a file gives: a full model (pairs and step), an items model, a
    language model (neural, or a mixture), or else its vectors; native files are memory-mapped read-only."""
    from .. import store
    from .common import load_vectors

    kind = store.load(path, mmap="r")[0] if store.is_native(path) else None
    if limit is None and kind == "model":
        from ..model import Word2Vec

        return Word2Vec.load(path, mmap="r")
    if limit is None and kind == "items":
        from ..items.model import ItemModel

        return ItemModel.load(path, mmap="r")
    if limit is None and kind in ("lm", "lm-mixture"):   # next-word prediction from the neural model or the mixture
        from ..lm import load

        return load(path)
    return load_vectors(path, limit=limit)


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_token(host, token=None):
    """The token a server on ``host`` requires: the one given, none on loopback, else a new random one."""
    if token is None and not is_loopback(host):
        return secrets.token_urlsafe(24)
    return token


def _serve(args):
    try:
        import uvicorn

        from ..serve import Explorer
        from ..serve.app import build_app
    except ImportError:
        raise W2VError(HINT) from None
    if not 0 <= args.port <= 65535:
        raise W2VError(f"--port must be between 0 and 65535, got {args.port}")
    if args.limit is not None and args.limit < 1:
        raise W2VError(f"--limit must be at least 1, got {args.limit}")
    token = access_token(args.host, args.token)
    names = None
    if args.names:
        from ..items import logs

        names = logs.read_names(args.names, name_col=args.name_col, id_col=args.id_col, sep=args.names_sep)
    model = load_for_serving(args.model, limit=args.limit)
    explorer = Explorer(model, names=names, token=token, map_max=args.map_max, source=args.model)
    print(f"w2v serve: preparing {len(explorer.kv):,} vectors of {explorer.kv.vector_size} dimensions …",
          file=sys.stderr)
    explorer.warm_up()
    config = uvicorn.Config(build_app(explorer), host=args.host, port=args.port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    _announce(server, args.host, token)
    try:
        server.run()            # Ctrl-C: uvicorn finishes open requests, then re-raises the signal
    except KeyboardInterrupt:
        pass
    print("w2v serve: stopped", file=sys.stderr)
    return 0


def _announce(server, host, token):
    """Print the address once uvicorn is listening (so --port 0 shows the port it got)."""
    original = server.startup

    async def startup(sockets=None):
        await original(sockets=sockets)
        if not server.started:
            return
        port = server.servers[0].sockets[0].getsockname()[1] if server.servers else "?"
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
        print(f"w2v serve: {url}  (Ctrl-C stops)", flush=True)
        if token and not is_loopback(host):
            print(f"w2v serve: {host} is reachable from other machines, so every request needs the access "
                  f"token: open the address above, or send 'Authorization: Bearer {token}'", file=sys.stderr,
                  flush=True)

    server.startup = startup
