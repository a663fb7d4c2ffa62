"""Batch API requests: the extraction payloads exactly as the pipeline sends them.

The response-cache key is the hash of the payload, so a payload built here must be the
one ``LLMClient.complete`` would send, byte for byte; a test compares both.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from factsum.ingest.readers import load_articles
from factsum.llm.cache import cache_key
from factsum.llm.client import build_payload
from factsum.pipeline.extract import extraction_requests as article_requests
from factsum.pipeline.sentences import candidates, split_sentences
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
    requests: dict[str, BatchRequest] = {}
    for event_id, items, language in events:
        articles, _errors = load_articles(items)
        for article in articles:
            sentences = candidates(split_sentences(article))
            for request in article_requests(article, sentences, settings=settings,
                                            language=language, event_id=event_id):
                payload = build_payload(settings.llm, request.messages,
                                        request.response_model, request.max_tokens)
                key = cache_key(payload, request.prompt_version)
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
