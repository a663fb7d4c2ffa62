"""Figure (b): client-side work per article with no server wait (in-process transport)."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.corpus import article, events, word_count
from bench.runner import CREATED, MODEL
from factsum.llm import LLMClient, ResponseCache
from factsum.llm.base import ChatResult
from factsum.pipeline.run import asummarize_event
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for
from factsum.testing.scripted import ScriptedTransport
from factsum.render.markdown import render_markdown


class _TimedServer(ScriptedTransport):
    """The in-process stand-in for the server, adding up its own time: building the fake
    answer and counting its tokens are the server's work, not the client's."""

    def __init__(self) -> None:
        super().__init__(answer_for, model=MODEL)
        self.spent = 0.0

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        started = time.perf_counter()
        try:
            return await super().chat(payload)
        finally:
            self.spent += time.perf_counter() - started


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _per_article(items: list[dict[str, str]], tmp: Path, warmup: int
                       ) -> list[tuple[float, float]]:
    """(wall ms, CPU ms) per article: a one-article event, summarised and rendered; the
    first ``warmup`` items are not counted (imports, prompt loading, first schemas)."""
    settings = Settings(model=MODEL, cache_dir=tmp, use_local_model=False)
    answers = _TimedServer()
    llm = LLMClient(settings.llm, answers,
                    cache=ResponseCache(tmp / "llm"))
    out: list[tuple[float, float]] = []
    try:
        for n, item in enumerate(items):
            fake_before = answers.spent
            wall0, cpu0 = time.perf_counter(), time.process_time()
            result = await asummarize_event([item], llm=llm, cache=llm.cache, ledger=llm.ledger, settings=settings,
                                            event_id=f"o{n}", created=CREATED)
            result.summary.to_json()
            render_markdown(result.summary)
            fake = answers.spent - fake_before
            wall = time.perf_counter() - wall0 - fake
            cpu = time.process_time() - cpu0 - fake
            out.append((wall * 1000, cpu * 1000))
    finally:
        await llm.aclose()
    return out[warmup:]


def overhead_figures(sized: list[list[dict[str, str]]], corpus: list[dict[str, str]],
                     warmup: list[dict[str, str]], tmp: Path) -> dict[str, Any]:
    """Median and p95 per article for the 1,000-word articles (``sized``: one list per
    pass) and ``corpus`` articles; ``warmup`` articles (distinct from all) run first in
    each pass and are not counted.

    Each pass has articles of its own (no text is seen twice, so no memo of an earlier
    pass helps) and a new client and cache directory: this machine's speed drifts by
    tens of percent over minutes, and the per-pass medians show how much within the run.
    """
    figures: dict[str, Any] = {}
    for name, passes in (("1000w", sized), ("corpus", [corpus])):
        per_pass = [asyncio.run(_per_article(warmup + items, tmp / f"{name}-{k}", len(warmup)))
                    for k, items in enumerate(passes)]
        timings = [t for one in per_pass for t in one]
        walls = [w for w, _ in timings]
        cpus = [c for _, c in timings]
        words = [word_count(i) for items in passes for i in items]
        figures[name] = {
            "articles": len(timings),
            "passes": len(passes),
            "median_words": statistics.median(words),
            "median_ms": round(statistics.median(walls), 2),
            "p95_ms": round(_pct(walls, 0.95), 2),
            "mean_ms": round(statistics.fmean(walls), 2),
            "cpu_median_ms": round(statistics.median(cpus), 2),
            "pass_medians_ms": [round(statistics.median(w for w, _ in one), 2)
                                for one in per_pass],
        }
    return figures


async def _stages(items: list[dict[str, str]], tmp: Path, warmup: int) -> dict[str, list[float]]:
    """Milliseconds per stage for one-article events (fake model time subtracted)."""
    from factsum.pipeline.extract import extract_article
    from factsum.pipeline.independence import independence_groups
    from factsum.ingest.readers import load_articles
    from factsum.pipeline.reconcile import reconcile

    settings = Settings(model=MODEL, cache_dir=tmp, use_local_model=False)
    answers = _TimedServer()
    llm = LLMClient(settings.llm, answers,
                    cache=ResponseCache(tmp / "llm"))
    out: dict[str, list[float]] = {k: [] for k in ("ingest", "extract+verify", "independence",
                                                   "reconcile", "render")}

    def lap(key: str, started: float, fake_before: float, n: int) -> float:
        now = time.perf_counter()
        if n >= warmup:
            out[key].append((now - started - (answers.spent - fake_before)) * 1000)
        return now

    try:
        for n, item in enumerate(items):
            t = time.perf_counter()
            articles, _ = load_articles([item])
            t = lap("ingest", t, answers.spent, n)
            fake = answers.spent
            extraction = await extract_article(articles[0], llm=llm, settings=settings,
                                               language="en", event_id=f"s{n}")
            t = lap("extract+verify", t, fake, n)
            groups = independence_groups(articles)
            t = lap("independence", t, answers.spent, n)
            fake = answers.spent
            await reconcile(extraction.claims, {articles[0].id: articles[0]}, groups, llm=llm,
                            settings=settings, language="en", event_id=f"s{n}")
            lap("reconcile", t, fake, n)
            result = await asummarize_event([item], llm=llm, cache=llm.cache, ledger=llm.ledger, settings=settings,
                                            event_id=f"s{n}", created=CREATED)  # cache hits
            t = time.perf_counter()
            result.summary.to_json()
            render_markdown(result.summary)
            lap("render", t, answers.spent, n)
    finally:
        await llm.aclose()
    return out


def stage_figures(items: list[dict[str, str]], warmup: list[dict[str, str]], tmp: Path
                  ) -> dict[str, float]:
    """Median milliseconds per stage, one-article events of ``items``."""
    stages = asyncio.run(_stages(warmup + items, tmp, len(warmup)))
    return {k: round(statistics.median(v), 2) for k, v in stages.items() if v}


def overhead_section(*, quick: bool, n_events: int, per_event: int, tmp: Path
                     ) -> dict[str, Any]:
    """The bench's (b) results: 1,000-word articles in 3 passes, the batch corpus's
    articles, and the stages (run by ``python -m bench`` in a process of its own)."""
    import logging

    logging.basicConfig(level=logging.ERROR)
    items = [a for e in events(n_events, per_event) for a in e.articles]
    per_pass = 20 if quick else 60
    sized = [[article(500 + k, i, words=1000) for i in range(per_pass)] for k in range(3)]
    warmup = [article(600, i, words=1000) for i in range(5)]
    return {
        "overhead": overhead_figures(sized, items[:60] if quick else items, warmup,
                                     tmp / "overhead"),
        "overhead_stages_1000w_ms": stage_figures(
            [article(510, i, words=1000) for i in range(per_pass)], warmup, tmp / "stages"),
    }
