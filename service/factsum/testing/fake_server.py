"""A fake OpenAI-compatible server on loopback: chat completions, the Batch API, and
deterministic fault injection. Not OpenAI: its answers are built from the request by
``fake_answers`` (test fixtures, not model output), with fake token usage, so the real
``OpenAITransport`` / ``LLMClient`` / pipeline / Batch API backend run against it over
HTTP.

Endpoints: ``POST /v1/chat/completions``; the Batch API (``POST /v1/files``,
``GET /v1/files/{id}/content``, ``POST /v1/batches``, ``GET /v1/batches/{id}``; see
``fake_batch``); ``GET /v1/models``; ``GET /_stats`` (the counters as JSON).

Faults (``faults.FaultConfig``) are decided per request, whatever the timing: the n-th
arrival of the same request body is its attempt n. A batch line is a request too: a
transport fault drawn for it becomes an error line (429, 500 or 503; 500 for "timeout"
and "drop"), a content fault corrupts its answer.

Run it in a background thread (``with FakeServer(faults) as server: server.base_url``) or
from the command line: ``python -m factsum.testing.fake_server --port 8089 --faults
429=0.2,500=0.05 --latency 0.2``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import TracebackType
from typing import Any

from factsum.llm.cache import canonical_digest
from factsum.testing.fake_answers import count_tokens, is_reask, payload_prompt_tokens, request_kind
from factsum.testing.fake_batch import BatchStore, error_body
from factsum.testing.faults import (
    CONTENT_FAULTS,
    FAULTS,
    INVENTED_NUMBER,
    MALFORMED_CONTENT,
    TRANSPORT_FAULTS,
    FaultConfig,
    answer_content,
)

__all__ = [
    "CONTENT_FAULTS",
    "FAULTS",
    "INVENTED_NUMBER",
    "MALFORMED_CONTENT",
    "TRANSPORT_FAULTS",
    "FakeServer",
    "FaultConfig",
    "ServerStats",
    "main",
]

HOST = "127.0.0.1"

_MAX_HEADER_LINES = 100
_MAX_BODY_BYTES = 32 << 20
_MAX_REQUESTS_PER_CONNECTION = 100_000
_IDLE_TIMEOUT_S = 60.0
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
_BATCH_LINE_STATUS = {"429": 429, "500": 500, "503": 503, "timeout": 500, "drop": 500}
"""The error status a batch line gets for a transport fault (it has no connection)."""


@dataclass
class ServerStats:
    """Counters of what the server received and did."""

    http_requests: int = 0
    chat_requests: int = 0
    """``POST /chat/completions`` requests (held ones included)."""
    batch_requests: int = 0
    """Lines of the batches created."""
    batches: int = 0
    ok: int = 0
    """Requests answered with content (real-time or batch line)."""
    reask_requests: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    distinct_bodies: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    max_prompt_tokens: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    latency_s: float = 0.0
    """Sum of the latency injected into successful answers."""
    abandoned: int = 0
    """"timeout" faults whose client closed the connection before the hold ended."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class _BadRequest(Exception):
    """The bytes on the wire are not an HTTP/1.1 request we accept."""


