"""The Starlette application: the page, its static files and the JSON API, optionally behind a token."""
import contextlib
import hmac
from importlib import resources

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

TOKEN_COOKIE = "w2v_token"


def _static_dir():
    return str(resources.files("w2v.serve") / "static")


def _json(status, body):
    return Response(body, status_code=status, media_type="application/json", headers={"Cache-Control": "no-store"})


def build_app(explorer):
    """The app for one :class:`~w2v.serve.explorer.Explorer`; the explorer is the only state."""

    async def api(request):
        name = request.path_params["name"]
        pairs = list(request.query_params.multi_items())
        # Queries are numpy and numba work that releases the GIL: a thread each, so requests run side by
        # side (and the big neighbour scans of concurrent requests are shared, see w2v.serve.search).
        status, body = await run_in_threadpool(explorer.respond, name, pairs)
        return _json(status, body)

    async def index(request):
        return RedirectResponse("/static/index.html" + (f"?{request.url.query}" if request.url.query else ""))

    routes = [
        Route("/", index),
        Route("/api/{name:path}", api),
        Mount("/static", StaticFiles(directory=_static_dir()), name="static"),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        explorer.close()

    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: _not_found, 405: _not_allowed, 500: _server_error})
    app.state.explorer = explorer
    if explorer.token:
        return TokenGate(app, explorer.token)
    return app


async def _not_found(request, exc):
    return JSONResponse({"error": f"nothing at {request.url.path}"}, status_code=404)


async def _not_allowed(request, exc):
    return JSONResponse({"error": f"{request.method} is not allowed here; use GET"}, status_code=405)


async def _server_error(request, exc):
    return JSONResponse({"error": "internal error (a bug: please report it)"}, status_code=500)


class TokenGate:
    """ASGI middleware: every request needs the token (``?token=``, the cookie it sets, or a
    ``Authorization: Bearer`` header), as Jupyter does for a server reachable by others."""

    def __init__(self, app, token):
        self.app = app
        self.token = token.encode()

    def _given(self, scope):
        from http.cookies import SimpleCookie
        from urllib.parse import parse_qs

        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][-1].encode(), True
        for key, value in scope.get("headers", ()):
            if key == b"authorization" and value.lower().startswith(b"bearer "):
                return value[7:].strip(), False
            if key == b"cookie":
                cookie = SimpleCookie(value.decode("latin-1"))
                if TOKEN_COOKIE in cookie:
                    return cookie[TOKEN_COOKIE].value.encode(), False
        return b"", False

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        given, in_query = self._given(scope)
        if not hmac.compare_digest(given, self.token):
            response = JSONResponse({"error": "this server needs its access token: open the address "
                                              "`w2v serve` printed (…/?token=…)"}, status_code=403)
            return await response(scope, receive, send)
        if not in_query:
            return await self.app(scope, receive, send)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                cookie = f"{TOKEN_COOKIE}={self.token.decode()}; Path=/; HttpOnly; SameSite=Strict"
                message["headers"] = list(message.get("headers", [])) + [(b"set-cookie", cookie.encode())]
            await send(message)

        return await self.app(scope, receive, send_with_cookie)
