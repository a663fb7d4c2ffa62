"""Fingerprints of an event's inputs and of the settings that shape its answers.

Shared by the nightly job (skip an event whose fingerprint is unchanged) and the
pipeline's event cache (a rerun of unchanged input repeats no stage at all).

Digests are ``factsum.llm.cache.canonical_digest`` (sha256 of canonical JSON) over
material that is always valid UTF-8: file names enter as the hex of their bytes
(``os.fsencode``), so a name that is not UTF-8 (``caf\\xe9.txt``) hashes like any other,
and texts enter as the sha256 of their UTF-8 bytes (lone surrogates passed through).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from factsum.digests import file_sha256, name_bytes
from factsum.ingest.readers import (
    DEFAULT_MAX_BYTES,
    NamedBytes,
    folder_entries,
    input_list,
    skip_reason,
)
from factsum.llm.cache import canonical_digest
from factsum.settings import Settings
from factsum.version import __version__

# Settings that change a model's answer or the rendered output; concurrency, timeouts,
# retries, budget and cache location do not, so changing them never re-runs an event.
ANSWER_SETTINGS = frozenset({
    "model", "structured_mode", "temperature", "seed", "max_tokens",
    "max_sentences_per_article", "max_reasks",
})


def answer_settings(settings: Settings) -> dict[str, Any]:
    """The part of ``settings`` that decides what the model answers and what is rendered."""
    return settings.model_dump(mode="json", include=set(ANSWER_SETTINGS))


def inputs_digest(items: Sequence[object] | object) -> str | None:
    """sha256 over the names and contents of an event's article inputs.

    Files are hashed only where ingest reads them: a folder's article files, not its
    sub-folders, hidden files, non-article files, symlinks leading out of it, or files
    over the size limit (those enter by name and reason; ``stat`` is all they cost, so a
    3 GB video beside an article is never read). A missing or unreadable input hashes
    as such, so fixing it changes the digest. None when an input cannot be fingerprinted
    by content (an arbitrary object). Raises ``TypeError`` like ingest for a non-list.
    """
    described: list[object] = []
    for item in input_list(items):
        entry = _describe(item)
        if entry is None:
            return None
        described.append(entry)
    return canonical_digest(described)


def event_cache_key(items: Sequence[object], *, settings: Settings, language: str,
                    created: str, prompt_versions: Mapping[str, str]) -> str | None:
    """Cache key of a whole event's summary, or None when the inputs cannot be hashed."""
    digest = inputs_digest(items)
    if digest is None:
        return None
    return "event:" + canonical_digest({
        "inputs": digest, "language": language, "created": created,
        "prompts": dict(sorted(prompt_versions.items())),
        "settings": answer_settings(settings), "factsum": __version__,
    })


def _text_digest(text: str) -> str:
    # surrogatepass: a lone surrogate (a JSON "\ud800" escape) is hashed, not a crash.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _describe(item: object) -> object | None:
    if isinstance(item, Mapping):
        # Record values may be of any type (default=str) and hold lone surrogates
        # (ensure_ascii escapes them): the record's own canonical JSON, then its digest.
        record = json.dumps({str(k): v for k, v in item.items()}, sort_keys=True,
                            ensure_ascii=True, default=str)
        return ["record", _text_digest(record)]
    if isinstance(item, str):
        return ["text", _text_digest(item)]
    if isinstance(item, bytes):
        return ["bytes", hashlib.sha256(item).hexdigest()]
    if isinstance(item, NamedBytes):
        return ["bytes", name_bytes(item.source).hex(), hashlib.sha256(item.data).hexdigest()]
    if not isinstance(item, os.PathLike):
        return None  # an object with a .text attribute: its repr need not show its text
    path = Path(item)
    name = name_bytes(path.name).hex()
    try:
        if path.is_dir():
            return ["dir", name, [
                [name_bytes(e.path.name).hex(), e.skipped or file_sha256(e.path)]
                for e in folder_entries(path, DEFAULT_MAX_BYTES)
            ]]
        if skipped := skip_reason(path, DEFAULT_MAX_BYTES):
            return ["skipped", name, skipped]
        return ["file", name, file_sha256(path)]
    except (OSError, ValueError) as exc:
        return ["unreadable", name, getattr(exc, "strerror", None) or type(exc).__name__]
