"""A fake OpenAI-compatible chat server on loopback, with deterministic fault injection.

It answers ``POST /v1/chat/completions`` with schema-valid content built from the request
(``fake_answers.answer_for``: test fixtures, not model output) and fake token usage, so
the real ``OpenAITransport`` / ``LLMClient`` / pipeline run against it over HTTP.

Faults are decided per request body: the n-th arrival of the same body is its attempt n.
With ``FaultConfig.script`` attempt n gets ``script[n-1]`` (then "ok"); with ``cycle`` the
first attempts of successive new bodies take the cycle's faults in turn; otherwise
attempts up to ``faulty_attempts`` draw a fault with the configured probabilities from a
seeded hash of (seed, body, attempt). A retry resends the same body, so it is attempt 2 and, past
``faulty_attempts``, succeeds; a re-ask is a new body (the conversation grew) and by default
gets no content fault. The same inputs always meet the same faults, whatever the timing.

Run it in a background thread (``with FakeServer(faults) as server: server.base_url``) or
from the command line: ``python -m factsum.testing.fake_server --port 8089 --faults
429=0.2,500=0.05 --latency 0.2``. ``GET /_stats`` returns the counters as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import signal
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from types import TracebackType
from typing import Any

from factsum.testing.fake_answers import (
    answer_for,
    count_tokens,
    extraction_answer,
    is_reask,
    payload_prompt_tokens,
    reconcile_answer,
    reconcile_answer_by_statement,
    request_kind,
)

HOST = "127.0.0.1"
GROUPINGS = ("consecutive", "statement")
"""How fake reconcile answers group ids: three consecutive ids (``reconcile_answer``),
or ids with equal statements (``reconcile_answer_by_statement``)."""
TRANSPORT_FAULTS = ("429", "500", "503", "timeout", "drop")
CONTENT_FAULTS = ("malformed", "schema", "bad_quote", "unknown_id")
FAULTS = (*TRANSPORT_FAULTS, *CONTENT_FAULTS)
"""Every fault name, in the order probabilities are stacked."""

HALLUCINATED_QUOTE = "Officials said that 9999 drones were shot down over the capital."
UNKNOWN_CLAIM_ID = "zzzzzzzzzzzz:c999"
MALFORMED_CONTENT = 'Sure! Here is the JSON you asked for: {"claims": [{"statement": '

_MAX_HEADER_LINES = 100
_MAX_BODY_BYTES = 32 << 20
_MAX_REQUESTS_PER_CONNECTION = 100_000
_IDLE_TIMEOUT_S = 60.0
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True)
class FaultConfig:
    """What the server does wrong, and how slow it is. Deterministic for a given seed."""

    rates: Mapping[str, float] = field(default_factory=dict)
    """Fault name -> probability per eligible attempt (the sum must be <= 1)."""
    script: Sequence[str] = ()
    """If given: attempt n of every body gets ``script[n-1]`` ("ok" = no fault)."""
    cycle: Sequence[str] = ()
    """If given: the first attempt of the n-th distinct body to arrive gets
    ``cycle[n % len(cycle)]``; exact fault counts whatever the bodies (which request gets
    which fault then depends on arrival order)."""
    seed: int = 0
    faulty_attempts: int = 1
    """Attempts of one body that may draw a fault (with ``rates``); later ones succeed."""
    fault_reasks: bool = False
    """Allow content faults on re-asks (off: a re-ask is answered well)."""
    latency_s: float = 0.0
    latency_per_token_s: float = 0.0
    """Extra seconds per completion token (generation speed)."""
    retry_after_s: float = 0.05
    """Sent with 429 as ``retry-after-ms`` and (rounded up) ``retry-after``."""
    hold_s: float = 5.0
    """How long a "timeout" fault holds the connection before closing it unanswered."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.rates) - set(FAULTS))
        unknown += sorted(set(self.script) - {*FAULTS, "ok"})
        unknown += sorted(set(self.cycle) - {*FAULTS, "ok"})
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; known: ok, {', '.join(FAULTS)}")
        if any(p < 0 for p in self.rates.values()) or sum(self.rates.values()) > 1 + 1e-9:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")

    @classmethod
    def parse(cls, spec: str, **options: Any) -> FaultConfig:
        """``"429=0.2,500=0.05,timeout=0.02"`` (``5xx=p`` splits p over 500 and 503)."""
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault {part!r}: expected name=probability")
            names = ("500", "503") if name == "5xx" else (name,)
            for n in names:
                rates[n] = rates.get(n, 0.0) + float(value) / len(names)
        return cls(rates=rates, **options)

    def choose(self, body_hash: str, attempt: int, kind: str, reask: bool,
               arrival: int = 0) -> str:
        """The fault for attempt ``attempt`` of the body with sha256 ``body_hash`` (the
        ``arrival``-th distinct body, from 0)."""
        if self.script:
            fault = self.script[attempt - 1] if attempt <= len(self.script) else "ok"
        elif self.cycle:
            fault = self.cycle[arrival % len(self.cycle)] if attempt == 1 else "ok"
        elif attempt > self.faulty_attempts:
            fault = "ok"
        else:
            fault = self._draw(body_hash, attempt)
        return fault if _applies(fault, kind, reask, self.fault_reasks) else "ok"

    def _draw(self, body_hash: str, attempt: int) -> str:
        seed = f"{self.seed}\0{body_hash}\0{attempt}".encode()
        u = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big") / 2.0**64
        edge = 0.0
        for name in FAULTS:
            edge += self.rates.get(name, 0.0)
            if u < edge:
                return name
        return "ok"

    def latency_for(self, completion_tokens: int) -> float:
        """Seconds a successful answer of ``completion_tokens`` tokens takes."""
        return self.latency_s + self.latency_per_token_s * completion_tokens


