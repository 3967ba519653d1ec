"""The byte-moving half of the guard proxy: reading h11 events, one upstream connection,
copying an answer back, and blind two-way tunnels.

Kept apart from the policy (``proxy.py``) so the part that decides stays short to read: this
module never decides anything, it only moves what it was told to move.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import h11

READ_SIZE = 65536


async def next_event(conn: h11.Connection, reader: asyncio.StreamReader) -> Any:
    """The next h11 event, reading from the socket as needed (``ConnectionClosed`` at EOF,
    None when the peer pipelined a request h11 will only give after ``start_next_cycle``)."""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(READ_SIZE))
            continue
        if event is h11.PAUSED:
            return None
        return event


MAX_HEADERS = 256 * 1024


class UpstreamFailed(Exception):
    """The origin failed before an answer began: what kind of failure, for the browser."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


class Upstream:
    """One kept-alive connection from the proxy to an allowed origin."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        # Chromium accepts up to 256 kB of response headers: so does the proxy, so a site
        # with large cookies works, and a larger answer is refused the way Chromium would.
        self.conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADERS)

    @classmethod
    async def open(cls, host: str, port: int, timeout: float) -> Upstream:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        return cls(reader, writer)

    def send(self, event: Any) -> None:
        data = self.conn.send(event)
        if data:
            self.writer.write(data)

    async def relay_response(self, client: h11.Connection, writer: asyncio.StreamWriter,
                             drop: frozenset[bytes]) -> bool:
        """Copy the answer to the client; True when it switched protocols (a WebSocket)."""
        try:
            await self.writer.drain()
        except (ConnectionResetError, BrokenPipeError) as exc:
            raise UpstreamFailed("network") from exc
        while True:
            try:
                event = await next_event(self.conn, self.reader)
            except h11.RemoteProtocolError as exc:
                # closed before a byte came back, or oversized/malformed headers
                nothing = not self.conn.trailing_data[0]
                raise UpstreamFailed("empty_page" if nothing else "bad_response") from exc
            except (ConnectionResetError, BrokenPipeError) as exc:
                raise UpstreamFailed("network") from exc
            except (asyncio.IncompleteReadError, EOFError) as exc:
                raise UpstreamFailed("empty_page") from exc
            if isinstance(event, h11.InformationalResponse):
                if event.status_code == 101:
                    writer.write(client.send(h11.InformationalResponse(
                        status_code=101, headers=event.headers, reason=event.reason)))
                    await writer.drain()
                    return True
                continue  # 100 Continue and the like are the proxy's business only
            if isinstance(event, h11.Response):
                headers = [(k, v) for k, v in event.headers if k not in drop]
                writer.write(client.send(h11.Response(status_code=event.status_code,
                                                      headers=headers, reason=event.reason)))
                break
            raise UpstreamFailed("empty_page")  # the origin closed before answering
        while True:
            event = await next_event(self.conn, self.reader)
            if isinstance(event, h11.Data):
                writer.write(client.send(h11.Data(data=event.data)))
                await writer.drain()
            elif isinstance(event, h11.EndOfMessage):
                writer.write(client.send(h11.EndOfMessage()))
                await writer.drain()
                return False
            else:
                raise h11.RemoteProtocolError("the origin closed in the middle of an answer")

    def reusable(self) -> bool:
        return self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """One direction of a tunnel; the end of input is passed on as a half-close."""
    try:
        while data := await reader.read(READ_SIZE):
            writer.write(data)
            await writer.drain()
    except (OSError, RuntimeError):
        pass
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            if not writer.is_closing() and writer.can_write_eof():
                writer.write_eof()


async def pipe(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter,
               up_reader: asyncio.StreamReader, up_writer: asyncio.StreamWriter, *,
               client_leftover: bytes = b"", upstream_leftover: bytes = b"") -> None:
    """Copy both ways until both sides are done (a tunnel, or an upgraded connection)."""
    if client_leftover:
        up_writer.write(client_leftover)
    if upstream_leftover:
        client_writer.write(upstream_leftover)
    tasks = [asyncio.ensure_future(_copy(client_reader, up_writer)),
             asyncio.ensure_future(_copy(up_reader, client_writer))]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        with contextlib.suppress(Exception):
            up_writer.close()


__all__ = ["Upstream", "next_event", "pipe"]
