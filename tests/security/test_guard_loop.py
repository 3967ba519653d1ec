"""The guard proxy runs on its own loop in a thread: it keeps relaying while the engine's loop
is blocked, tells the engine's loop (never another thread) what it refused, and its CPU time
is its own thread's."""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.backends.netguard import GuardProxy, ProxyRefusal, guard_cpu_seconds
from engine.backends.netguard.loop import guard_loop

BODY = b"<p>relayed</p>" * 2000


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def origin() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _get_through(proxy_port: int, url: str) -> bytes:
    """One absolute-form GET through the proxy, read to the end (Connection: close)."""
    with socket.create_connection(("127.0.0.1", proxy_port), timeout=10) as sock:
        host = url.split("/")[2]
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                     .encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_the_guard_relays_while_the_engines_loop_is_blocked(origin: int) -> None:
    async def scenario() -> tuple[float, float, bytes]:
        guard = await GuardProxy(["127.0.0.1"]).start()
        done: dict[str, object] = {}

        def client() -> None:
            done["answer"] = _get_through(guard.port, f"http://127.0.0.1:{origin}/page")
            done["at"] = time.perf_counter()

        thread = threading.Thread(target=client)
        started = time.perf_counter()
        thread.start()
        time.sleep(3.0)  # the engine's loop, blocked (a long synchronous step)
        blocked_until = time.perf_counter()
        thread.join(10)
        await guard.close()
        return float(done["at"]) - started, blocked_until - started, bytes(done["answer"])  # type: ignore[arg-type]

    answered, blocked, answer = asyncio.run(scenario())
    assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(BODY)
    assert answered < blocked - 1.0, f"answered at {answered:.2f} s, loop blocked {blocked:.2f} s"


def test_refusals_reach_the_loop_that_started_the_guard(origin: int) -> None:
    async def scenario() -> tuple[list[tuple[ProxyRefusal, int]], int, bytes]:
        seen: list[tuple[ProxyRefusal, int]] = []
        guard = GuardProxy(["example.test"],
                           on_refusal=lambda r: seen.append((r, threading.get_ident())))
        await guard.start()
        answer = await asyncio.to_thread(_get_through, guard.port,
                                         f"http://127.0.0.1:{origin}/secret?user=alice")
        for _ in range(50):
            if seen:
                break
            await asyncio.sleep(0.01)
        await guard.close()
        return seen, threading.get_ident(), answer

    seen, loop_thread, answer = asyncio.run(scenario())
    assert b"403" in answer.split(b"\r\n", 1)[0] and BODY not in answer
    assert [(r.url, r.channel) for r, _ in seen] == [(f"http://127.0.0.1:{origin}/secret",
                                                      "request")]
    assert {thread for _, thread in seen} == {loop_thread}


def test_the_guards_cpu_is_its_threads_and_grows_with_what_it_relays(origin: int) -> None:
    async def scenario() -> tuple[float, float]:
        guard = await GuardProxy(["127.0.0.1"]).start()
        before = guard_cpu_seconds()
        burn = time.process_time()
        while time.process_time() - burn < 0.3:  # the engine's own work is not the guard's
            pass
        idle = guard_cpu_seconds() - before
        for _ in range(40):
            await asyncio.to_thread(_get_through, guard.port, f"http://127.0.0.1:{origin}/")
        busy = guard_cpu_seconds() - before - idle
        await guard.close()
        return idle, busy

    idle, busy = asyncio.run(scenario())
    assert idle < 0.05
    assert busy > 0.0


def _child_loop(out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    loop = guard_loop()
    out.put((loop.pid, loop.thread.is_alive()))


def test_a_forked_worker_gets_a_guard_loop_of_its_own() -> None:
    parent = guard_loop()
    queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()  # type: ignore[type-arg]
    child = multiprocessing.get_context("fork").Process(target=_child_loop, args=(queue,))
    child.start()
    pid, alive = queue.get(timeout=10)
    child.join(10)
    assert pid == child.pid and pid != parent.pid and alive


def _refused(port: int) -> bool:
    """Nothing accepts on ``port`` (reset: it was queued as the listener closed)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except (ConnectionRefusedError, ConnectionResetError):
        return True
    return False


def test_a_cancelled_start_or_close_leaves_no_listening_socket() -> None:
    """A sync's deadline may cancel the engine while it starts or closes a guard: the guard's
    loop finishes the work and closes the socket all the same."""
    async def scenario() -> tuple[int, int]:
        starting = GuardProxy(["127.0.0.1"])
        task = asyncio.ensure_future(starting.start())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        closing = await GuardProxy(["127.0.0.1"]).start()
        assert not _refused(closing.port)
        task = asyncio.ensure_future(closing.close())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(200):
            if starting.port and _refused(starting.port) and _refused(closing.port):
                break
            await asyncio.sleep(0.01)
        return starting.port, closing.port

    started, closed = asyncio.run(scenario())
    assert started, "the cancelled start never listened"
    assert _refused(started), f"port {started} still accepts after a cancelled start"
    assert _refused(closed), f"port {closed} still accepts after a cancelled close"
