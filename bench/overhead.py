"""Figure (b): client-side work per article with no server wait (in-process transport).

A reported figure with no target: a model call takes seconds to a minute, so what (a)
shows (the batch is LLM-bound) is what matters; (b) says how much room there is.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from factsum.llm import LLMClient, ResponseCache
from factsum.llm.base import ChatResult
from factsum.pipeline.run import asummarize_event
from factsum.render.markdown import render_markdown
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for
from factsum.testing.scripted import ScriptedTransport

from bench.corpus import article, events, word_count
from bench.runner import CREATED, LANGUAGE, MODEL

WARMUP = 5
"""Articles summarised first and not counted (imports, prompt loading, first schemas)."""


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


async def _per_article(items: list[dict[str, str]], tmp: Path) -> list[float]:
    """Milliseconds per article (fake server time subtracted): a one-article event,
    summarised and rendered; the first ``WARMUP`` items are not counted."""
    settings = Settings(model=MODEL, cache_dir=tmp, use_local_model=False)
    answers = _TimedServer()
    llm = LLMClient(settings.llm, answers, cache=ResponseCache(tmp / "llm"))
    out: list[float] = []
    try:
        for n, item in enumerate(items):
            fake_before = answers.spent
            started = time.perf_counter()
            result = await asummarize_event([item], llm=llm, cache=llm.cache,
                                            ledger=llm.ledger, settings=settings,
                                            language=LANGUAGE, event_id=f"o{n}",
                                            created=CREATED)
            result.summary.to_json()
            render_markdown(result.summary)
            out.append((time.perf_counter() - started - (answers.spent - fake_before)) * 1000)
    finally:
        await llm.aclose()
    return out[WARMUP:]


def overhead_section(*, quick: bool, n_events: int, per_event: int, tmp: Path
                     ) -> dict[str, Any]:
    """Median and p95 milliseconds per article: 1,000-word articles, then the batch
    corpus's articles (each set after its own warm-up, on a new client and cache)."""
    corpus = [a for e in events(n_events, per_event) for a in e.articles]
    sets = {
        "1000w": [article(500, i, words=1000) for i in range(20 if quick else 60)],
        "corpus": corpus[:60] if quick else corpus,
    }
    warmup = [article(600, i, words=1000) for i in range(WARMUP)]
    figures: dict[str, Any] = {}
    for name, items in sets.items():
        timings = sorted(asyncio.run(_per_article(warmup + items, tmp / name)))
        figures[name] = {
            "articles": len(timings),
            "median_words": statistics.median(word_count(i) for i in items),
            "median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))], 2),
        }
    return figures
