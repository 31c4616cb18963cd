"""A small HTTP/1.1 load generator for loopback benchmarks (asyncio, standard library only).

Two ways to load a server:

- :func:`constant_rate` offers requests at a fixed rate, whatever the server does (like wrk2 or k6's
  constant-arrival-rate). Latency counts from the moment a request was *due*, so a server that falls
  behind is charged for the queue it builds, not only for the requests it answers.
- :func:`closed_loop` keeps N requests in flight for a while: the most the server gives (throughput).

Each request is a new connection with ``Connection: close``, as gunicorn's sync workers answer anyway.
Only 127.0.0.1 is ever contacted: the benchmarks start the server themselves.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

HOST = "127.0.0.1"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
SET_COOKIE = re.compile(rb"\r\nset-cookie:\s*([^=;\s]+)=([^;\r\n]*)", re.IGNORECASE)


@dataclass
class Response:
    status: int
    head: bytes
    body: bytes

    def cookies(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in SET_COOKIE.findall(self.head)}


@dataclass
class Result:
    """What one load run saw. Latencies in seconds, of the requests answered with an expected status."""

    mode: str
    offered: int = 0  # requests due (constant rate: including those never sent because the server lagged)
    ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)  # connection errors and timeouts, by kind
    latencies: list[float] = field(default_factory=list)
    elapsed_s: float = 0.0
    rate: float = 0.0  # offered per second (constant rate only)
    concurrency: int = 0  # requests in flight at most
    sample: str = ""  # the start of one unexpected answer, to tell what went wrong

    @property
    def errors(self) -> int:
        return self.offered - self.ok

    @property
    def per_second(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def percentile(self, pct: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))]

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "offered": self.offered,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "failures": dict(self.failures),
            "elapsed_s": self.elapsed_s,
            "per_second": self.per_second,
            "rate": self.rate,
            "concurrency": self.concurrency,
            "p50_s": self.percentile(50),
            "p90_s": self.percentile(90),
            "p99_s": self.percentile(99),
            "max_s": max(self.latencies) if self.latencies else float("nan"),
            "sample": self.sample,
        }


def request_bytes(
    method: str, port: int, path: str, *, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close", "User-Agent: balai-bench"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def multipart(fields: list[tuple[str, str]]) -> tuple[str, bytes]:
    """A browser's multipart/form-data body (the report form has a file input, so browsers send this)."""
    boundary = f"----balaibench{secrets.token_hex(8)}"
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    parts.append(f"--{boundary}--\r\n")
    return f"multipart/form-data; boundary={boundary}", "".join(parts).encode()


async def fetch(port: int, raw: bytes, timeout: float = 30.0) -> Response:
    async def go() -> Response:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            writer.write(raw)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = CONTENT_LENGTH.search(head)
            body = await reader.readexactly(int(length.group(1))) if length else await reader.read()
            return Response(status, head, body)
        finally:
            writer.close()

    return await asyncio.wait_for(go(), timeout)


def _run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, also from a thread whose event loop is already running (a caller driving a browser
    through Playwright's sync API has one): then in a thread of its own, since a loop cannot be nested."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            box.append(asyncio.run(coro))
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=target)
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return box[0]


def fetch_sync(port: int, raw: bytes, timeout: float = 30.0) -> Response:
    return _run(fetch(port, raw, timeout))


async def _one(port: int, raw: bytes, due: float, expect: set[int], result: Result, timeout: float) -> None:
    try:
        response = await fetch(port, raw, timeout)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
        result.failures[type(exc).__name__] += 1
        return
    result.statuses[response.status] += 1
    if response.status in expect:
        result.ok += 1
        result.latencies.append(time.perf_counter() - due)
    elif not result.sample:
        result.sample = (response.head + response.body)[:600].decode(errors="replace")


async def _constant_rate(
    port: int,
    make: Callable[[int], bytes],
    rate: float,
    duration: float,
    expect: set[int],
    timeout: float,
    connections: int,
    give_up_s: float,
) -> Result:
    result = Result(mode="constant rate", rate=rate, concurrency=connections)
    total = max(1, round(rate * duration))
    free = asyncio.Semaphore(connections)
    start = time.perf_counter()
    tasks = []

    async def send(i: int, due: float) -> None:
        try:
            await _one(port, make(i), due, expect, result, timeout)
        finally:
            free.release()

    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await free.acquire()
        if time.perf_counter() - due > give_up_s:
            # Hopelessly behind: stop, and count what was never sent as failed, rather than leave the
            # server a backlog that would still be running into the next measurement.
            free.release()
            result.failures["not sent: server too slow"] += total - i
            result.offered += total - i
            break
        result.offered += 1
        tasks.append(asyncio.create_task(send(i, due)))
    await asyncio.gather(*tasks)
    result.elapsed_s = time.perf_counter() - start
    return result


async def _closed_loop(
    port: int, make: Callable[[int], bytes], concurrency: int, duration: float, expect: set[int], timeout: float
) -> Result:
    result = Result(mode="closed loop", concurrency=concurrency)
    start = time.perf_counter()
    stop = start + duration
    counter = iter(range(10**9))

    async def user() -> None:
        while time.perf_counter() < stop:
            result.offered += 1
            await _one(port, make(next(counter)), time.perf_counter(), expect, result, timeout)

    await asyncio.gather(*(user() for _ in range(concurrency)))
    result.elapsed_s = time.perf_counter() - start
    return result


def constant_rate(
    port: int,
    make: Callable[[int], bytes],
    *,
    rate: float,
    duration: float,
    expect: set[int],
    timeout: float = 15.0,
    connections: int = 64,
    give_up_s: float = 10.0,
) -> Result:
    """Offer ``rate`` requests a second for ``duration`` seconds; ``make(i)`` gives the i-th request's bytes.

    At most ``connections`` requests are in flight (as wrk2 holds a fixed set of connections): a request
    due while all are busy waits for one, and its latency still counts from when it was due. Once the
    requests run ``give_up_s`` behind, the rest are not sent and count as failed.
    """
    return _run(_constant_rate(port, make, rate, duration, expect, timeout, connections, give_up_s))


def closed_loop(
    port: int,
    make: Callable[[int], bytes],
    *,
    concurrency: int,
    duration: float,
    expect: set[int],
    timeout: float = 15.0,
) -> Result:
    """Keep ``concurrency`` requests in flight for ``duration`` seconds."""
    return _run(_closed_loop(port, make, concurrency, duration, expect, timeout))
