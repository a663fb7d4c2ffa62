"""Test doubles for the batch tests (no test functions here; imported by tests/test_batch*.py).

Every article text and every "model answer" here is a hand-written test fixture, not
real news and not the output of a real model: answers come from
``factsum.testing.fake_answers``, which builds them from the prompt.
``FakeOpenAIServer`` is a small OpenAI-compatible server on loopback (chat completions
and the Batch API file format); it is not OpenAI.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from factsum.batch.command import LLMFactory
from factsum.llm import LLMClient, ResponseCache
from factsum.llm.base import ChatResult
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for, count_tokens

FAKE_MODEL = "gpt-4o-mini-2024-07-18"  # what the fake server says it is (fixture)

# Test fixture articles (invented, not real reports).
EVENTS: dict[str, dict[str, str]] = {
    "bridge-closure": {
        "gazette.txt": "The city closed the old stone bridge to traffic on Tuesday morning.\n\n"
                       "Engineers found cracks in two of the five arches during an inspection.\n\n"
                       "The council expects repairs to take at least six weeks.",
        "tribune.txt": "Drivers faced long queues after the river bridge was shut "
                       "without warning.\n\n"
                       "A council spokesperson said that 3 arches showed serious damage.\n\n"
                       "Buses will use the northern ring road until further notice.",
    },
    "flood-river": {
        "herald.txt": "Heavy rain caused the river to flood the old town on Monday.\n\n"
                      "The mayor said that 120 homes were evacuated overnight.\n\n"
                      "Rescue teams reported that nobody was hurt in the flooding.",
        "courier.txt": "The river burst its banks after three days of steady rain.\n\n"
                       "According to the fire service, about 150 homes were evacuated.\n\n"
                       "Schools in the old town will stay closed until Friday at the earliest.",
    },
    "power-outage": {
        "daily.txt": "A storm cut power to thousands of homes across the valley on Sunday.\n\n"
                     "The grid operator said 40 crews were working to restore supply.\n\n"
                     "Most customers should have electricity again by Monday evening.",
        "post.txt": "Strong winds brought down power lines in the valley overnight.\n\n"
                    "Around 12000 households were without electricity on Sunday morning.\n\n"
                    "The operator apologised and promised compensation to those affected.",
    },
}


def write_events(root: Path, events: Mapping[str, Mapping[str, str]] = EVENTS) -> Path:
    """Write ``events`` as a folder of event folders under ``root``."""
    for event, articles in events.items():
        folder = root / event
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in articles.items():
            (folder / name).write_text(text, encoding="utf-8")
    return root


def batch_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for an endpoint that is never reached (the transport is injected)."""
    values: dict[str, Any] = {
        "model": "gpt-4o-mini", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-test",
        "cache_dir": tmp_path / "cache", "max_concurrency": 2, "max_attempts": 2,
    }
    values.update(overrides)
    return Settings.model_validate(values)


async def no_sleep(_seconds: float) -> None:
    """An injected sleep that returns at once."""


def client_factory(transport: Any) -> LLMFactory:
    """An LLMFactory building a fresh client (own ledger, real cache) around ``transport``."""

    @asynccontextmanager
    async def factory(settings: Settings) -> AsyncIterator[LLMClient]:
        cache = ResponseCache(settings.response_cache_dir) if settings.use_cache else None
        client = LLMClient(settings.llm, transport, cache=cache, sleep=no_sleep)
        try:
            yield client
        finally:
            await client.aclose()

    return factory


def tree(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def completion(body: Mapping[str, Any], n: int) -> dict[str, Any]:
    """A chat.completion body answering ``body`` (a test fixture)."""
    answer = answer_for(body)
    prompt = sum(count_tokens(str(m.get("content", ""))) for m in body.get("messages", []))
    return {
        "id": f"chatcmpl-fake-{n}", "object": "chat.completion", "created": 1_700_000_000,
        "model": FAKE_MODEL,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": answer, "refusal": None}}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": count_tokens(answer),
                  "total_tokens": prompt + count_tokens(answer)},
    }


def as_result(body: Mapping[str, Any]) -> ChatResult:
    """The ChatResult the transport would make of ``completion(body)``."""
    data = completion(body, 0)
    return ChatResult(content=data["choices"][0]["message"]["content"], finish_reason="stop",
                      prompt_tokens=data["usage"]["prompt_tokens"],
                      completion_tokens=data["usage"]["completion_tokens"], model=FAKE_MODEL)


# --------------------------------------------------------------------------- server

FailLine = Callable[[int, Mapping[str, Any]], bool]


