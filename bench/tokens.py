"""Figures (d) token economy of extraction and (e) reconcile scaling with event size.

Sizes are in ``factsum.llm.tokens.estimate_tokens`` units (about 3 characters per token,
deliberately high): the unit the pipeline budgets with, so the largest request can be
compared with ``settings.context_budget_tokens``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from pathlib import Path
from typing import Any

from factsum.ingest.readers import load_articles, split_paragraph_chunks
from factsum.llm import OpenAITransport
from factsum.llm.structured import prepare_messages, response_format
from factsum.llm.tokens import estimate_tokens
from factsum.models import ExtractionResult
from factsum.pipeline.extract import build_extract_messages
from factsum.prompt_templates import load_prompt
from factsum.settings import Settings

from bench.corpus import Event
from bench.runner import RecordingTransport, bench_settings, run_batch
from bench.server import ServerProcess


def token_economy(items: list[dict[str, str]], settings: Settings) -> dict[str, Any]:
    """Prompt tokens per extraction request against the article text it carries."""
    articles, _ = load_articles(items)
    template = load_prompt("extract")
    schema = estimate_tokens(json.dumps(
        response_format(settings.structured_mode, ExtractionResult), ensure_ascii=False))
    requests, per_article = [], []
    for art in articles:
        chunks = split_paragraph_chunks(art.text, settings.chunk_chars)
        total = 0
        for index, (_offset, chunk) in enumerate(chunks, start=1):
            messages = prepare_messages(build_extract_messages(
                template, art, chunk, part=(index, len(chunks)), language="en",
                settings=settings), settings.structured_mode, ExtractionResult)
            prompt = sum(estimate_tokens(m["content"]) for m in messages)
            text = estimate_tokens(chunk)
            requests.append((text, prompt - text, prompt + schema))
            total += prompt + schema
        per_article.append(total / max(1, estimate_tokens(art.text)))
    texts = [t for t, _, _ in requests]
    instructions = [i for _, i, _ in requests]
    totals = [p for _, _, p in requests]
    return {
        "articles": len(articles),
        "extraction_requests": len(requests),
        "median_article_tokens_per_request": statistics.median(texts),
        "median_prompt_tokens_per_request": statistics.median(totals),
        "instruction_tokens_per_request": round(statistics.median(instructions)),
        "schema_tokens_per_request": schema,
        "fixed_overhead_tokens_per_request": round(statistics.median(instructions)) + schema,
        "prompt_to_article_ratio": round(sum(totals) / max(1, sum(texts)), 3),
        "median_ratio_per_article": round(statistics.median(per_article), 3),
    }


def reconcile_scaling(events: list[Event], tmp: Path, *, grouping: str = "statement"
                      ) -> dict[str, Any]:
    """Reconcile requests, rounds and tokens for events of growing size (no cache).

    ``grouping`` is how the fake model groups claims ("statement": equal statements,
    i.e. true duplicates; "consecutive": three neighbours, which the pipeline's support
    check mostly splits again, i.e. a model that merges little per round)."""
    out: dict[str, Any] = {}
    with ServerProcess("--grouping", grouping) as server:
        settings = bench_settings(server.base_url, tmp / "cache", use_cache=False)
        for event in events:
            recorder = RecordingTransport(OpenAITransport(settings.llm))
            result = asyncio.run(run_batch([event], settings, transport=recorder))
            rec = [s for s in recorder.sent if s.kind == "reconcile"]
            ext = [s for s in recorder.sent if s.kind == "extract"]
            claims = points = 0
            if event.id in result.outputs:
                stats = json.loads(result.outputs[event.id])["stats"]
                claims, points = int(stats["claims_verified"]), int(stats["points"])
            largest = max((s.messages_tokens + s.schema_tokens for s in rec), default=0)
            total = sum(s.messages_tokens + s.schema_tokens + s.completion_tokens for s in rec)
            out[str(len(event.articles))] = {
                "claims": claims,
                "points": points,
                "reconcile_requests": len(rec),
                "rounds": max((s.round_no for s in rec), default=0),
                "reconcile_tokens": total,
                "reconcile_tokens_per_claim": round(total / max(1, claims), 1),
                "largest_request_tokens": largest,
                "largest_request_messages_only": max((s.messages_tokens for s in rec),
                                                     default=0),
                "budget_tokens": settings.context_budget_tokens,
                "within_budget": largest <= settings.context_budget_tokens,
                "extraction_tokens": sum(s.messages_tokens + s.schema_tokens
                                         + s.completion_tokens for s in ext),
                "wall_s": round(result.wall_s, 2),
                "failed": result.failed.get(event.id, ""),
            }
    return out
