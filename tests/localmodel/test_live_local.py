"""Live: the embedded local model, started by factsum itself, summarises a two-article
event end to end. Runs wherever the [local] extra is installed (CI installs it); takes a
few minutes on 2 cores. Nothing is replayed here: this is the real model over loopback.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from factsum.backend import open_llm
from factsum.ingest.readers import load_articles
from factsum.localmodel import server_available
from factsum.pipeline.run import asummarize_event
from factsum.settings import Settings

EVENT = Path(__file__).resolve().parents[1] / "data" / "events" / "suez"

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not server_available(), reason="the [local] extra is not installed"),
]


def test_embedded_model_summarises_two_articles(tmp_path: Path) -> None:
    # Explicit settings: no endpoint, so factsum must start its own server.
    settings = Settings(cache_dir=tmp_path / "cache", max_concurrency=1)
    notes: list[str] = []

    async def go() -> None:
        async with open_llm(settings, progress=notes.append) as llm:
            result = await asummarize_event([EVENT], llm=llm, cache=llm.cache,
                                            ledger=llm.ledger, settings=settings)
        summary = result.summary
        assert summary.stats.articles == 2
        assert summary.points, "the local model produced at least one cited point"
        texts = {a.id: a.text for a in load_articles([EVENT])[0]}
        for claim in summary.claims:
            assert texts[claim.article_id][claim.span.start:claim.span.end] == claim.quote
        assert summary.usage.requests >= 3  # two extractions and a reconcile
        assert summary.run.model == "qwen2.5-coder-1.5b-instruct"

    asyncio.run(go())
    assert any("local model ready" in n for n in notes)
