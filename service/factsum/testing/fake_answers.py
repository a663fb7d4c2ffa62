"""Deterministic, schema-valid answers built from a chat-completion payload.

These are test fixtures, not model output: they stand in for a model where the test is
about the code around it (validation, sentence ids, checks, grouping, caching).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_SENTENCE_RE = re.compile(r"<<<SENTENCE (\w+)>>>\n(.*?)\n<<<END \1>>>", re.DOTALL)
_FIRST_RE = re.compile(r"<<<A (\w+)>>>\n(.*?)\n<<<END \1>>>", re.DOTALL)


def request_kind(payload: Mapping[str, Any]) -> str:
    """'extract' for a request that carries a sentence to restate, 'shared' for one
    that compares two statements, else 'unknown'."""
    text = _user_text(payload)
    if _SENTENCE_RE.search(text):
        return "extract"
    return "shared" if _FIRST_RE.search(text) else "unknown"


def _user_text(payload: Mapping[str, Any]) -> str:
    messages: Sequence[Mapping[str, str]] = payload.get("messages", [])
    users = [m["content"] for m in messages if m.get("role") == "user"]
    return users[0] if users else ""


def sentence_text(payload: Mapping[str, Any]) -> str:
    """The sentence between the markers of an extraction prompt."""
    m = _SENTENCE_RE.search(_user_text(payload))
    return m.group(2) if m else ""


def extraction_answer(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The sentence "restated" as itself: the identity translation, which passes every
    check in code, so tests see the pipeline's behaviour, not a model's."""
    return {"t": sentence_text(payload)}


def shared_fact_answer(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Sentence A as the fact both report: a fixed answer that the checks in code then
    accept or refuse, so tests see the merging rules, not a model's."""
    m = _FIRST_RE.search(_user_text(payload))
    return {"fact": m.group(2) if m else ""}


def answer_for(payload: Mapping[str, Any]) -> str:
    """The JSON text a well-behaved model would return for ``payload``."""
    kind = request_kind(payload)
    if kind == "extract":
        return json.dumps(extraction_answer(payload), ensure_ascii=False)
    if kind == "shared":
        return json.dumps(shared_fact_answer(payload), ensure_ascii=False)
    return "{}"


def count_tokens(text: str) -> int:
    """Token count the fakes report: one per whitespace-separated word (deterministic)."""
    return len(text.split())


def is_reask(payload: Mapping[str, Any]) -> bool:
    """True for a re-ask: the conversation already holds an assistant answer."""
    messages: Sequence[Mapping[str, str]] = payload.get("messages", [])
    return any(m.get("role") == "assistant" for m in messages)


def payload_prompt_tokens(payload: Mapping[str, Any]) -> int:
    """Prompt tokens the fake server reports: the messages plus the response_format
    (a real server counts the schema it is given as prompt too)."""
    messages: Sequence[Mapping[str, str]] = payload.get("messages", [])
    tokens = sum(count_tokens(str(m.get("content", ""))) for m in messages)
    fmt = payload.get("response_format")
    if fmt is not None:
        tokens += count_tokens(json.dumps(fmt, ensure_ascii=False))
    return tokens
