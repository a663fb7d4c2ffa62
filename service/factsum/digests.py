"""sha256 of a file, read in chunks (inputs of an event, model weights)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path, chunk_bytes: int = 8 << 20) -> str:
    """Hex sha256 of ``path``'s bytes; memory stays at one chunk whatever the size."""
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()
