"""Fingerprints of an event's inputs and of the settings that shape its answers.

Shared by the nightly job (skip an event whose fingerprint is unchanged) and the
pipeline's event cache (a rerun of unchanged input repeats no stage at all).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from factsum.version import __version__
from factsum.digests import file_sha256
from factsum.ingest.readers import looks_like_path
from factsum.settings import Settings

# Settings that change a model's answer or the rendered output; concurrency, timeouts,
# retries, budget and cache location do not, so changing them never re-runs an event.
ANSWER_SETTINGS = frozenset({
    "model", "structured_mode", "temperature", "seed", "max_tokens", "max_claims_per_chunk",
    "chunk_chars", "context_budget_tokens", "max_reasks",
})


def answer_settings(settings: Settings) -> dict[str, Any]:
    """The part of ``settings`` that decides what the model answers and what is rendered."""
    return settings.model_dump(mode="json", include=set(ANSWER_SETTINGS))


def inputs_digest(items: Sequence[object]) -> str | None:
    """sha256 over the names and contents of an event's article inputs.

    Folders are hashed the way ingest reads them: their non-hidden files, not recursing.
    A missing or unreadable input hashes as such, so fixing it changes the digest.
    None when an input cannot be fingerprinted by content (an arbitrary object).
    """
    h = hashlib.sha256()
    for item in items:
        described = _describe(item)
        if described is None:
            return None
        h.update(json.dumps(described, sort_keys=True, ensure_ascii=False,
                            default=str).encode())
        h.update(b"\n")
    return h.hexdigest()


def event_cache_key(items: Sequence[object], *, settings: Settings, language: str,
                    created: str, prompt_versions: Mapping[str, str]) -> str | None:
    """Cache key of a whole event's summary, or None when the inputs cannot be hashed."""
    digest = inputs_digest(items)
    if digest is None:
        return None
    material = {
        "inputs": digest, "language": language, "created": created,
        "prompts": dict(sorted(prompt_versions.items())),
        "settings": answer_settings(settings), "factsum": __version__,
    }
    canonical = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "event:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _describe(item: object) -> object | None:
    if isinstance(item, Mapping):
        return ["record", {str(k): v for k, v in item.items()}]
    if isinstance(item, str):
        if not looks_like_path(item):
            return ["text", item]
        item = Path(item)
    if isinstance(item, os.PathLike):
        item = Path(item)
    else:
        return None  # an object with a .text attribute: its repr need not show its text
    try:
        if item.is_dir():
            files = sorted(p for p in item.iterdir() if not p.name.startswith(".") and p.is_file())
            return ["dir", item.name, [[p.name, file_sha256(p)] for p in files]]
        if not item.exists():
            return ["missing", item.name]
        return ["file", item.name, file_sha256(item)]
    except OSError as exc:
        return ["unreadable", item.name, exc.strerror or type(exc).__name__]