class FakeOpenAIServer:
    """A loopback OpenAI-compatible server: chat completions and the Batch API (a fake).

    ``hold_after``: answer that many chat requests, then hold every further one until
    ``close()`` (``held`` is set when the first is held), to kill a client mid-run.
    ``fail_line(index, line)``: batch input lines to answer with an error.
    ``polls_before_done``: retrieves that report ``in_progress`` before ``completed``.
    """

    def __init__(self, *, hold_after: int | None = None, fail_line: FailLine | None = None,
                 polls_before_done: int = 1) -> None:
        self.hold_after = hold_after
        self.fail_line = fail_line
        self.polls_before_done = polls_before_done
        self.chat_bodies: list[dict[str, Any]] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self.polls: dict[str, int] = {}
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release held requests and stop serving."""
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ endpoints

    def chat(self, body: dict[str, Any]) -> tuple[int, Any]:
        with self.lock:
            held = self.hold_after is not None and len(self.chat_bodies) >= self.hold_after
            if not held:
                self.chat_bodies.append(body)
                n = len(self.chat_bodies)
        if held:
            self.held.set()
            self.release.wait(120)
            return 503, {"error": {"message": "closing", "type": "server_error"}}
        return 200, completion(body, n)

    def upload(self, content_type: str, raw: bytes) -> tuple[int, Any]:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + raw)
        fields: dict[str, Any] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[str(name)] = (part.get_filename(), part.get_payload(decode=True))
        if "file" not in fields or fields.get("purpose", (None, b""))[1] != b"batch":
            return 400, {"error": {"message": "need file and purpose=batch"}}
        filename, data = fields["file"]
        with self.lock:
            file_id = f"file-in-{len(self.files) + 1}"
            self.files[file_id] = data
        return 200, _file_object(file_id, filename, len(data))

    def create_batch(self, body: dict[str, Any]) -> tuple[int, Any]:
        data = self.files.get(str(body.get("input_file_id")))
        if data is None or body.get("endpoint") != "/v1/chat/completions":
            return 400, {"error": {"message": "unknown input file or endpoint"}}
        outputs, errors = [], []
        for i, line in enumerate(data.decode("utf-8").splitlines()):
            request = json.loads(line)
            assert request["method"] == "POST" and request["url"] == "/v1/chat/completions"
            cid = request["custom_id"]
            if self.fail_line is not None and self.fail_line(i, request):
                errors.append({"id": f"batch_req_{i}", "custom_id": cid, "response": {
                    "status_code": 500, "request_id": f"req_{i}",
                    "body": {"error": {"message": "fake server error", "type": "server_error"}},
                }, "error": None})
            else:
                outputs.append({"id": f"batch_req_{i}", "custom_id": cid, "response": {
                    "status_code": 200, "request_id": f"req_{i}",
                    "body": completion(request["body"], i),
                }, "error": None})
        with self.lock:
            batch_id = f"batch_fake_{len(self.batches) + 1}"
            out_id = self._store(f"file-out-{batch_id}", outputs)
            err_id = self._store(f"file-err-{batch_id}", errors) if errors else None
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": body["endpoint"],
                "input_file_id": body["input_file_id"], "completion_window": "24h",
                "status": "validating", "created_at": 1_700_000_000,
                "output_file_id": out_id, "error_file_id": err_id,
                "metadata": body.get("metadata"),
                "request_counts": {"total": len(outputs) + len(errors),
                                   "completed": len(outputs), "failed": len(errors)},
            }
            self.polls[batch_id] = 0
            return 200, self._view(batch_id)

    def retrieve_batch(self, batch_id: str) -> tuple[int, Any]:
        with self.lock:
            if batch_id not in self.batches:
                return 404, {"error": {"message": "no such batch", "type": "invalid_request"}}
            self.polls[batch_id] += 1
            return 200, self._view(batch_id)

    def _view(self, batch_id: str) -> dict[str, Any]:
        batch = dict(self.batches[batch_id])
        polls = self.polls[batch_id]
        if polls == 0:
            batch.update(status="validating", output_file_id=None, error_file_id=None)
        elif polls <= self.polls_before_done:
            batch.update(status="in_progress", output_file_id=None, error_file_id=None)
        else:
            batch.update(status="completed", completed_at=1_700_000_100)
        return batch

    def _store(self, file_id: str, lines: list[dict[str, Any]]) -> str:
        self.files[file_id] = "".join(json.dumps(x) + "\n" for x in lines).encode()
        return file_id

    # ------------------------------------------------------------------ HTTP

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output clean

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _send(self, status: int, payload: Any, *, raw: bytes | None = None) -> None:
                data = raw if raw is not None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/octet-stream"
                                     if raw is not None else "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client was killed

            def do_POST(self) -> None:
                raw = self._body()
                if self.path == "/v1/chat/completions":
                    self._send(*fake.chat(json.loads(raw)))
                elif self.path == "/v1/files":
                    self._send(*fake.upload(self.headers["Content-Type"], raw))
                elif self.path == "/v1/batches":
                    self._send(*fake.create_batch(json.loads(raw)))
                else:
                    self._send(404, {"error": {"message": "not found"}})

            def do_GET(self) -> None:
                if m := re.fullmatch(r"/v1/batches/([\w-]+)", self.path):
                    self._send(*fake.retrieve_batch(m.group(1)))
                elif (m := re.fullmatch(r"/v1/files/([\w-]+)/content", self.path)) and (
                        m.group(1) in fake.files):
                    self._send(200, None, raw=fake.files[m.group(1)])
                else:
                    self._send(404, {"error": {"message": "not found"}})

        return Handler


def _file_object(file_id: str, filename: str | None, size: int) -> dict[str, Any]:
    return {"id": file_id, "object": "file", "bytes": size, "created_at": 1_700_000_000,
            "filename": filename or "upload.jsonl", "purpose": "batch", "status": "processed"}