class FakeServer:
    """The fake server. ``start()`` runs it in a daemon thread; ``stop()`` ends it.

    ``hold_after``: answer that many chat requests, then hold every further one unanswered
    until ``stop()`` (``held`` is set when the first is held), to kill a client mid-run.
    ``polls_before_done``: batch retrieves that report ``in_progress`` before
    ``completed``. ``payloads`` lists every chat payload received (held ones excepted);
    ``batch`` holds the uploaded files and the batches.
    """

    def __init__(self, faults: FaultConfig | None = None, *, port: int = 0,
                 model: str = "fake-model",
                 hold_after: int | None = None, polls_before_done: int = 1) -> None:
        self.faults = faults or FaultConfig()
        self.model = model
        self.hold_after = hold_after
        self.held = threading.Event()
        self.payloads: list[dict[str, Any]] = []
        self.batch = BatchStore(polls_before_done)
        self._requested_port = port
        self._port: int | None = None
        self._lock = threading.Lock()
        self._stats = ServerStats()
        self._attempts: dict[str, int] = {}
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._connections: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ public

    @property
    def port(self) -> int:
        """The bound port (known once started)."""
        if self._port is None:
            raise RuntimeError("the fake server is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """The OpenAI base URL to give the client."""
        return f"http://{HOST}:{self.port}/v1"

    def stats(self) -> ServerStats:
        """A snapshot of the counters."""
        with self._lock:
            s = self._stats
            return replace(s, by_kind=dict(s.by_kind), faults=dict(s.faults))

    def reset(self, faults: FaultConfig | None = None) -> None:
        """Zero the counters and attempt history; optionally switch the fault config."""
        with self._lock:
            in_flight = self._stats.in_flight
            self._stats = ServerStats(in_flight=in_flight)
            self._attempts.clear()
            if faults is not None:
                self.faults = faults

    def start(self, timeout_s: float = 10.0) -> FakeServer:
        """Start serving in a background thread; returns once the port is bound."""
        if self._thread is not None:
            raise RuntimeError("the fake server is already started")
        self._thread = threading.Thread(target=self._run_thread, name="fake-llm-server",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout_s):
            raise RuntimeError("the fake server did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the fake server failed to start: {self._error}")
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop serving (open and held connections are cut) and join the thread."""
        loop, stop, thread = self._loop, self._stop, self._thread
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop may just have ended
                loop.call_soon_threadsafe(stop.set)
        if thread is not None:
            thread.join(timeout_s)
        self._thread = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    async def serve(self, on_ready: Callable[[FakeServer], None] | None = None) -> None:
        """Serve on the running loop until ``stop()`` (or ``request_stop()``)."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, HOST, self._requested_port,
                                            limit=1 << 20, backlog=256)
        self._port = int(server.sockets[0].getsockname()[1])
        self._ready.set()
        if on_ready is not None:
            on_ready(self)
        try:
            await self._stop.wait()
        finally:
            server.close()
            for task in list(self._connections):
                task.cancel()
            if self._connections:
                await asyncio.wait(list(self._connections), timeout=5)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 5)

    def request_stop(self) -> None:
        """Ask ``serve`` to return (call from the server's own loop, e.g. a signal)."""
        if self._stop is not None:
            self._stop.set()

    # ------------------------------------------------------------------ connections

    def _run_thread(self) -> None:
        try:
            asyncio.run(self.serve())
        except BaseException as exc:  # reported to start(); the thread must not die silently
            self._error = exc
            self._ready.set()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                      ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        try:
            for _ in range(_MAX_REQUESTS_PER_CONNECTION):
                request = await asyncio.wait_for(_read_request(reader), _IDLE_TIMEOUT_S)
                if request is None:
                    break
                keep_alive = await self._respond(request, reader, writer)
                if not keep_alive or request.headers.get("connection", "").lower() == "close":
                    break
        except (_BadRequest, TimeoutError, asyncio.IncompleteReadError,
                asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:
            # stop() cancels open connections. Ending quietly keeps Python 3.11's stream
            # callback from logging the cancellation as an error.
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await writer.wait_closed()
            if task is not None:
                self._connections.discard(task)

    async def _respond(self, request: _Request, reader: asyncio.StreamReader,
                       writer: asyncio.StreamWriter) -> bool:
        """Route one request; False closes the connection."""
        with self._lock:
            self._stats.http_requests += 1
        path = request.path.split("?", 1)[0].rstrip("/")
        route, method = path.removeprefix("/v1"), request.method
        status, body = 404, error_body("not found", "invalid_request_error")
        if method == "POST" and route == "/chat/completions":
            return await self._chat(request, reader, writer)
        if method == "POST" and route == "/files":
            status, body = self.batch.upload(request.headers.get("content-type", ""),
                                             request.body)
        elif method == "POST" and route == "/batches":
            status, body = self._create_batch(request.body)
        elif method == "GET" and (m := re.fullmatch(r"/batches/([\w-]+)", route)):
            status, body = self.batch.retrieve(m.group(1))
        elif method == "GET" and (m := re.fullmatch(r"/files/([\w-]+)/content", route)):
            data = self.batch.content(m.group(1))
            if data is not None:
                await _send_bytes(writer, 200, data, "application/octet-stream")
                return True
        elif method == "GET" and route == "/models":
            status, body = 200, {"object": "list", "data": [{
                "id": self.model, "object": "model", "created": 0,
                "owned_by": "factsum-tests"}]}
        elif method == "GET" and path == "/_stats":
            status, body = 200, self.stats().to_dict()
        await _send(writer, status, body)
        return True

    # ------------------------------------------------------------------ chat completions

    async def _chat(self, request: _Request, reader: asyncio.StreamReader,
                    writer: asyncio.StreamWriter) -> bool:
        payload = _json_object(request.body)
        if payload is None:
            await _send(writer, 400, error_body("request body is not a JSON object",
                                                "invalid_request_error"))
            return True
        with self._lock:
            self._stats.chat_requests += 1
            hold = self.hold_after is not None and len(self.payloads) >= self.hold_after
            if not hold:
                self.payloads.append(payload)
        if hold:
            self.held.set()
            if self._stop is not None:
                await self._stop.wait()  # unanswered until stop() cuts the connection
            return False
        fault, faults = self._admit(payload)
        with self._lock:
            s = self._stats
            s.in_flight += 1
            s.max_in_flight = max(s.max_in_flight, s.in_flight)
        try:
            return await self._chat_answer(payload, fault, faults, reader, writer)
        finally:
            with self._lock:
                self._stats.in_flight -= 1

    async def _chat_answer(self, payload: Mapping[str, Any], fault: str, faults: FaultConfig,
                           reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                           ) -> bool:
        if fault == "timeout":
            try:  # EOF here means the client gave up before the hold ended
                gave_up = await asyncio.wait_for(reader.read(1), faults.hold_s) == b""
            except TimeoutError:
                gave_up = False
            if gave_up:
                with self._lock:
                    self._stats.abandoned += 1
            return False
        if fault == "drop":
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Length: 4096\r\n\r\n{\"id\": \"chatcmpl-")
            writer.write(head)
            await writer.drain()
            return False
        if fault == "429":
            headers = {"retry-after-ms": str(max(0, round(faults.retry_after_s * 1000))),
                       "retry-after": str(max(0, int(-(-faults.retry_after_s // 1))))}
            await _send(writer, 429, _rate_limited(), headers)
            return True
        if fault in ("500", "503"):
            await _send(writer, int(fault), _server_error(fault))
            return True
        content = answer_content(payload, fault)
        delay = faults.latency_for(count_tokens(content))
        if delay > 0:
            await asyncio.sleep(delay)
        await _send(writer, 200, self._completion(payload, content, delay))
        return True

    # ------------------------------------------------------------------ shared by both paths

    def _admit(self, payload: Mapping[str, Any], *, batch_line: bool = False
               ) -> tuple[str, FaultConfig]:
        """Count the request and choose its fault (with the config in force)."""
        kind = request_kind(payload)
        reask = is_reask(payload)
        key = canonical_digest(payload)
        with self._lock:
            attempt = self._attempts.get(key, 0) + 1
            arrival = len(self._attempts)  # a new request's ordinal (used for attempt 1)
            self._attempts[key] = attempt
            faults = self.faults
            s = self._stats
            s.batch_requests += int(batch_line)
            s.reask_requests += int(reask)
            s.distinct_bodies = len(self._attempts)
            s.by_kind[kind] = s.by_kind.get(kind, 0) + 1
        fault = faults.choose(key, attempt, kind, reask, arrival)
        if fault != "ok":
            with self._lock:
                self._stats.faults[fault] = self._stats.faults.get(fault, 0) + 1
        return fault, faults

    def _completion(self, payload: Mapping[str, Any], content: str, delay: float
                    ) -> dict[str, Any]:
        """A chat.completion body with ``content``; counts it as answered."""
        prompt_tokens = payload_prompt_tokens(payload)
        completion_tokens = count_tokens(content)
        with self._lock:
            s = self._stats
            s.ok += 1
            s.prompt_tokens += prompt_tokens
            s.completion_tokens += completion_tokens
            s.max_prompt_tokens = max(s.max_prompt_tokens, prompt_tokens)
            s.latency_s += delay
            number = s.ok
        return {
            "id": f"chatcmpl-fake-{number}",
            "object": "chat.completion",
            "created": 0,
            "model": str(payload.get("model") or self.model),
            "system_fingerprint": "fake",
            "choices": [{
                "index": 0,
                "finish_reason": "stop",
                "logprobs": None,
                "message": {"role": "assistant", "content": content, "refusal": None},
            }],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }

    # ------------------------------------------------------------------ Batch API

    def _create_batch(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        body = _json_object(raw)
        if body is None:
            return 400, error_body("request body is not a JSON object",
                                   "invalid_request_error")
        status, batch = self.batch.create(body, self._batch_line)
        if status == 200:
            with self._lock:
                self._stats.batches += 1
        return status, batch

    def _batch_line(self, _index: int, payload: Mapping[str, Any]
                    ) -> tuple[int, dict[str, Any]]:
        fault, _faults = self._admit(payload, batch_line=True)
        status = _BATCH_LINE_STATUS.get(fault)
        if status == 429:
            return status, _rate_limited()
        if status is not None:
            return status, _server_error(fault)
        return 200, self._completion(payload, answer_content(payload, fault),
                                     0.0)


def _rate_limited() -> dict[str, Any]:
    return error_body("Rate limit reached for requests (fake server)", "requests",
                      "rate_limit_exceeded")


def _server_error(fault: str) -> dict[str, Any]:
    return error_body(f"the fake server failed ({fault})", "server_error")


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


async def _send(writer: asyncio.StreamWriter, status: int, body: Mapping[str, Any],
                headers: Mapping[str, str] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    await _send_bytes(writer, status, data, "application/json", headers)


async def _send_bytes(writer: asyncio.StreamWriter, status: int, data: bytes,
                      content_type: str, headers: Mapping[str, str] | None = None) -> None:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
             f"Content-Type: {content_type}", f"Content-Length: {len(data)}",
             "Connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
    await writer.drain()


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    """One request from a keep-alive connection; None when the client closed it."""
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise _BadRequest(line[:80])
    headers: dict[str, str] = {}
    for _ in range(_MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep:
            raise _BadRequest(raw[:80])
        headers[name.strip().lower()] = value.strip()
    else:
        raise _BadRequest("too many header lines")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise _BadRequest("chunked request bodies are not supported")
    length = int(headers.get("content-length", "0"))
    if not 0 <= length <= _MAX_BODY_BYTES:
        raise _BadRequest(f"content-length {length}")
    body = await reader.readexactly(length) if length else b""
    return _Request(parts[0].upper(), parts[1], headers, body)


# --------------------------------------------------------------------------- command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m factsum.testing.fake_server",
                                description="Fake OpenAI-compatible server on 127.0.0.1.")
    p.add_argument("--port", type=int, default=0, help="0 = any free port (printed)")
    p.add_argument("--faults", default="", help="e.g. 429=0.2,5xx=0.05,timeout=0.02,"
                   "drop=0.02,malformed=0.05,schema=0.05,invented_number=0.02,empty=0.02")
    p.add_argument("--script", default="", help="per-body attempt script, e.g. 429,500,ok")
    p.add_argument("--cycle", default="", help="faults for successive new bodies, e.g. 429,ok")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--faulty-attempts", type=int, default=1)
    p.add_argument("--fault-reasks", action="store_true")
    p.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    p.add_argument("--per-token", type=float, default=0.0, help="seconds per completion token")
    p.add_argument("--retry-after", type=float, default=0.05, help="seconds, sent with 429")
    p.add_argument("--hold", type=float, default=5.0, help="seconds a timeout fault holds")
    p.add_argument("--model", default="fake-model")
    p.add_argument("--max-seconds", type=float, default=None, help="exit after this long")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or --max-seconds); print the URL, then the stats."""
    args = _parser().parse_args(argv)
    faults = FaultConfig.parse(
        args.faults, script=tuple(filter(None, args.script.split(","))),
        cycle=tuple(filter(None, args.cycle.split(","))), seed=args.seed,
        faulty_attempts=args.faulty_attempts, fault_reasks=args.fault_reasks,
        latency_s=args.latency, latency_per_token_s=args.per_token,
        retry_after_s=args.retry_after, hold_s=args.hold,
    )
    server = FakeServer(faults, port=args.port, model=args.model)

    def ready(s: FakeServer) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, s.request_stop)
        if args.max_seconds is not None:
            loop.call_later(args.max_seconds, s.request_stop)
        print(json.dumps({"base_url": s.base_url, "port": s.port}), flush=True)

    asyncio.run(server.serve(ready))
    print(json.dumps({"stats": server.stats().to_dict()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
