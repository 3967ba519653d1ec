"""The filtering forward proxy one browser context sends every connection through.

Why a proxy and not Playwright's routing: a route handler sees the first request of a chain
and nothing else. Redirect hops, preconnects, Speculation Rules prefetches, WebSocket
handshakes and the requests of Playwright's own ``APIRequestContext`` never reach it. A proxy
configured on the context sees every one of them, because Chromium (and Playwright's fetch,
which uses the context's proxy) has no other way out: with a proxy set, the browser resolves
no host names itself and opens no socket but to the proxy.

What it does, per client connection (Chromium multiplexes many origins on one):

- ``CONNECT host:port`` (HTTPS, ``ws://``/``wss://``, Playwright's fetch): the host is checked
  before any byte goes upstream; allowed → a blind tunnel (the proxy cannot see inside TLS and
  does not need to: the TCP peer is fixed to the allowed host); refused → ``403``.
- ``GET http://host/...`` (absolute form): checked, then relayed request by request with
  ``h11`` (a well-kept sans-IO HTTP/1.1 parser), so every request on a kept-alive connection is
  checked on its own; ``101 Switching Protocols`` turns the exchange into a tunnel.
- anything else (origin-form, other schemes, the proxy's own address): refused.

The proxy runs on its own event loop in a thread (``loop.py``): it relays while the engine's
loop is busy, and what it costs is that thread's CPU time.

A refused plain request gets a small ``403`` page marked ``x-engine-refused``; a failed
upstream connection is closed without an answer, so the browser reports a network error as it
would without the proxy. In ``offline`` mode (replay) nothing is relayed at all.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import h11

from engine.backends.netguard.loop import guard_loop
from engine.backends.netguard.policy import UPSTREAM_ERROR, host_matches, without_query
from engine.backends.netguard.relay import Upstream, UpstreamFailed, next_event, pipe

LOOPBACK = "127.0.0.1"
CONNECT_TIMEOUT = 30.0
HOP_BY_HOP = frozenset({b"connection", b"keep-alive", b"proxy-connection", b"proxy-authorization",
                        b"proxy-authenticate", b"te", b"trailer", b"upgrade"})
REFUSED_BODY = (b"<!doctype html><title>Refused</title><p>Refused by the sync engine: "
                b"this host is not in the recipe's allowed_domains.</p>")
_LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104
_ACTIVE_PORTS: set[int] = set()
"""Every guard's listening port in this process: no page may use one proxy to reach another."""


@dataclass(frozen=True)
class ProxyRefusal:
    """What the proxy refused: ``url`` without query (``host:port`` for a tunnel), the
    ``Referer`` the browser sent (origin only, across origins), and the channel."""

    url: str
    referer: str | None
    channel: str
    host_allowed: bool = False
    """True only offline: an allowed host refused because nothing may be fetched live."""


RefusalCallback = Callable[[ProxyRefusal], None]


