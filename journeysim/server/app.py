"""The ASGI application: routes, size limit, and answers for every failure (no Python detail leaks)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from . import answers as A
from . import blueshift, definitions, operator, sfmc, sfmc_versions
from .actions import ProblemFound, Refused
from .auth import TokenStore
from .clock import SimRunner

MAX_BODY_BYTES = 64 * 1024


class BodyLimit:
    """Read the whole request body before the app runs, and answer 413 instead as soon as it passes
    ``limit`` bytes: the app never sees a body over the limit, declared (Content-Length) or chunked.

    A path with a trailing slash is served as the path without it: SFMC's own document writes
    ``PUT /interaction/v1/interactions/``, and a 307 to the bare path (Starlette's default) leaves a
    client that does not follow redirects (curl, httpx) with an empty answer and nothing done.

    ``HEAD`` is served as ``GET`` without the body (HTTP: a server supports HEAD wherever it supports
    GET; FastAPI's routes answered it 405 while ``/openapi.json`` answered 200)."""

    def __init__(self, app: FastAPI, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope = _without_trailing_slash(scope)
        if scope.get("method") == "HEAD":
            scope, send = {**scope, "method": "GET", HEAD_KEY: True}, _without_body(send)
        try:
            body = await self._read_body(scope, receive)
        except _TooLarge:
            return await self._too_large(scope, receive, send)
        except _ClientLeft:
            return None
        return await self.app(scope, _replaying(body, receive), send)

    async def _read_body(self, scope, receive) -> bytes:
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            raise _TooLarge()
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientLeft()
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                raise _TooLarge()
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, scope, receive, send):
        request = Request({**scope, "app": self.app})
        response = A.answer(request, 413, A.TOO_LARGE[A.family(request.url.path)],
                            problem=f"the request body is over {self.limit} bytes")
        await response(scope, receive, send)


def _without_trailing_slash(scope: dict) -> dict:
    path = scope.get("path", "")
    if len(path) < 2 or not path.endswith("/"):
        return scope
    stripped = path.rstrip("/") or "/"
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and raw.endswith(b"/"):
        raw = raw.rstrip(b"/") or b"/"
    return {**scope, "path": stripped, "raw_path": raw}


HEAD_KEY = "journeysim.head"  # in the scope of a HEAD request served as GET: the call log says HEAD


def _without_body(send):
    """A send that sends the headers of the answer (its Content-Length included) and no body."""
    async def headers_only(message):
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return headers_only


def _replaying(body: bytes, receive):
    """A receive that gives the app the body already read, in one message, then what the client sends next."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()
    return replay


class _TooLarge(Exception):
    pass


class _ClientLeft(Exception):
    pass


def _malformed(path: str) -> tuple[int, dict]:
    return {"sfmc": (400, A.SFMC_MALFORMED), "blueshift": (400, {"errors": ["Bad Request"]}),
            "sim": (400, {"error": "malformed request"})}[A.family(path)]


def create_app(runner: SimRunner, tokens: TokenStore) -> FastAPI:
    app = FastAPI(title="journeysim pause API sandbox", version=__version__,
                  description="SFMC and Blueshift pause calls, and journeysim's own, over a running simulation. "
                              "See docs/server.md.")
    app.state.runner = runner
    app.state.tokens = tokens
    app.state.drafts = definitions.Drafts()
    for router in (sfmc.router, sfmc_versions.router, definitions.router, blueshift.router, operator.router):
        app.include_router(router)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused):
        return A.answer(request, exc.status, exc.body, problem=exc.problem, headers=exc.headers)

    @app.exception_handler(sfmc.NotAuthorized)
    async def not_authorized(request: Request, exc: Exception):
        return A.answer(request, 401, A.SFMC_NOT_AUTHORIZED, problem="send Authorization: Bearer TOKEN from POST /v2/token",
                        headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(blueshift.Unauthorized)
    async def unauthorized(request: Request, exc: Exception):
        return A.answer(request, 401, A.BLUESHIFT_UNAUTHORIZED, problem="Basic auth with the API key as the user name",
                        headers={"WWW-Authenticate": "Basic"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        status, body = _malformed(request.url.path)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        problem = f"{where}: {first.get('msg', 'invalid')}"
        if tuple(first.get("loc", ())) == ("body",) and isinstance(first.get("input"), bytes):  # FastAPI did not read it as JSON
            problem = "the body was not read as JSON: send it with Content-Type: application/json"
        if A.family(request.url.path) == "sim":
            body = {"error": problem}
        return A.answer(request, status, body, problem=problem)

    @app.exception_handler(ProblemFound)
    async def problem_found(request: Request, exc: ProblemFound):  # a value the scenario format refuses: a malformed request
        status, body = _malformed(request.url.path)
        if A.family(request.url.path) == "sim":
            body = {"error": exc.message}
        return A.answer(request, status, body, problem=exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        family = A.family(request.url.path)
        problem = "no such endpoint" if exc.status_code == 404 else str(exc.detail)
        if exc.status_code == 404:
            body = {"sfmc": A.SFMC_NOT_FOUND, "blueshift": A.BLUESHIFT_NOT_FOUND, "sim": {"error": problem}}[family]
        elif exc.status_code == 400 and family != "sim":  # FastAPI could not read the body (JSON nested too deeply): malformed
            body = _malformed(request.url.path)[1]
        elif family == "sfmc":
            body = A.sfmc_error(problem, exc.status_code)
        elif family == "blueshift":  # Blueshift's own shape, as for its other refusals
            body = {"errors": [problem]}
        else:
            body = {"error": problem}
        headers = dict(getattr(exc, "headers", None) or {})
        if "GET" in headers.get("Allow", "").split(", "):
            headers["Allow"] += ", HEAD"  # served as GET without the body (BodyLimit)
        return A.answer(request, exc.status_code, body, problem=problem, headers=headers)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        return A.answer(request, 500, A.SERVER_ERROR[A.family(request.url.path)], problem=A.SERVER_ERROR_PROBLEM)

    return BodyLimit(app), app
