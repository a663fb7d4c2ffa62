"""The fault run: the batch again, against a server that misbehaves, compared with the
clean run's outputs byte for byte."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bench.corpus import Event
from bench.runner import RunResult, ScaledSleep, bench_settings, run_batch
from bench.server import ServerProcess, wait_idle

FAULT_MIX = "429=0.20,500=0.025,503=0.025,timeout=0.02,drop=0.02,malformed=0.05,schema=0.05"
"""About 20% 429, 5% 5xx, 2% timeouts, 2% dropped connections, 5% malformed JSON and 5%
schema-violating JSON, drawn for the first attempt of every distinct request."""
REQUEST_TIMEOUT_S = 2.0
HOLD_S = 3.0
SLEEP_SCALE = 0.05


def fault_figures(events: list[Event], tmp: Path, *, clean: RunResult, clean_requests: int,
                  latency_s: float, concurrency: int, seed: int = 1) -> dict[str, Any]:
    """Run ``events`` with ``FAULT_MIX`` and compare with the clean run."""
    options = ("--faults", FAULT_MIX, "--seed", str(seed), "--latency", str(latency_s),
               "--hold", str(HOLD_S), "--retry-after", "0.05")
    sleep = ScaledSleep(SLEEP_SCALE)
    with ServerProcess(*options) as server:
        settings = bench_settings(server.base_url, tmp / "fault-cache",
                                  max_concurrency=concurrency,
                                  request_timeout_s=REQUEST_TIMEOUT_S)
        run = asyncio.run(run_batch(events, settings, sleep=sleep))
        stats = wait_idle(server, HOLD_S + 2)
    report = run.ledger.report()
    total = report["total"]
    same = [e for e in clean.outputs if run.outputs.get(e) == clean.outputs[e]]
    requests = int(stats["chat_requests"])
    return {
        "fault_mix": FAULT_MIX,
        "events": len(events),
        "events_completed": len(run.outputs),
        "failed_events": sorted(run.failed),
        "article_errors": run.article_errors,
        "outputs_identical": len(same) == len(clean.outputs) == len(run.outputs),
        "identical_events": len(same),
        "faults_injected": stats["faults"],
        "http_requests": requests,
        "clean_http_requests": clean_requests,
        "requests_ratio": round(requests / max(1, clean_requests), 3),
        "ledger_requests": total["requests"],
        "retries": total["retries"],
        "reasks": total["reasks"],
        "failed_requests": report["failed_requests"],
        "retry_wait_requested_s": round(sum(run.waits), 2),
        "retry_wait_slept_s": round(sum(run.waits) * SLEEP_SCALE, 2),
        "request_timeout_s": REQUEST_TIMEOUT_S,
        "wall_s": round(run.wall_s, 3),
    }
