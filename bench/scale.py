"""Figure (g): independence (syndication) detection on one event of many short articles
that all quote one sentence: the worst case for memory, since every pair of articles
shares copy (n^2 / 2 pairs to measure).

Each size runs in a spawned process of its own, so that the process's peak resident
memory (``VmHWM`` in ``/proc/self/status``, Linux) belongs to that size alone: the figure
is how much it grew while ``independence_groups`` ran, on top of the interpreter and the
ingested articles. (``resource.getrusage``'s ``ru_maxrss`` would not do: Linux carries
it over from the parent through fork and exec, so a child reads the bench's own peak.)
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from factsum.ingest.readers import load_articles
from factsum.models import Article
from factsum.pipeline.independence import independence_groups

from bench.corpus import article

SHARED = ("The regional governor said the emergency services worked through the night to "
          "reach every district.")
"""The sentence that every article quotes (15 words: shorter than a wire-copy run)."""


def shared_sentence_articles(n: int) -> list[Article]:
    """``n`` ingested short articles (about 100 words) of their own, each quoting ``SHARED``."""
    items = []
    for i in range(n):
        item = article(900, i, words=40)
        items.append({**item, "text": f"{item['text']} {SHARED}"})
    articles, errors = load_articles(items)
    if errors:
        raise RuntimeError(f"bench corpus failed to ingest: {errors[0]}")
    return articles


def _peak_rss_mb() -> float | None:
    """This process's peak resident memory in MB, or None where /proc is not there."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return None


def independence_run(n: int) -> dict[str, Any]:
    """Wall seconds, peak memory growth (MB) and groups of ``independence_groups`` on
    ``n`` articles (run it in a fresh process: the peak is the process's)."""
    articles = shared_sentence_articles(n)
    before = _peak_rss_mb()
    started = time.perf_counter()
    groups = independence_groups(articles)
    wall = time.perf_counter() - started
    after = _peak_rss_mb()
    growth = None if before is None or after is None else round(after - before, 1)
    return {"articles": len(articles), "pairs": len(articles) * (len(articles) - 1) // 2,
            "wall_s": round(wall, 2), "peak_rss_growth_mb": growth,
            "peak_rss_mb": None if after is None else round(after, 1),
            "groups": len(set(groups.values()))}


def independence_scaling(sizes: Sequence[int]) -> dict[str, dict[str, Any]]:
    """``independence_run`` for each article count in ``sizes``, each in a new process."""
    out: dict[str, dict[str, Any]] = {}
    for n in sizes:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            out[str(n)] = pool.submit(independence_run, n).result()
    return out
