"""Running batches of events through the real pipeline, LLMClient and a transport."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factsum.llm import ChatTransport, Ledger, LLMClient, OpenAITransport
from factsum.llm.cache import ResponseCache
from factsum.models import Summary
from factsum.pipeline.run import asummarize_event, responsive_event_loop
from factsum.render.markdown import render_markdown
from factsum.settings import Settings, StructuredMode

from bench.corpus import Event
from bench.schedule import EVENT, Scheduled, ScheduleRecorder, lower_bound_s, simulated_wall_s

CREATED = "2020-01-08"
"""Fixed ``run.created`` so that outputs of different runs compare byte for byte."""
MODEL = "fake-model"
LANGUAGE = "fr"
"""The summary language. The corpus is English, and an article already in the summary
language needs no model call: in French, every article goes through the model."""


def bench_settings(base_url: str, cache_dir: Path, **overrides: Any) -> Settings:
    """Settings for a run against the fake server at ``base_url``."""
    values: dict[str, Any] = {
        "model": MODEL, "base_url": base_url, "api_key": "not-needed",
        "cache_dir": cache_dir, "structured_mode": StructuredMode.JSON_SCHEMA,
        "max_concurrency": 16, "use_local_model": False,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@dataclass
class RunResult:
    """What one batch run produced and cost."""

    wall_s: float
    outputs: dict[str, str]
    failed: dict[str, str]
    article_errors: int
    ledger: Ledger
    waits: list[float] = field(default_factory=list)
    sent: list[Scheduled] = field(default_factory=list)


class ScaledSleep:
    """An injected retry sleep: records the requested waits, sleeps ``scale`` of each."""

    def __init__(self, scale: float = 0.05) -> None:
        self.scale = scale
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(seconds * self.scale)


async def _one_event(event: Event, llm: LLMClient, settings: Settings,
                     outputs: dict[str, str], failed: dict[str, str]) -> int:
    EVENT.set(event.id)  # this task's context: the requests of this event inherit it
    try:
        result = await asummarize_event(event.articles, llm=llm, cache=llm.cache,
                                        ledger=llm.ledger, settings=settings,
                                        language=LANGUAGE, event_id=event.id,
                                        created=CREATED)
    except Exception as exc:  # a failure is reported, not raised
        failed[event.id] = f"{type(exc).__name__}: {exc}"
        return 0
    summary = result.summary
    # Rendering is part of the work of a run; like the nightly job (BatchRun's
    # _write_outputs), it is done on a worker thread, off the event loop.
    outputs[event.id] = await asyncio.to_thread(_render, summary)
    return len(result.article_errors)


def _render(summary: Summary) -> str:
    render_markdown(summary)
    return summary.to_json()


async def run_batch(events: Sequence[Event], settings: Settings, *,
                    transport: ChatTransport | None = None, sequential: bool = False,
                    sleep: ScaledSleep | None = None) -> RunResult:
    """All events concurrently (or one after another), timed from first call to last."""
    cache = ResponseCache(settings.response_cache_dir) if settings.use_cache else None
    recorder = ScheduleRecorder(transport or OpenAITransport(settings.llm))
    llm = LLMClient(settings.llm, recorder, cache=cache, sleep=sleep)
    outputs: dict[str, str] = {}
    failed: dict[str, str] = {}
    started = time.perf_counter()
    try:
        with responsive_event_loop():  # as the nightly job runs its events
            if sequential:
                errors = [await _one_event(e, llm, settings, outputs, failed)
                          for e in events]
            else:
                errors = list(await asyncio.gather(
                    *(_one_event(e, llm, settings, outputs, failed) for e in events)))
        wall = time.perf_counter() - started
    finally:
        await llm.aclose()
    return RunResult(wall, dict(sorted(outputs.items())), failed, sum(errors), llm.ledger,
                     list(sleep.waits) if sleep else [], recorder.sent)


def ideal_wall_s(run: RunResult, *, latency_s: float, concurrency: int) -> float:
    """The LLM-bound wall time of ``run``'s requests (``bench.schedule``): what the run
    would take if the client cost nothing."""
    return simulated_wall_s(run.sent, latency_s=latency_s, concurrency=concurrency)


def ideal_lower_bound_s(run: RunResult, *, latency_s: float, concurrency: int) -> float:
    """A looser bound than ``ideal_wall_s``: all latency spread over the slots, or the
    longest event's critical path, whichever is longer."""
    return lower_bound_s(run.sent, latency_s=latency_s, concurrency=concurrency)
