"""``--via-batch-api``: the run's extraction requests as one OpenAI Batch job.

The requests are built exactly as the pipeline builds them (same payload, same cache key),
sent as one JSONL file (``custom_id`` per request), and the answers are written into the
response cache. The normal pipeline then runs and finds every extraction answer in the
cache: zero extraction calls. Re-asks and the comparisons of statements from different
sources (factsum.pipeline.corroborate), which need the answers, take the normal path.

* Resumable: the batch id (and what each ``custom_id`` stands for) is stored in
  ``OUT_DIR/.factsum/batch.json`` before polling; a re-run resumes polling that batch.
* Priced at the Batch API discount: the answers are recorded in the ledger under the
  model name ``batch:<model>``, and ``with_batch_prices`` adds a ``batch:`` entry at 50%
  for every model of the price table (unknown models stay unpriced, as elsewhere).
* Any server implementing the same file format works (``base_url``). Azure is refused:
  its batch files use deployment names and another URL.
* A request the batch could not answer is left to the normal path (a real-time call).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factsum.batch.api_backend import BatchBackend, JobStatus, OpenAIBatchBackend
from factsum.batch.api_requests import (
    BATCH_DISCOUNT,
    BATCH_MODEL_PREFIX,
    BatchRequest,
    EventInputs,
    extraction_requests,
    request_file,
    with_batch_prices,
)
from factsum.errors import BatchApiError, ConfigError, LLMError, PermanentLLMError
from factsum.llm.base import CallTag, ChatResult, chat_result_from_json
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.llm.retry import Sleep
from factsum.outputs import write_atomic
from factsum.settings import Settings

__all__ = [
    "BatchApiConfig",
    "BatchApiError",
    "BatchApiRunner",
    "BatchApiSummary",
    "BatchBackend",
    "JobStatus",
    "OpenAIBatchBackend",
    "extraction_requests",
    "with_batch_prices",
]

JOB_FILE = "batch.json"
JOB_FORMAT = 1
TERMINAL_STATUSES = frozenset({"completed", "failed", "expired", "cancelled"})
MAX_LISTED_ERRORS = 20

log = logging.getLogger(__name__)


@dataclass
class BatchApiConfig:
    """Polling and injection points (tests use a no-op sleep and a fake backend)."""

    poll_initial_s: float = 15.0
    poll_max_s: float = 300.0
    max_wait_s: float = 26 * 3600.0  # the 24 h completion window, plus finalising
    sleep: Sleep | None = None
    backend_factory: Callable[[Settings], BatchBackend] | None = None


@dataclass
class BatchApiSummary:
    """What the Batch API part of a run did (for the run report)."""

    requests: int = 0  # extraction requests the run needs
    already_cached: int = 0
    submitted: int = 0
    succeeded: int = 0
    failed: int = 0  # left to the normal path
    jobs: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready form, with a note on how the calls are priced."""
        return {
            "requests": self.requests, "already_cached": self.already_cached,
            "submitted": self.submitted, "succeeded": self.succeeded, "failed": self.failed,
            "jobs": self.jobs, "errors": self.errors[:MAX_LISTED_ERRORS],
            "pricing": f"recorded as model '{BATCH_MODEL_PREFIX}<model>' at "
                       f"{BATCH_DISCOUNT:.0%} of the model's price",
        }