class GuardProxy:
    """An HTTP proxy on 127.0.0.1 enforcing one allow-list; one per browser context."""

    def __init__(self, allowed_domains: list[str], *, offline: bool = False,
                 on_refusal: RefusalCallback | None = None) -> None:
        self._allowed = tuple(allowed_domains)
        self._offline = offline
        self.on_refusal = on_refusal
        """Called with each refusal as it happens (the session's ledger)."""
        self.on_upstream_failure: Callable[[str, str], None] | None = None
        """Told (URL without query, kind) when an allowed origin failed before answering: the
        browser may only report a generic error for it (a cross-origin call, for one)."""
        self._server: asyncio.Server | None = None
        self._owner: asyncio.AbstractEventLoop | None = None
        self._port = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.refusals: list[ProxyRefusal] = []
        self.connections = 0
        """Client connections accepted (the browser's sockets to the proxy)."""
        self.relayed = 0
        """Requests and tunnels let through to an allowed host."""

    def __repr__(self) -> str:
        return (f"GuardProxy(port={self._port}, allowed={list(self._allowed)!r}, "
                f"offline={self._offline}, refused={len(self.refusals)})")

    @property
    def server(self) -> str:
        """The proxy's address, as Playwright's ``proxy={"server": ...}`` wants it."""
        return f"http://{LOOPBACK}:{self._port}"

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> GuardProxy:
        """Listen, on the guard's own loop (``netguard.loop``); callbacks come back to the
        loop that called this."""
        self._owner = asyncio.get_running_loop()
        loop = guard_loop()
        listening = loop.submit(self._listen())
        try:
            await asyncio.shield(asyncio.wrap_future(listening))
        except asyncio.CancelledError:  # the caller gave up: close what did start, once it has
            listening.add_done_callback(lambda _done: loop.submit(self._shut()))
            raise
        return self

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, LOOPBACK, 0)
        self._port = self._server.sockets[0].getsockname()[1]
        _ACTIVE_PORTS.add(self._port)

    async def close(self) -> None:
        """Stop listening and cut every connection still open (the context is gone)."""
        if self._server is not None:
            await guard_loop().run(self._shut())

    async def _shut(self) -> None:
        _ACTIVE_PORTS.discard(self._port)
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=2)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
            self._server = None

    def _tell(self, callback: Callable[..., None] | None, *args: Any) -> None:
        """Run ``callback`` on the loop that started the guard (the engine's state lives
        there); scheduled before the browser hears the answer, so it runs first there."""
        if callback is None or self._owner is None:
            return
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody to tell
            self._owner.call_soon_threadsafe(callback, *args)

    # -- policy ---------------------------------------------------------------------------
    def _permits(self, host: str, port: int) -> bool:
        return host_matches(host, self._allowed) and not (
            port in _ACTIVE_PORTS and (host.lower() in _LOCAL_NAMES or host.startswith("127.")))

    def _refuse(self, url: str, referer: str | None, channel: str, host: str) -> None:
        refusal = ProxyRefusal(url, referer, channel,
                               host_allowed=host_matches(host, self._allowed))
        self.refusals.append(refusal)
        self._tell(self.on_refusal, refusal)

    def _upstream_failed(self, target: str, kind: str) -> None:
        self._tell(self.on_upstream_failure, without_query(target), kind)

    # -- serving --------------------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.connections += 1
        upstreams: dict[tuple[str, int], Upstream] = {}
        try:
            await self._serve(h11.Connection(h11.SERVER), reader, writer, upstreams)
        except (h11.ProtocolError, OSError, asyncio.IncompleteReadError):
            pass  # a client that hung up or spoke nonsense: nothing to relay
        except asyncio.CancelledError:
            pass  # close(): the context is gone; this task is the connection's last word
        finally:
            for upstream in upstreams.values():
                upstream.close()
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _serve(self, conn: h11.Connection, reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter,
                     upstreams: dict[tuple[str, int], Upstream]) -> None:
        while True:
            event = await next_event(conn, reader)
            if not isinstance(event, h11.Request):
                return
            if event.method == b"CONNECT":
                await self._tunnel(conn, event, reader, writer)
                return
            if not await self._forward(conn, event, reader, writer, upstreams):
                return
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    async def _tunnel(self, conn: h11.Connection, request: h11.Request,
                      reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        target = request.target.decode("latin-1")
        host, _, port_text = target.rpartition(":")
        host = host.strip("[]")
        port = int(port_text) if port_text.isdigit() else 0
        if not host or not port or not self._permits(host, port) or self._offline:
            self._refuse(target, None, "tunnel", host)
            await _send_refusal(conn, writer)
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), CONNECT_TIMEOUT)
        except (OSError, TimeoutError):
            return  # closing without an answer: the browser reports a network error
        self.relayed += 1
        writer.write(conn.send(h11.Response(status_code=200, headers=[],
                                            reason=b"Connection established")))
        leftover = conn.trailing_data[0]
        if leftover:
            up_writer.write(leftover)
        await pipe(reader, writer, up_reader, up_writer)

    async def _forward(self, conn: h11.Connection, request: h11.Request,
                       reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       upstreams: dict[tuple[str, int], Upstream]) -> bool:
        """Relay one plain-HTTP exchange; False when the client connection must end."""
        target = request.target.decode("latin-1")
        try:
            parts = urlsplit(target)
            host, port = parts.hostname or "", parts.port or 80
        except ValueError:
            host, port, parts = "", 0, urlsplit("")
        referer = _header(request, b"referer")
        if parts.scheme != "http" or not host or not self._permits(host, port) \
                or self._offline:
            self._refuse(without_query(target) if host else target[:200],
                         without_query(referer) if referer else None, "request", host)
            await _send_refusal(conn, writer)
            return False
        upstream = upstreams.pop((host, port), None)
        if upstream is None:
            try:
                upstream = await Upstream.open(host, port, CONNECT_TIMEOUT)
            except TimeoutError:
                self._upstream_failed(target, "timeout")
                await _send_upstream_failure(conn, writer, "timeout")
                return False
            except OSError:
                self._upstream_failed(target, "network")
                await _send_upstream_failure(conn, writer, "network")
                return False
        self.relayed += 1
        headers = [(k, v) for k, v in request.headers if k not in HOP_BY_HOP]
        upgrade = _header(request, b"upgrade")
        if upgrade is not None:  # a WebSocket handshake in the clear: keep what asks for it
            headers += [(b"connection", b"upgrade"), (b"upgrade", upgrade.encode("latin-1"))]
        path = urlunsplit(("", "", parts.path or "/", parts.query, "")).encode("latin-1")
        try:
            upstream.send(h11.Request(method=request.method, target=path, headers=headers))
            while True:  # the request body, as it comes
                event = await next_event(conn, reader)
                if isinstance(event, h11.Data):
                    upstream.send(h11.Data(data=event.data))
                elif isinstance(event, h11.EndOfMessage):
                    upstream.send(h11.EndOfMessage(headers=event.headers))
                    break
                else:
                    upstream.close()
                    return False
        except (ConnectionResetError, BrokenPipeError):
            upstream.close()
            self._upstream_failed(target, "network")
            await _send_upstream_failure(conn, writer, "network")
            return False
        try:
            switched = await upstream.relay_response(conn, writer, HOP_BY_HOP)
        except UpstreamFailed as failure:
            upstream.close()
            self._upstream_failed(target, failure.kind)
            await _send_upstream_failure(conn, writer, failure.kind)
            return False
        if switched:
            await pipe(reader, writer, upstream.reader, upstream.writer,
                       client_leftover=conn.trailing_data[0],
                       upstream_leftover=upstream.conn.trailing_data[0])
            return False
        if upstream.reusable():
            upstream.conn.start_next_cycle()
            upstreams[(host, port)] = upstream
        else:
            upstream.close()
        return True


