"""Figure (c) for the nightly job: ``factsum.batch.command.run_batch`` twice on the same inputs.
The second run finds every event unchanged (fingerprints) and skips it: no pipeline
work, no output written again."""

from __future__ import annotations

import io
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from factsum.llm import LLMClient, OpenAITransport, ResponseCache
from factsum.settings import Settings
from rich.console import Console

from bench.corpus import Event
from bench.runner import CREATED, LANGUAGE, bench_settings
from bench.server import ServerProcess, wait_idle


def _manifest(events: list[Event], path: Path) -> Path:
    lines = [json.dumps({"event_id": e.id, "articles": e.articles}) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[LLMClient]:
    llm = LLMClient(settings.llm, OpenAITransport(settings.llm),
                    cache=ResponseCache(settings.response_cache_dir))
    try:
        yield llm
    finally:
        await llm.aclose()


def nightly_figures(events: list[Event], tmp: Path, *, latency_s: float, concurrency: int
                    ) -> dict[str, Any]:
    """Cold and warm ``factsum batch`` runs: wall time and server requests."""
    try:
        from factsum.batch.command import BatchOptions, run_batch
        from factsum.batch.progress import PlainProgress
    except ImportError as exc:
        return {"skipped": f"factsum.batch.command unavailable: {exc}"}
    tmp.mkdir(parents=True, exist_ok=True)
    manifest = _manifest(events, tmp / "events.jsonl")
    options = BatchOptions(input=manifest, out=tmp / "out", language=LANGUAGE,
                           created=CREATED)
    out: dict[str, Any] = {}
    with ServerProcess("--latency", str(latency_s)) as server:
        settings = bench_settings(server.base_url, tmp / "cache", max_concurrency=concurrency)
        for name in ("cold", "warm"):
            before = server.stats()["chat_requests"]
            started = time.perf_counter()
            outcome = run_batch(options, settings, llm_factory=_client,
                                progress=PlainProgress(Console(file=io.StringIO())))
            wall = time.perf_counter() - started
            statuses = sorted({r.status for r in outcome.records})
            out[name] = {"wall_s": round(wall, 3), "statuses": statuses,
                         "requests": wait_idle(server)["chat_requests"] - before}
    out["warm_fraction_of_cold"] = round(out["warm"]["wall_s"] / out["cold"]["wall_s"], 4)
    return out
