"""The Batch API half of the fake server: uploaded files and batches, in memory.

It follows OpenAI's batch file format (one ``{"custom_id", "method", "url", "body"}``
request per input line; one ``{"id", "custom_id", "response": {"status_code",
"request_id", "body"}, "error"}`` result per output line, failed requests in the error
file). A batch is answered when it is created, by the server's ``answer`` function (so
it meets the same faults as real-time requests); retrieving it reports ``validating``,
then ``in_progress`` for ``polls_before_done`` polls, then ``completed``. Not OpenAI:
its answers are test fixtures.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

BATCH_ENDPOINT = "/v1/chat/completions"
CREATED_AT = 1_700_000_000

LineAnswer = Callable[[int, Mapping[str, Any]], tuple[int, dict[str, Any]]]
"""(line index, request body) -> (HTTP status, response body) for one batch line."""

Reply = tuple[int, dict[str, Any]]


def error_body(message: str, type_: str, code: str | None = None) -> dict[str, Any]:
    """An OpenAI error JSON body."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


class BatchStore:
    """Files and batches of one fake server (thread-safe)."""

    def __init__(self, polls_before_done: int = 1) -> None:
        self.polls_before_done = polls_before_done
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._polls: dict[str, int] = {}
        self._lock = threading.Lock()

    def upload(self, content_type: str, raw: bytes) -> Reply:
        """``POST /v1/files`` (multipart: ``file`` and ``purpose=batch``)."""
        fields = _multipart_fields(content_type, raw)
        if "file" not in fields or fields.get("purpose", (None, b""))[1] != b"batch":
            return 400, error_body("need a file and purpose=batch", "invalid_request_error")
        filename, data = fields["file"]
        with self._lock:
            file_id = f"file-in-{len(self.files) + 1}"
            self.files[file_id] = data
        return 200, {"id": file_id, "object": "file", "bytes": len(data),
                     "created_at": CREATED_AT, "filename": filename or "upload.jsonl",
                     "purpose": "batch", "status": "processed"}

    def content(self, file_id: str) -> bytes | None:
        """``GET /v1/files/{id}/content``; None for an unknown file."""
        with self._lock:
            return self.files.get(file_id)

    def create(self, body: Mapping[str, Any], answer: LineAnswer) -> Reply:
        """``POST /v1/batches``: answers every line of the input file at once."""
        with self._lock:
            data = self.files.get(str(body.get("input_file_id")))
        if data is None or body.get("endpoint") != BATCH_ENDPOINT:
            return 400, error_body("unknown input file or endpoint", "invalid_request_error")
        try:
            requests = [json.loads(line) for line in data.decode("utf-8").splitlines()
                        if line.strip()]
            bad = [r for r in requests if r.get("method") != "POST"
                   or r.get("url") != BATCH_ENDPOINT or "custom_id" not in r]
        except (ValueError, AttributeError):
            bad = [None]
        if bad:
            return 400, error_body("the input file is not a batch request file",
                                   "invalid_request_error")
        outputs: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i, request in enumerate(requests):
            status, response = answer(i, request["body"])
            (outputs if status == 200 else errors).append({
                "id": f"batch_req_{i}", "custom_id": request["custom_id"], "error": None,
                "response": {"status_code": status, "request_id": f"req_{i}",
                             "body": response},
            })
        with self._lock:
            batch_id = f"batch_fake_{len(self.batches) + 1}"
            out_id = self._store(f"file-out-{batch_id}", outputs)
            err_id = self._store(f"file-err-{batch_id}", errors) if errors else None
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": BATCH_ENDPOINT,
                "input_file_id": body["input_file_id"], "completion_window": "24h",
                "status": "validating", "created_at": CREATED_AT,
                "output_file_id": out_id, "error_file_id": err_id,
                "metadata": body.get("metadata"),
                "request_counts": {"total": len(requests), "completed": len(outputs),
                                   "failed": len(errors)},
            }
            self._polls[batch_id] = 0
            return 200, self._view(batch_id)

    def retrieve(self, batch_id: str) -> Reply:
        """``GET /v1/batches/{id}``: one poll."""
        with self._lock:
            if batch_id not in self.batches:
                return 404, error_body("no such batch", "invalid_request_error")
            self._polls[batch_id] += 1
            return 200, self._view(batch_id)

    def _view(self, batch_id: str) -> dict[str, Any]:
        batch = dict(self.batches[batch_id])
        polls = self._polls[batch_id]
        if polls == 0:
            batch.update(status="validating", output_file_id=None, error_file_id=None)
        elif polls <= self.polls_before_done:
            batch.update(status="in_progress", output_file_id=None, error_file_id=None)
        else:
            batch.update(status="completed", completed_at=CREATED_AT + 100)
        return batch

    def _store(self, file_id: str, lines: list[dict[str, Any]]) -> str:
        self.files[file_id] = "".join(json.dumps(x) + "\n" for x in lines).encode()
        return file_id


def _multipart_fields(content_type: str, raw: bytes) -> dict[str, tuple[str | None, bytes]]:
    """name -> (filename, bytes) of a multipart/form-data body."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
    fields: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        fields[str(name)] = (part.get_filename(),
                             payload if isinstance(payload, bytes) else b"")
    return fields