def _header(request: h11.Request, name: bytes) -> str | None:
    for key, value in request.headers:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _send_upstream_failure(conn: h11.Connection, writer: asyncio.StreamWriter,
                                 kind: str) -> None:
    """The origin failed before answering: a ``502`` naming what failed, so the engine can
    classify it exactly as if it had seen the connection itself (a proxied browser would
    otherwise see one generic error for all of them)."""
    body = f"<!doctype html><title>Upstream failure</title><p>{kind}</p>".encode()
    with contextlib.suppress(h11.LocalProtocolError):
        writer.write(conn.send(h11.Response(status_code=502, headers=[
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
            (b"cache-control", b"no-store"), (UPSTREAM_ERROR.encode(), kind.encode())])))
        writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
    with contextlib.suppress(OSError):
        await writer.drain()


async def _send_refusal(conn: h11.Connection, writer: asyncio.StreamWriter) -> None:
    """A ``403`` the browser shows (plain HTTP) or reports as a failed tunnel (CONNECT)."""
    with contextlib.suppress(h11.LocalProtocolError):
        writer.write(conn.send(h11.Response(status_code=403, headers=[
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(REFUSED_BODY)).encode()),
            (b"connection", b"close"), (b"cache-control", b"no-store"),
            (b"x-engine-refused", b"allowed_domains")])))
        writer.write(conn.send(h11.Data(data=REFUSED_BODY)))
        writer.write(conn.send(h11.EndOfMessage()))
    with contextlib.suppress(OSError):
        await writer.drain()


__all__ = ["GuardProxy", "ProxyRefusal"]
