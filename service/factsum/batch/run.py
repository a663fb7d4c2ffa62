"""One batch run: plan (skip what is unchanged), optional Batch API prefill, events.

``factsum.batch.command`` is the public entry point; this module holds the run itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factsum.batch.api import BatchApiConfig, BatchApiRunner
from factsum.batch.inputs import EventSpec
from factsum.batch.progress import BatchProgress
from factsum.batch.report import (
    DONE,
    FAILED,
    OK_STATUSES,
    PARTIAL,
    PENDING,
    UNCHANGED,
    BatchRun,
    EventRecord,
    write_run_files,
)
from factsum.batch.state import (
    META_DIRNAME,
    StateStore,
    event_fingerprint,
    remove_stale_temps,
)
from factsum.errors import ConfigError, FactsumError
from factsum.exit_status import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from factsum.llm.client import LLMClient
from factsum.models import Summary
from factsum.outputs import write_atomic
from factsum.pipeline.fingerprint import inputs_digest
from factsum.pipeline.run import asummarize_event, prompt_versions
from factsum.render.markdown import render_markdown
from factsum.settings import Settings

REWRITE_INTERVAL_S = 2.0

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchOptions:
    """What to run: INPUT, OUT_DIR and the run-wide choices of the command line."""

    input: Path
    out: Path
    language: str = "en"
    created: str | None = None  # footer date; None = today, and not part of fingerprints
    via_batch_api: bool = False


@dataclass
class BatchOutcome:
    """The records of a finished run and its report."""

    records: list[EventRecord]
    report: dict[str, Any] = field(default_factory=dict)
    fatal: str | None = None

    @property
    def exit_status(self) -> int:
        """0 all events done, 1 some failed or partial, 2 a configuration error stopped it."""
        if self.fatal:
            return EXIT_USAGE
        return EXIT_OK if all(r.status in OK_STATUSES for r in self.records) else EXIT_FAILED


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class BatchRunner:
    """One batch run over OUT_DIR (the caller holds its lock) with one LLM client."""

    def __init__(self, options: BatchOptions, client: LLMClient, progress: BatchProgress,
                 batch_api: BatchApiConfig | None, *, settings: Settings) -> None:
        self.options = options
        self.client = client
        self.settings = settings
        self.progress = progress
        self.batch_api_config = batch_api
        self.out = options.out
        self.state = StateStore(options.out)
        self.created = options.created or dt.date.today().isoformat()
        self.versions = prompt_versions()
        self.started = time.monotonic()
        self.info = BatchRun(
            source=str(options.input), out_dir=options.out, model=client.model_name,
            language=options.language, created=self.created, started_at=_utc_now(),
            via_batch_api=options.via_batch_api,
        )
        self.records: list[EventRecord] = []
        self.batch_summary: dict[str, Any] | None = None
        self.fatal: ConfigError | None = None
        self._written_at = 0.0

    # ------------------------------------------------------------------ the run

    async def run(self, specs: list[EventSpec]) -> BatchOutcome:
        # index.md and run-report.json are written whatever happens from here on.
        try:
            pending = await self._plan(specs)
            self.progress.start(len(self.records))
            for record in self.records:
                if record.status != PENDING:
                    self.progress.event_finished(record)
            self._write_run_files()
            problem = await self._prefill(pending) if self.options.via_batch_api else None
            limit = asyncio.Semaphore(self.settings.max_concurrency)
            await asyncio.gather(*(self._guarded(spec, rec, limit, problem)
                                   for spec, rec in pending))
            self.info.status = "finished"
        except ConfigError as exc:  # e.g. --via-batch-api without a cache: the report says so
            self.fatal = self.fatal or exc
            raise
        finally:
            if self.info.status != "finished":
                self.info.status = "interrupted"
            self.info.finished_at = _utc_now()
            self.info.duration_s = time.monotonic() - self.started
            self.info.fatal = str(self.fatal) if self.fatal else None
            report = self._write_run_files()
        return BatchOutcome(self.records, report, self.info.fatal)

    async def _plan(self, specs: list[EventSpec]) -> list[tuple[EventSpec, EventRecord]]:
        """Records for every event; the ones still to do (unchanged ones are skipped)."""
        pending: list[tuple[EventSpec, EventRecord]] = []
        # Folder names are compared case-folded: macOS and Windows file systems are not
        # case-sensitive, so "a" and "A" would share a folder there.
        owners: dict[str, str] = {}  # folder name -> the event id that has it
        for spec in specs:
            record = EventRecord(spec.event_id, spec.dirname, metadata=spec.metadata)
            duplicate = record.dirname.casefold() in owners
            owner = owners.setdefault(record.dirname.casefold(), spec.event_id)
            self.records.append(record)
            if spec.problem:
                self._fail(record, spec.problem)
            elif duplicate and owner == spec.event_id:
                self._fail(record, "duplicate event id (only the first one is run)")
            elif duplicate:
                self._fail(record, f"output folder {record.dirname!r} clashes with event "
                                   f"{owner!r}")
            else:
                try:
                    unchanged = await self._unchanged(spec, record)
                except Exception as exc:  # one event's inputs must not stop the others
                    log.debug("planning event %r crashed", spec.event_id, exc_info=True)
                    self._fail(record, f"internal error: {type(exc).__name__}: {exc}")
                    continue
                if not unchanged:
                    pending.append((spec, record))
        return pending

    async def _unchanged(self, spec: EventSpec, record: EventRecord) -> bool:
        """Fingerprint the event; True (and the record filled in) when it is unchanged."""
        language = spec.language or self.options.language
        # Manifest items are paths and records, which always hash; anything else
        # gets a digest of its own, so it is never taken as unchanged.
        digest = (await asyncio.to_thread(inputs_digest, spec.items)
                  or f"unhashable:{uuid.uuid4()}")
        record.fingerprint = event_fingerprint(
            event_id=spec.raw_id or spec.event_id, inputs=digest, language=language,
            created=self.options.created, settings=self.settings,
            prompt_versions=self.versions,
        )
        state = self.state.current(record.dirname, record.fingerprint)
        if state is None:
            return False
        record.status = UNCHANGED
        record.headline = str(state.get("headline", ""))
        record.stats = dict(state.get("stats", {}))
        record.input_errors = list(state.get("input_errors", []))
        return True

    async def _prefill(self, pending: Sequence[tuple[EventSpec, EventRecord]]) -> str | None:
        """Send the extraction requests as one Batch API job; a problem fails the events."""
        if not pending:
            return None
        runner = BatchApiRunner(self.client, self.settings, self.out / META_DIRNAME,
                                self.batch_api_config, self.progress.note)
        events = [(s.event_id, s.items, s.language or self.options.language)
                  for s, _r in pending]
        try:
            summary = await runner.run(events)
        except ConfigError:
            raise
        except FactsumError as exc:
            runner.summary.errors.append(str(exc))
            self.batch_summary = runner.summary.to_json()
            return f"Batch API: {exc}"
        self.batch_summary = summary.to_json()
        return None

    async def _guarded(self, spec: EventSpec, record: EventRecord, limit: asyncio.Semaphore,
                       problem: str | None) -> None:
        async with limit:
            if problem or self.fatal:
                self._fail(record, problem or f"not run: {self.fatal}")
            else:
                self.progress.event_started(spec.event_id)
                await self._event(spec, record)
        self.progress.event_finished(record)
        # The index after each event, so a killed run still shows what it finished; at
        # most every few seconds, because the report rolls up the whole ledger.
        if time.monotonic() - self._written_at >= REWRITE_INTERVAL_S:
            self._write_run_files()

    async def _event(self, spec: EventSpec, record: EventRecord) -> None:
        started = time.monotonic()
        try:
            await self._summarise(spec, record)
        except ConfigError as exc:  # the same for every event: stop starting new ones
            self.fatal = self.fatal or exc
            self._fail(record, str(exc))
        except FactsumError as exc:  # bad input, model errors past retries, budget
            self._fail(record, str(exc))
        except OSError as exc:  # cannot write this event's outputs
            self._fail(record, f"cannot write outputs: {exc.strerror or exc}")
        except Exception as exc:  # a bug in one event must not stop the run
            log.debug("event %r crashed", spec.event_id, exc_info=True)
            self._fail(record, f"internal error: {type(exc).__name__}: {exc}")
        finally:
            record.duration_s = time.monotonic() - started
            record.usage = self.client.ledger.usage(event_id=spec.event_id)

    async def _summarise(self, spec: EventSpec, record: EventRecord) -> None:
        folder = self._event_folder(record.dirname)
        result = await asummarize_event(
            spec.items, llm=self.client, cache=self.client.cache, ledger=self.client.ledger,
            settings=self.settings,
            language=spec.language or self.options.language, event_id=spec.event_id,
            created=self.created,
            progress=lambda m: log.debug("%s: %s", spec.event_id, m),
        )
        summary = result.summary
        record.headline = summary.headline
        record.stats = _stats(summary)
        record.input_errors = [str(e) for e in result.input_errors]
        record.article_errors = dict(result.article_errors)
        # A state file promises complete outputs for its fingerprint: drop it before the
        # outputs change, write it again only when they are complete.
        await asyncio.to_thread(self.state.forget, record.dirname)
        await asyncio.to_thread(self._write_outputs, folder, summary)
        if result.article_errors:
            # Outputs are written but not marked finished: the re-run retries the failed
            # articles (the cache answers the others).
            record.status = PARTIAL
            first = next(iter(result.article_errors.values()))
            record.reason = (f"{len(result.article_errors)} article(s) failed extraction; "
                             f"first: {first}")
            return
        record.status = DONE
        await asyncio.to_thread(self.state.save, record.dirname, {
            "event_id": spec.event_id, "dir": record.dirname,
            "fingerprint": record.fingerprint, "finished_at": _utc_now(),
            "headline": record.headline, "stats": record.stats,
            "input_errors": record.input_errors,
        })

    def _event_folder(self, dirname: str) -> Path:
        folder = self.out / dirname
        # safe_dirname cannot leave OUT_DIR; a symlink planted there could.
        if folder.is_symlink() or folder.resolve().parent != self.out.resolve():
            raise FactsumError(f"refusing to write through {folder}: it is a symlink or "
                              "leaves the output folder") from None
        return folder

    @staticmethod
    def _write_outputs(folder: Path, summary: Summary) -> None:
        folder.mkdir(exist_ok=True)
        remove_stale_temps(folder)
        write_atomic(folder / "summary.json", summary.to_json() + "\n")
        write_atomic(folder / "summary.md", render_markdown(summary))

    def _fail(self, record: EventRecord, reason: str) -> None:
        record.status = FAILED
        record.reason = reason

    def _write_run_files(self) -> dict[str, Any]:
        self._written_at = time.monotonic()
        return write_run_files(self.info, self.records, self.client.ledger.report(),
                               self.batch_summary)


def _stats(summary: Summary) -> dict[str, int]:
    s = summary.stats
    return {"articles": s.articles, "points": s.points, "disputes": s.disputes,
            "not_verified": s.claims_unverified}
