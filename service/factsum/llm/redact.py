"""Scrub secrets out of text before it reaches an exception, a log record or a file.

Servers echo keys back in error messages ("Incorrect API key provided: sk-..."), so every
message that came from the network passes through ``redact`` before factsum shows it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"

# Shapes of credentials worth hiding even when we do not know the exact value: OpenAI
# style keys, bearer tokens, and api-key/authorization header or query values.
_PATTERNS = (
    re.compile(r"\bsk-[A-Za-z0-9_\-*]{6,}"),
    re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=\-]{6,}"),
    re.compile(r"(?i)\b(api[-_]?key|authorization)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",;&]{4,}"),
    re.compile(r"(?<=://)[^/\s@]+:[^/\s@]+@"),  # user:password@ in a URL
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` with the given secrets and anything key-shaped replaced."""
    for secret in secrets:
        # Short placeholders ("not-needed", "") are not secrets and would mangle text.
        if secret and len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    text = _PATTERNS[0].sub(REDACTED, text)
    text = _PATTERNS[1].sub(f"Bearer {REDACTED}", text)
    text = _PATTERNS[2].sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _PATTERNS[3].sub(f"{REDACTED}@", text)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and truncate, so an error message stays one readable line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
