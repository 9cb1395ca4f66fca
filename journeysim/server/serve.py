"""``journeysim serve``: the simulation on a virtual clock behind the vendors' REST calls.

Run on uvicorn; the outputs are written at the scenario's end (the server then stops) or, where
the clock stands, on SIGINT/SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from pathlib import Path

import click

from ..loader import LoadedScenario
from ..outputs.folder import moved_aside
from ..units import format_elapsed
from .app import create_app
from .auth import ENV_BLUESHIFT_KEY, ENV_CLIENT_ID, ENV_CLIENT_SECRET, Credentials, TokenStore
from .clock import SimRunner


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server, except that SIGINT/SIGTERM only stop serving (uvicorn re-raises them
        after its shutdown, which would kill the process before the outputs are written)."""

        @contextlib.contextmanager
        def capture_signals(self):
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            previous = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    return Server


class CannotListen(Exception):
    pass


class Sandbox:
    """A runner, its app and a uvicorn server, ready to ``serve()`` (the CLI) or to start in a
    thread (tests)."""

    def __init__(self, loaded: LoadedScenario, out: Path, *, host: str = "127.0.0.1", port: int = 8787, speed: float = 3600.0,
                 credentials: Credentials | None = None, events: bool = False, report: bool = True,
                 token_ttl_s: float | None = None, sock: socket.socket | None = None):
        import uvicorn

        self.host, self.port, self.socket = host, port, sock
        self.credentials = credentials or Credentials.resolve()
        self.runner = SimRunner(loaded, out, speed=speed, events=events, report=report, on_end=self._stop_serving)
        self.tokens = TokenStore(self.credentials) if token_ttl_s is None else TokenStore(self.credentials, ttl_s=token_ttl_s)
        asgi, self.app = create_app(self.runner, self.tokens)
        config = uvicorn.Config(asgi, host=host, port=port, log_level="warning", access_log=False,
                                timeout_graceful_shutdown=30, limit_concurrency=256)
        self.server = _server_class()(config)
        self._ticker_stop = threading.Event()

    def _stop_serving(self) -> None:
        self.server.should_exit = True

    def serve(self) -> None:
        """Serve until the scenario ends or a signal; then write the outputs (once)."""
        if self.socket is None:
            self.socket = listening(self.host, self.port)  # CannotListen: nothing ran, nothing is written
        ticker = None
        if self.runner.clock.speed > 0:
            ticker = threading.Thread(target=self.runner.tick_forever, args=(self._ticker_stop,), daemon=True)
            ticker.start()
        try:
            self.server.run(sockets=[self.socket])
        except SystemExit:  # uvicorn exits when it cannot listen: nothing ran, nothing is written
            if self.server.started:
                raise
            raise CannotListen(f"cannot listen on {self.server.config.host}:{self.server.config.port} "
                               "(in use, or not an address of this machine)") from None
        finally:
            self._ticker_stop.set()
            if ticker is not None:
                ticker.join()
            self.socket.close()
            if self.server.started:
                self.runner.end("signal")


def listening(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (a free port for 0), else CannotListen.

    The server is handed this very socket: from the moment it exists a client's connection is
    accepted (it waits in the backlog until uvicorn serves it), so the start-up line that names the
    port is true when printed, and no other process can take the port in between."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError:
        raise CannotListen(f"cannot listen on {host}:{port} (in use, or not an address of this machine)") from None


def run_cli(loaded: LoadedScenario, out: str, host: str, port: int, speed: float, client_id: str | None,
            client_secret: str | None, blueshift_api_key: str | None, events: bool, no_report: bool) -> None:
    try:
        sock = listening(host, port)  # before the banner: it names the address the server answers on from now
    except CannotListen as exc:
        raise click.ClickException(str(exc)) from None
    port = sock.getsockname()[1]
    credentials = Credentials.resolve(client_id, client_secret, blueshift_api_key)
    try:
        sandbox = Sandbox(loaded, Path(out), host=host, port=port, speed=speed, credentials=credentials, events=events,
                          report=not no_report, sock=sock)
    except BaseException:
        sock.close()
        raise
    base = f"http://{host}:{port}"
    clock = "stepped by POST /sim/advance" if speed == 0 else f"{speed:g} simulated seconds per second"
    click.echo(f"journeysim serve: {loaded.name!r} at {base} ({clock}); outputs to {out} at the end or on Ctrl-C")
    for name, var, value in (("client_id", ENV_CLIENT_ID, credentials.client_id),
                             ("client_secret", ENV_CLIENT_SECRET, credentials.client_secret),
                             ("blueshift_api_key", ENV_BLUESHIFT_KEY, credentials.blueshift_api_key)):
        if name in credentials.generated:
            click.echo(f"  {var}={value}   (random: none given)")
    try:
        sandbox.serve()
    except CannotListen as exc:
        raise click.ClickException(str(exc)) from None
    runner = sandbox.runner
    folder = runner.written[0].parent if runner.written else Path(out)
    warning = moved_aside(out, folder)
    if warning is not None:
        click.echo(warning, err=True)
    click.echo(f"stopped at {format_elapsed(runner.now_s)} ({runner.ended_by}); {len(runner.calls)} API calls; "
               f"wrote {', '.join(p.name for p in runner.written if p.is_file())} to {folder}")
