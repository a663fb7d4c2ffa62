"""Batch API requests: the extraction payloads exactly as the pipeline sends them.

The response-cache key is the hash of the payload, so a payload built here must be the
one ``LLMClient.complete`` would send, byte for byte; a test compares both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from factsum.pipeline.extract import article_chunks, build_extract_messages
from factsum.ingest.readers import load_articles
from factsum.llm.cache import cache_key
from factsum.llm.client import build_payload
from factsum.models import ExtractionResult
from factsum.prompt_templates import load_prompt
from factsum.settings import Price, Settings

BATCH_ENDPOINT: Final = "/v1/chat/completions"
BATCH_DISCOUNT = 0.5
BATCH_MODEL_PREFIX = "batch:"

EventInputs = tuple[str, Sequence[object], str]
"""(event id, article inputs, summary language) of one event to extract."""


def with_batch_prices(settings: Settings) -> Settings:
    """``settings`` whose price table also prices ``batch:<model>`` at the Batch discount."""
    prices = dict(settings.prices)
    for name, price in settings.prices.items():
        if not name.startswith(BATCH_MODEL_PREFIX):
            prices.setdefault(f"{BATCH_MODEL_PREFIX}{name}", Price(
                prompt=price.prompt * BATCH_DISCOUNT,
                completion=price.completion * BATCH_DISCOUNT,
            ))
    return settings.model_copy(update={"prices": prices})


@dataclass(frozen=True)
class BatchRequest:
    """One extraction request of the job."""

    custom_id: str
    key: str  # the response-cache key the pipeline will look up
    payload: dict[str, Any]
    event_id: str
    article_id: str


def extraction_requests(events: Sequence[EventInputs], settings: Settings
                        ) -> list[BatchRequest]:
    """Every extraction request the pipeline would send for ``events``, deduplicated.

    Inputs that do not load are skipped here; the pipeline reports them.
    """
    template = load_prompt("extract")
    requests: dict[str, BatchRequest] = {}
    for event_id, items, language in events:
        articles, _errors = load_articles(items)
        for article in articles:
            chunks = article_chunks(article, settings)
            for index, (_offset, chunk) in enumerate(chunks, start=1):
                messages = build_extract_messages(
                    template, article, chunk, part=(index, len(chunks)),
                    language=language, settings=settings,
                )
                payload = build_payload(settings, messages, ExtractionResult)
                key = cache_key(payload, template.version)
                if key not in requests:  # the same article in two events: ask once
                    requests[key] = BatchRequest(
                        custom_id=f"fs-{key[:40]}", key=key, payload=payload,
                        event_id=event_id, article_id=article.id,
                    )
    return list(requests.values())


def request_file(requests: Sequence[BatchRequest]) -> bytes:
    """The Batch API input file: one JSON line per request."""
    lines = [
        json.dumps({"custom_id": r.custom_id, "method": "POST", "url": BATCH_ENDPOINT,
                    "body": r.payload}, ensure_ascii=False, separators=(",", ":"))
        for r in requests
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")
