"""Deterministic, schema-valid answers built from a chat-completion payload.

These are test fixtures, not model output: they stand in for a model where the test is
about the code around it (validation, quote location, reconcile id checks, caching).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

_ARTICLE_RE = re.compile(r"<<<ARTICLE (\w+)>>>\n(.*?)\n<<<END \1>>>", re.DOTALL)
_CLAIMS_RE = re.compile(r"<<<CLAIMS (\w+)>>>\n(.*?)\n<<<END \1>>>", re.DOTALL)
_SENTENCE_RE = re.compile(r"[^.!?\n]{20,}?[.!?](?=\s|$)")
_NUMBER_RE = re.compile(r"\b(\d{1,4})\b")


def request_kind(payload: Mapping[str, Any]) -> str:
    """'extract', 'reconcile' or 'unknown', from the data markers in the prompt."""
    text = _user_text(payload)
    if _ARTICLE_RE.search(text):
        return "extract"
    if _CLAIMS_RE.search(text):
        return "reconcile"
    return "unknown"


def _user_text(payload: Mapping[str, Any]) -> str:
    messages: Sequence[Mapping[str, str]] = payload.get("messages", [])
    users = [m["content"] for m in messages if m.get("role") == "user"]
    return users[0] if users else ""


def article_text(payload: Mapping[str, Any]) -> str:
    """The article between the markers of an extraction prompt."""
    m = _ARTICLE_RE.search(_user_text(payload))
    return m.group(2) if m else ""


def claim_lines(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The claim objects of a reconcile prompt."""
    m = _CLAIMS_RE.search(_user_text(payload))
    if not m:
        return []
    return [json.loads(line) for line in m.group(2).splitlines() if line.strip()]


def extraction_answer(payload: Mapping[str, Any], max_claims: int = 6) -> dict[str, Any]:
    """Claims whose quotes are sentences of the article (so verification passes)."""
    sentences = [s.strip() for s in _SENTENCE_RE.findall(article_text(payload))]
    claims = []
    for sentence in sentences[:max_claims]:
        numbers = [int(n) for n in _NUMBER_RE.findall(sentence)][:1]
        claims.append({
            "statement": sentence[:120],
            "quote": sentence,
            "asserted_by": "the article",
            "quantities": [
                {"value": float(n), "high": None, "unit": "missiles", "qualifier": "exact"}
                for n in numbers
            ],
        })
    return {"claims": claims}


def reconcile_answer(payload: Mapping[str, Any], group_size: int = 3) -> dict[str, Any]:
    """Points grouping consecutive ids, with each group's first statement."""
    lines = claim_lines(payload)
    points = []
    for start in range(0, len(lines), group_size):
        chunk = lines[start:start + group_size]
        points.append({
            "statement": str(chunk[0]["statement"]),
            "claim_ids": [str(c["id"]) for c in chunk],
        })
    headline = str(lines[0]["statement"]) if lines else "Event"
    return {"headline": headline[:80], "points": points, "disputes": []}


def answer_for(payload: Mapping[str, Any]) -> str:
    """The JSON text a well-behaved model would return for ``payload``."""
    kind = request_kind(payload)
    if kind == "extract":
        return json.dumps(extraction_answer(payload), ensure_ascii=False)
    if kind == "reconcile":
        return json.dumps(reconcile_answer(payload), ensure_ascii=False)
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


def reconcile_answer_by_statement(payload: Mapping[str, Any]) -> dict[str, Any]:
    """Points grouping the ids whose statements are equal (ignoring case and spacing):
    a stand-in for a model that merges true duplicates only, so hierarchical rounds
    can converge."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in claim_lines(payload):
        key = " ".join(str(line["statement"]).casefold().split())
        groups.setdefault(key, []).append(line)
    points = [
        {"statement": str(members[0]["statement"]),
         "claim_ids": [str(m["id"]) for m in members]}
        for members in groups.values()
    ]
    headline = points[0]["statement"] if points else "Event"
    return {"headline": str(headline)[:80], "points": points, "disputes": []}
