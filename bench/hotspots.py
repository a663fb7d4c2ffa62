"""Where the client's time goes: cProfile over an in-process batch (no server wait).

cProfile slows Python code down (roughly 1.5-2x), so the figures are for ranking; the
``scale`` field compares the profiled run with an unprofiled one.
"""

from __future__ import annotations

import asyncio
import cProfile
import pstats
import time
from pathlib import Path
from typing import Any

from bench.corpus import Event
from bench.runner import MODEL, run_batch
from factsum.settings import Settings
from factsum.testing.scripted import ScriptedTransport

ROOT = str(Path(__file__).resolve().parent.parent)


def _where(filename: str, func: str) -> str:
    if filename.startswith(ROOT):
        filename = filename[len(ROOT) + 1:]
    elif "site-packages/" in filename:
        filename = filename.split("site-packages/", 1)[1]
    elif "/service/" in filename:  # a checkout elsewhere on PYTHONPATH
        filename = "service/" + filename.rsplit("/service/", 1)[1]
    return f"{filename}:{func}"


def _run(events: list[Event], tmp: Path) -> float:
    settings = Settings(model=MODEL, cache_dir=tmp, use_cache=False, use_local_model=False)
    started = time.perf_counter()
    asyncio.run(run_batch(events, settings, transport=ScriptedTransport(model=MODEL)))
    return time.perf_counter() - started


def hotspots(events: list[Event], tmp: Path, top: int = 12) -> dict[str, Any]:
    """The service functions with the most cumulative time, in ms per article."""
    articles = sum(len(e.articles) for e in events)
    plain = _run(events, tmp / "plain")
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = _run(events, tmp / "profiled")
    profiler.disable()
    stats = pstats.Stats(profiler)
    rows = []
    for (filename, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        _cc, _nc, tottime, cumtime, _callers = row
        where = _where(filename, func)
        if (where.startswith("service/") and "testing/" not in where
                and not func.startswith("<")):
            rows.append((cumtime, tottime, where))
    rows.sort(reverse=True)
    return {
        "articles": articles,
        "unprofiled_ms_per_article": round(plain / articles * 1000, 2),
        "profiled_ms_per_article": round(profiled / articles * 1000, 2),
        "top": [
            {"where": where, "cum_ms_per_article": round(cum / articles * 1000, 2),
             "own_ms_per_article": round(own / articles * 1000, 2)}
            for cum, own, where in rows[:top]
        ],
    }