class _Job:
    """A submitted batch and what its ``custom_id`` values stand for (``batch.json``)."""

    def __init__(self, path: Path, batch_id: str, requests: dict[str, dict[str, str]],
                 submitted_at: str) -> None:
        self.path, self.batch_id = path, batch_id
        self.requests, self.submitted_at = requests, submitted_at

    @classmethod
    def load(cls, path: Path) -> _Job | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("format") != JOB_FORMAT:
                raise ValueError("unknown format")
            return cls(path, str(data["batch_id"]), dict(data["requests"]),
                       str(data.get("submitted_at", "")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("ignoring unreadable %s (%s)", path, exc)
            return None

    def save(self) -> None:
        data = {"format": JOB_FORMAT, "batch_id": self.batch_id,
                "submitted_at": self.submitted_at, "requests": self.requests}
        write_atomic(self.path, json.dumps(data, indent=1) + "\n", mode=0o600)

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


class BatchApiRunner:
    """Fills the response cache with the extraction answers of one Batch API job."""

    def __init__(self, client: LLMClient, settings: Settings, meta_dir: Path,
                 config: BatchApiConfig | None = None,
                 note: Callable[[str], None] | None = None) -> None:
        if client.cache is None:
            raise ConfigError("--via-batch-api needs the response cache (drop --no-cache)")
        self.client = client
        self.settings = settings
        self.cache: ResponseCache = client.cache
        self.job_path = meta_dir / JOB_FILE
        self.config = config or BatchApiConfig()
        self.note = note or (lambda _m: None)
        self.summary = BatchApiSummary()

    async def run(self, events: Sequence[EventInputs]) -> BatchApiSummary:
        """Resume a stored job, then submit what the cache still lacks, and apply answers."""
        factory = self.config.backend_factory or (
            lambda s: OpenAIBatchBackend(s, sleep=self.config.sleep))
        backend = factory(self.settings)
        try:
            job = _Job.load(self.job_path)
            if job is not None:
                self.note(f"resuming Batch API job {job.batch_id}")
                await self._finish(backend, job, resumed=True)
            requests = await asyncio.to_thread(
                extraction_requests, events, self.settings)
            missing = [r for r in requests if not await self._cached(r.key)]
            self.summary.requests = len(requests)
            self.summary.already_cached = len(requests) - len(missing)
            if missing:
                job = await self._submit(backend, missing)
                await self._finish(backend, job, resumed=False)
        finally:
            await backend.aclose()
        return self.summary

    async def _cached(self, key: str) -> bool:
        return await asyncio.to_thread(self.cache.get, key) is not None

    async def _submit(self, backend: BatchBackend, requests: list[BatchRequest]) -> _Job:
        batch_id = await backend.submit(
            request_file(requests), {"created_by": "factsum", "requests": str(len(requests))})
        job = _Job(self.job_path, batch_id, {
            r.custom_id: {"key": r.key, "event_id": r.event_id, "article_id": r.article_id}
            for r in requests
        }, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        job.save()  # before polling: a run killed from here on resumes this batch
        self.summary.submitted += len(requests)
        self.note(f"submitted Batch API job {batch_id} ({len(requests)} extraction requests)")
        return job

    async def _finish(self, backend: BatchBackend, job: _Job, *, resumed: bool) -> None:
        status = await self._poll(backend, job)
        self.summary.jobs.append({"batch_id": job.batch_id, "status": status.status,
                                  "resumed": resumed, "requests": len(job.requests),
                                  "request_counts": status.counts})
        if status.status == "failed":
            job.drop()
            detail = "; ".join(status.errors[:3]) or "no reason given"
            raise BatchApiError(f"Batch API job {job.batch_id} failed: {detail}")
        answered: set[str] = set()
        for file_id in (status.output_file_id, status.error_file_id):
            if file_id:
                answered |= await self._apply(await backend.download(file_id), job)
        lost = len(set(job.requests) - answered)
        if lost:  # expired or cancelled before these ran: the normal path asks them
            self.summary.failed += lost
            self.summary.errors.append(f"{lost} request(s) without an answer "
                                       f"({status.status})")
        job.drop()
        self.note(f"Batch API job {job.batch_id} {status.status}: "
                  f"{len(answered)} of {len(job.requests)} answered")

    async def _poll(self, backend: BatchBackend, job: _Job) -> JobStatus:
        waited, delay = 0.0, self.config.poll_initial_s
        sleep = self.config.sleep or asyncio.sleep
        last = "unknown"
        while True:
            try:
                status = await backend.status(job.batch_id)
            except PermanentLLMError as exc:
                if exc.status == 404:  # the server does not know it: never resume it again
                    job.drop()
                raise BatchApiError(f"cannot poll Batch API job {job.batch_id}: {exc}"
                                    ) from None
            except LLMError as exc:  # transient trouble past the retry layer: poll on
                log.warning("polling Batch API job %s: %s", job.batch_id, exc)
            else:
                if status.status in TERMINAL_STATUSES:
                    return status
                if status.status != last:  # a line per change: cron logs show progress
                    self.note(f"Batch API job {job.batch_id}: {status.status} "
                              f"{status.counts or ''}".rstrip())
                last = status.status
            if waited >= self.config.max_wait_s:
                raise BatchApiError(
                    f"Batch API job {job.batch_id} still {last} after {waited:.0f}s; "
                    "re-run the same command to resume it")
            await sleep(delay)
            waited += delay
            delay = min(delay * 2, self.config.poll_max_s)

    async def _apply(self, text: str, job: _Job) -> set[str]:
        """Cache the answers of one output/error file; returns the custom ids it covered."""
        covered: set[str] = set()
        settings = self.settings
        for line in text.splitlines():
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                custom_id = str(record["custom_id"])
            except (ValueError, KeyError, TypeError):
                self.summary.errors.append("unreadable line in a Batch API result file")
                continue
            entry = job.requests.get(custom_id)
            if entry is None or custom_id in covered:
                continue
            covered.add(custom_id)
            if await self._cached(entry["key"]):
                continue  # applied by an earlier, interrupted run: already in the ledger
            tag = CallTag("extract", entry.get("event_id", ""), entry.get("article_id", ""))
            result, problem = _chat_result(record)
            model = f"{BATCH_MODEL_PREFIX}{settings.model}"
            if result is None:
                self.client.ledger.record(tag, model=model, failed=True)
                self.summary.failed += 1
                self.summary.errors.append(f"{custom_id}: {problem}")
                continue
            self.client.ledger.record(
                tag, model=model,
                response_model=f"{BATCH_MODEL_PREFIX}{result.model}" if result.model else "",
                prompt_tokens=result.prompt_tokens, completion_tokens=result.completion_tokens,
            )
            # Truncated or refused answers are not cached: the normal path asks again.
            if await asyncio.to_thread(self.cache.set, entry["key"], result):
                self.summary.succeeded += 1
            else:
                self.summary.failed += 1
                self.summary.errors.append(f"{custom_id}: answer not usable "
                                           f"(finish_reason={result.finish_reason})")
        return covered


def _chat_result(record: Mapping[str, Any]) -> tuple[ChatResult | None, str]:
    """The ChatResult of one result line, or None and why not."""
    error = record.get("error")
    response = record.get("response") or {}
    status = response.get("status_code") if isinstance(response, dict) else None
    if error or status != 200:
        body = response.get("body") if isinstance(response, dict) else None
        detail = error or (body.get("error") if isinstance(body, dict) else None) or {}
        message = detail.get("message", "") if isinstance(detail, dict) else str(detail)
        return None, f"HTTP {status}: {str(message)[:200]}".strip()
    try:
        return chat_result_from_json(response["body"]), ""
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None, "malformed response body"
