"""Figures (a) and (c): concurrent cold run vs ideal and vs sequential, then a warm rerun."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factsum.ingest.readers import detect_language

from bench.corpus import Event
from bench.runner import (
    RunResult,
    bench_settings,
    ideal_lower_bound_s,
    ideal_wall_s,
    run_batch,
)
from bench.server import ServerProcess, wait_idle


@dataclass
class BatchFigures:
    """The cold run (kept for the fault comparison) and the figures."""

    cold: RunResult
    cold_requests: int
    figures: dict[str, Any]


def _requests(before: dict[str, Any], after: dict[str, Any]) -> int:
    return int(after["chat_requests"]) - int(before["chat_requests"])


def run_batch_figures(events: list[Event], tmp: Path, *, latency_s: float, concurrency: int,
                      sequential_events: int) -> BatchFigures:
    """Cold (concurrent, cache in ``tmp``), warm (same cache), sequential (no cache)."""
    articles = sum(len(e.articles) for e in events)
    # One-time loads (py3langid reads its model on first use, about 0.5 s) are paid once
    # per process, not per request: done before the clock starts, as in a warm service.
    detect_language("warm-up text for the language identifier")
    with ServerProcess("--latency", str(latency_s)) as server:
        settings = bench_settings(server.base_url, tmp / "cache",
                                  max_concurrency=concurrency)
        s0 = server.stats()
        cold = asyncio.run(run_batch(events, settings))
        s1 = wait_idle(server)
        warm = asyncio.run(run_batch(events, settings))
        s2 = wait_idle(server)
        seq_events = events[:sequential_events]
        seq_settings = settings.model_copy(update={"max_concurrency": 1, "use_cache": False})
        seq = asyncio.run(run_batch(seq_events, seq_settings, sequential=True))
        s3 = wait_idle(server)
    cold_requests, seq_requests = _requests(s0, s1), _requests(s2, s3)
    ideal = ideal_wall_s(cold, latency_s=latency_s, concurrency=concurrency)
    bound = ideal_lower_bound_s(cold, latency_s=latency_s, concurrency=concurrency)
    seq_articles = sum(len(e.articles) for e in seq_events)
    # Sequential time is proportional to requests (each waits latency_s): scale the
    # subset's time per request to the requests of the whole batch.
    seq_full = seq.wall_s / max(1, seq_requests) * cold_requests
    figures = {
        "articles": articles,
        "events": len(events),
        "latency_s": latency_s,
        "concurrency": concurrency,
        "cold_wall_s": round(cold.wall_s, 3),
        "cold_requests": cold_requests,
        "cold_max_in_flight": s1["max_in_flight"],
        "ideal_wall_s": round(ideal, 3),
        "efficiency": round(ideal / cold.wall_s, 3),
        "ideal_lower_bound_s": round(bound, 3),
        "efficiency_vs_lower_bound": round(bound / cold.wall_s, 3),
        "failed_events": len(cold.failed),
        "sequential_articles": seq_articles,
        "sequential_wall_s": round(seq.wall_s, 3),
        "sequential_requests": seq_requests,
        "sequential_extrapolated": seq_articles < articles,
        "sequential_full_wall_s": round(seq_full, 3),
        "speedup_vs_sequential": round(seq_full / cold.wall_s, 2),
        "warm_wall_s": round(warm.wall_s, 3),
        "warm_requests": _requests(s1, s2),
        "warm_fraction_of_cold": round(warm.wall_s / cold.wall_s, 4),
        "warm_outputs_identical": warm.outputs == cold.outputs,
        "client_cpu_ms_per_article_warm": round(warm.wall_s / articles * 1000, 2),
    }
    return BatchFigures(cold, cold_requests, figures)


def efficiency_sweep(events: list[Event], tmp: Path, *, latencies: tuple[float, ...],
                     concurrency: int) -> dict[str, Any]:
    """Cold-run efficiency at other server latencies (where the client stops mattering)."""
    out: dict[str, Any] = {}
    for latency in latencies:
        with ServerProcess("--latency", str(latency)) as server:
            settings = bench_settings(server.base_url, tmp / f"sweep-{latency}",
                                      max_concurrency=concurrency)
            run = asyncio.run(run_batch(events, settings))
        ideal = ideal_wall_s(run, latency_s=latency, concurrency=concurrency)
        out[f"{latency:g}"] = {"events": len(events), "wall_s": round(run.wall_s, 3),
                               "ideal_wall_s": round(ideal, 3),
                               "efficiency": round(ideal / run.wall_s, 3)}
    return out
