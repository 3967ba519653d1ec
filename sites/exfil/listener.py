"""The foreign host: a raw TCP + UDP listener on 127.0.0.1 that counts whatever reaches it.

Not an HTTP server (a leak need not speak HTTP: a preconnect sends nothing, a STUN request is
one UDP datagram), but it answers like one, so a leak that does get through *works*: an HTTP
request gets a page carrying an "INJECTED" transaction (the data an attacker would slip into
a sync), a WebSocket handshake is accepted (so a page would go on sending what it stole), a
STUN binding request is counted. Tests read ``tcp_connections``, ``udp_datagrams`` and
``bytes_received``; ``contacts`` keeps the first bytes of each, to say what leaked.

It runs in its own thread with ``selectors``, so it counts even while the test's event loop is
busy, and it binds the same port number for TCP and UDP.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import selectors
import socket
import threading
from dataclasses import dataclass, field

LOOPBACK = "127.0.0.1"
INJECTED_LABEL = "INJECTED BY FOREIGN HOST"
INJECTED_PAGE = (
    "<!doctype html><html><body><table class=\"operations\"><tbody>"
    f"<tr><td class=\"date\">20/11/2026</td><td class=\"libelle\">{INJECTED_LABEL}</td>"
    "<td class=\"montant\">-999,99 €</td></tr></tbody></table>"
    "<table id=\"comptes\"><tbody><tr class=\"compte\" data-id=\"INJECTED\">"
    f"<td class=\"libelle\">{INJECTED_LABEL}</td><td class=\"solde\">-999,99 €</td>"
    "</tr></tbody></table></body></html>"
).encode()
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass
class Contact:
    kind: str  # "tcp" or "udp"
    peer: str
    first_bytes: bytes = b""


@dataclass
class ForeignListener:
    """Counts TCP connections, UDP datagrams and bytes on one loopback port."""

    port: int = 0
    tcp_connections: int = 0
    udp_datagrams: int = 0
    bytes_received: int = 0
    contacts: list[Contact] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _tcp: socket.socket | None = field(default=None, repr=False)
    _udp: socket.socket | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        """The foreign origin under a host name the recipe does not allow."""
        return f"http://localhost:{self.port}"

    def reset(self) -> None:
        with self._lock:
            self.tcp_connections = self.udp_datagrams = self.bytes_received = 0
            self.contacts.clear()

    def summary(self) -> str:
        with self._lock:
            shown = [f"{c.kind} {c.first_bytes[:120]!r}" for c in self.contacts[:6]]
            return (f"{self.tcp_connections} TCP connections, {self.udp_datagrams} UDP "
                    f"datagrams, {self.bytes_received} bytes: {shown}")

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> ForeignListener:
        for _attempt in range(20):  # a port free for TCP and UDP both
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((LOOPBACK, self.port))
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind((LOOPBACK, tcp.getsockname()[1]))
            except OSError:
                tcp.close()
                udp.close()
                if self.port:
                    raise
                continue
            break
        else:
            raise RuntimeError("no port free for both TCP and UDP")
        tcp.listen(64)
        tcp.setblocking(False)
        udp.setblocking(False)
        self._tcp, self._udp, self.port = tcp, udp, tcp.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="foreign-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        for sock in (self._tcp, self._udp):
            if sock is not None:
                sock.close()

    def __enter__(self) -> ForeignListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- serving ----------------------------------------------------------------------------
    def _run(self) -> None:
        assert self._tcp is not None and self._udp is not None
        selector = selectors.DefaultSelector()
        selector.register(self._tcp, selectors.EVENT_READ, "accept")
        selector.register(self._udp, selectors.EVENT_READ, "udp")
        buffers: dict[socket.socket, tuple[Contact, bytearray, bool]] = {}
        try:
            while not self._stop.is_set():
                for key, _mask in selector.select(timeout=0.05):
                    if key.data == "accept":
                        self._accept(selector, buffers)
                    elif key.data == "udp":
                        self._datagram()
                    else:
                        self._read(selector, buffers, key.fileobj)  # type: ignore[arg-type]
        finally:
            for conn in list(buffers):
                with contextlib.suppress(OSError):
                    conn.close()
            selector.close()

    def _accept(self, selector: selectors.BaseSelector,
                buffers: dict[socket.socket, tuple[Contact, bytearray, bool]]) -> None:
        assert self._tcp is not None
        with contextlib.suppress(BlockingIOError):
            conn, peer = self._tcp.accept()
            conn.setblocking(False)
            contact = Contact("tcp", f"{peer[0]}:{peer[1]}")
            with self._lock:
                self.tcp_connections += 1
                self.contacts.append(contact)
            buffers[conn] = (contact, bytearray(), False)
            selector.register(conn, selectors.EVENT_READ, "conn")

    def _datagram(self) -> None:
        assert self._udp is not None
        with contextlib.suppress(BlockingIOError):
            data, peer = self._udp.recvfrom(65536)
            with self._lock:
                self.udp_datagrams += 1
                self.bytes_received += len(data)
                self.contacts.append(Contact("udp", f"{peer[0]}:{peer[1]}", data[:200]))

    def _read(self, selector: selectors.BaseSelector,
              buffers: dict[socket.socket, tuple[Contact, bytearray, bool]],
              conn: socket.socket) -> None:
        contact, buffer, answered = buffers[conn]
        try:
            data = conn.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            selector.unregister(conn)
            conn.close()
            del buffers[conn]
            return
        with self._lock:
            self.bytes_received += len(data)
            if len(contact.first_bytes) < 200:
                contact.first_bytes += data[:200 - len(contact.first_bytes)]
        buffer += data
        if not answered and b"\r\n\r\n" in buffer:
            answer = _answer(bytes(buffer))
            with contextlib.suppress(OSError):
                conn.sendall(answer)
            buffers[conn] = (contact, buffer, True)
            if not answer.startswith(b"HTTP/1.1 101"):  # one answer per connection
                selector.unregister(conn)
                conn.close()
                del buffers[conn]


def _answer(request: bytes) -> bytes:
    """A WebSocket handshake accepted, anything else answered with the injected page."""
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(":") for line in head.split("\r\n")[1:])}
    key = headers.get("sec-websocket-key")
    if key:
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode(),
                                               usedforsecurity=False).digest()).decode()
        return ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n").encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Connection: close\r\nAccess-Control-Allow-Origin: *\r\nContent-Length: "
            + str(len(INJECTED_PAGE)).encode() + b"\r\n\r\n" + INJECTED_PAGE)


__all__ = ["INJECTED_LABEL", "Contact", "ForeignListener"]
