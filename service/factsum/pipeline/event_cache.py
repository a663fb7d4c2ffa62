"""Whole-event results in the response cache: an unchanged event repeats no stage.

The per-request cache already makes a rerun cost no model call, but ingest, quote
checks, grouping and rendering would still run. Keyed by the inputs' content,
the answer-shaping settings, the prompt versions, the language, the date and the
factsum version (factsum.pipeline.fingerprint), the stored summary is exactly what the pipeline
would produce again. Events with a failed article are not stored, so a rerun retries it.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel, ValidationError

from factsum.errors import InputError
from factsum.llm.cache import ResponseCache
from factsum.llm.ledger import Usage
from factsum.models import Summary

log = logging.getLogger(__name__)


class _EventEntry(BaseModel):
    """What ``save_event`` stores (read back in one pass by pydantic)."""

    summary: Summary
    usage: Usage
    skipped: list[tuple[str, str]]


def load_event(cache: ResponseCache, key: str
               ) -> tuple[Summary, list[InputError], int] | None:
    """The stored summary, the inputs it skipped, and how many model calls it took."""
    text = cache.get_text(key)
    if text is None:
        return None
    try:
        entry = _EventEntry.model_validate_json(text)
    except ValidationError:  # also what invalid JSON raises
        log.warning("cache: dropped an unreadable event entry")
        cache.drop(key)
        return None
    errors = [InputError(source, problem) for source, problem in entry.skipped]
    return entry.summary, errors, entry.usage.requests + entry.usage.cache_hits


def save_event(cache: ResponseCache, key: str, summary: Summary,
               input_errors: list[InputError]) -> None:
    """Store an event's summary, its usage and the inputs it skipped."""
    entry = _EventEntry(summary=summary, usage=summary.usage,
                        skipped=[(e.source, e.problem) for e in input_errors])
    cache.set_text(key, entry.model_dump_json())
