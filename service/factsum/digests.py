"""Bytes for digests: a file's sha256 read in chunks, a name's bytes.

Canonical JSON digests live in ``factsum.llm.cache.canonical_digest``; this module holds
what goes into them.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def file_sha256(path: Path, chunk_bytes: int = 8 << 20) -> str:
    """Hex sha256 of ``path``'s bytes; memory stays at one chunk whatever the size."""
    h = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_bytes):
            h.update(chunk)
    return h.hexdigest()


def name_bytes(name: str) -> bytes:
    """The bytes of a file name or id, for a key or digest.

    A file name is its bytes on disk (``os.fsencode``: undecodable bytes come back as
    they were), so ``caf\\xe9.txt`` and ``café.txt`` differ. A name that is no file
    name (an id from JSON holding a lone surrogate) is encoded with ``surrogatepass``,
    which never fails and keeps distinct names distinct.
    """
    try:
        return os.fsencode(name)
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogatepass")