def _applies(fault: str, kind: str, reask: bool, fault_reasks: bool) -> bool:
    if fault in CONTENT_FAULTS and reask and not fault_reasks:
        return False
    if fault == "bad_quote":
        return kind == "extract"
    if fault == "unknown_id":
        return kind == "reconcile"
    return True


@dataclass
class ServerStats:
    """Counters of what the server received and did."""

    http_requests: int = 0
    chat_requests: int = 0
    ok: int = 0
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
    """The fake server. ``start()`` runs it in a daemon thread; ``stop()`` ends it."""

    def __init__(self, faults: FaultConfig | None = None, *, port: int = 0,
                 model: str = "fake-model", grouping: str = "consecutive") -> None:
        if grouping not in GROUPINGS:
            raise ValueError(f"grouping must be one of {GROUPINGS}")
        self.faults = faults or FaultConfig()
        self.model = model
        self.grouping = grouping
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
        """Stop serving (open connections are cut) and join the thread."""
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

    # ------------------------------------------------------------------ internals

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
                keep_alive = await self._respond(request, writer)
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

    async def _respond(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        with self._lock:
            self._stats.http_requests += 1
        path = request.path.split("?", 1)[0].rstrip("/")
        if request.method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return await self._chat(request, writer)
        if request.method == "GET" and path in ("/v1/models", "/models"):
            body = {"object": "list", "data": [{"id": self.model, "object": "model",
                                                 "created": 0, "owned_by": "factsum-tests"}]}
            await _send(writer, 200, body)
        elif request.method == "GET" and path == "/_stats":
            await _send(writer, 200, self.stats().to_dict())
        else:
            await _send(writer, 404, _error("not found", "invalid_request_error"))
        return True

    async def _chat(self, request: _Request, writer: asyncio.StreamWriter) -> bool:
        try:
            payload = json.loads(request.body)
            if not isinstance(payload, dict):
                raise ValueError("not an object")
        except ValueError:
            await _send(writer, 400, _error("request body is not a JSON object",
                                            "invalid_request_error"))
            return True
        kind = request_kind(payload)
        reask = is_reask(payload)
        body_hash = hashlib.sha256(request.body).hexdigest()
        with self._lock:
            attempt = self._attempts.get(body_hash, 0) + 1
            arrival = len(self._attempts)  # a new body's ordinal (used for attempt 1 only)
            self._attempts[body_hash] = attempt
            faults = self.faults
            s = self._stats
            s.chat_requests += 1
            s.reask_requests += int(reask)
            s.distinct_bodies = len(self._attempts)
            s.by_kind[kind] = s.by_kind.get(kind, 0) + 1
            s.in_flight += 1
            s.max_in_flight = max(s.max_in_flight, s.in_flight)
        fault = faults.choose(body_hash, attempt, kind, reask, arrival)
        if fault != "ok":
            with self._lock:
                self._stats.faults[fault] = self._stats.faults.get(fault, 0) + 1
        try:
            return await self._chat_answer(payload, fault, faults, writer)
        finally:
            with self._lock:
                self._stats.in_flight -= 1

    async def _chat_answer(self, payload: Mapping[str, Any], fault: str, faults: FaultConfig,
                           writer: asyncio.StreamWriter) -> bool:
        if fault == "timeout":
            await asyncio.sleep(faults.hold_s)
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
            await _send(writer, 429, _error("Rate limit reached for requests (fake server)",
                                            "requests", "rate_limit_exceeded"), headers)
            return True
        if fault in ("500", "503"):
            status = int(fault)
            await _send(writer, status, _error(f"the fake server failed ({status})",
                                               "server_error"))
            return True
        content = _content(payload, fault, self.grouping)
        prompt_tokens = payload_prompt_tokens(payload)
        completion_tokens = count_tokens(content)
        delay = faults.latency_for(completion_tokens)
        if delay > 0:
            await asyncio.sleep(delay)
        with self._lock:
            s = self._stats
            s.ok += 1
            s.prompt_tokens += prompt_tokens
            s.completion_tokens += completion_tokens
            s.max_prompt_tokens = max(s.max_prompt_tokens, prompt_tokens)
            s.latency_s += delay
            number = s.ok
        await _send(writer, 200, self._completion(payload, content, number, prompt_tokens,
                                                  completion_tokens))
        return True

    def _completion(self, payload: Mapping[str, Any], content: str, number: int,
                    prompt_tokens: int, completion_tokens: int) -> dict[str, Any]:
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


def _answer(payload: Mapping[str, Any], grouping: str) -> dict[str, Any]:
    """The well-behaved answer as data."""
    kind = request_kind(payload)
    if kind == "extract":
        return extraction_answer(payload)
    if kind == "reconcile":
        if grouping == "statement":
            return reconcile_answer_by_statement(payload)
        return reconcile_answer(payload)
    data: dict[str, Any] = json.loads(answer_for(payload))
    return data


def _content(payload: Mapping[str, Any], fault: str, grouping: str) -> str:
    """The answer text, corrupted as the content fault says."""
    if fault == "malformed":
        return MALFORMED_CONTENT
    answer = _answer(payload, grouping)
    if fault == "schema":
        return json.dumps({"result": answer, "confidence": "high"}, ensure_ascii=False)
    if fault == "bad_quote":
        answer["claims"].insert(0, {
            "statement": "Drones were shot down over the capital.",
            "quote": HALLUCINATED_QUOTE, "asserted_by": "officials",
            "quantities": [{"value": 9999.0, "high": None, "unit": "drones",
                            "qualifier": "exact"}],
        })
        return json.dumps(answer, ensure_ascii=False)
    if fault == "unknown_id":
        answer["points"].append({"statement": "An invented point.",
                                 "claim_ids": [UNKNOWN_CLAIM_ID]})
    return json.dumps(answer, ensure_ascii=False)


def _error(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


async def _send(writer: asyncio.StreamWriter, status: int, body: Mapping[str, Any],
                headers: Mapping[str, str] | None = None) -> None:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
             "Content-Type: application/json", f"Content-Length: {len(data)}",
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
                   "drop=0.02,malformed=0.05,schema=0.05,bad_quote=0.02,unknown_id=0.02")
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
    p.add_argument("--grouping", choices=GROUPINGS, default="consecutive",
                   help="how fake reconcile answers group claim ids")
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
    server = FakeServer(faults, port=args.port, model=args.model, grouping=args.grouping)

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
