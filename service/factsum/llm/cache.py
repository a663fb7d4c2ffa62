"""Response cache on diskcache: JSON text only, pickles refused, private, self-healing.

* ``diskcache.Cache`` (waits on locks), not ``FanoutCache`` (drops writes under load).
* Values are JSON text. ``_JsonTextDisk`` refuses to store anything else and refuses to
  *read* pickled rows or pickled keys: unpickling a directory someone else could write
  is code execution.
* Every ``set`` is written at once (one SQLite commit): an answer stored is on disk, and
  a killed run loses none of them.
* The directory is created 0o700 and ``cache.db`` 0o600 before SQLite opens it (SQLite
  gives its -wal/-shm files the database file's mode). A symbolic link planted in place
  of ``cache.db`` (or its -wal/-shm files) is removed with a warning, never followed: the
  link's target keeps its mode and content. A link in place of the directory itself is
  followed (pointing the cache at another disk is a user's choice).
* A corrupted directory is renamed aside (``<name>.corrupt-<time>``) and rebuilt, with
  one warning. The newest ``KEEP_CORRUPT`` such copies are kept for inspection, older ones
  deleted; ``clear`` deletes them all.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from factsum.errors import CacheError, UnsafeCacheRowError
from factsum.llm.base import ChatResult

CACHE_FORMAT = 2
"""Part of every key: bump it when the stored shape or the key recipe changes."""

log = logging.getLogger(__name__)

R = TypeVar("R")

# SQLITE_CORRUPT and SQLITE_NOTADB: the only errors that justify moving a directory aside.
# "database is locked" or "disk is full" are also DatabaseErrors, but the cache is fine.
_CORRUPTION_CODES = frozenset({11, 26})

# Everything fits in the database row: no value files to protect or to clean up.
_MIN_FILE_SIZE = 2**30


class _JsonTextDisk(diskcache.Disk):  # type: ignore[misc]
    """A diskcache ``Disk`` that stores and returns ``str`` only and never unpickles."""

    def put(self, key: object) -> tuple[object, bool]:
        if type(key) is not str:
            raise TypeError("cache keys must be str")
        return super().put(key)  # type: ignore[no-any-return]

    def get(self, key: object, raw: bool) -> object:
        if not raw:
            raise UnsafeCacheRowError("pickled key refused")
        return super().get(key, raw)

    def store(self, value: object, read: bool, key: object = diskcache.UNKNOWN) -> object:
        if read or type(value) is not str:
            raise TypeError("cache values must be JSON text (str)")
        return super().store(value, read, key=key)

    def fetch(self, mode: int, filename: str | None, value: object, read: bool) -> object:
        if read or mode not in (diskcache.core.MODE_RAW, diskcache.core.MODE_TEXT):
            raise UnsafeCacheRowError(f"row with storage mode {mode} refused")
        data = super().fetch(mode, filename, value, read)
        if not isinstance(data, str):
            raise UnsafeCacheRowError("non-text row refused")
        return data


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return (code & 0xFF) in _CORRUPTION_CODES
    return not isinstance(exc, sqlite3.OperationalError)


def canonical_digest(value: object) -> str:
    """sha256 of ``value``'s canonical JSON (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def cache_key(payload: Mapping[str, Any], prompt_version: str, *,
              format_digest: str | None = None) -> str:
    """sha256 of the canonical JSON of everything that changes the answer.

    ``payload`` is the request body (model, messages, response_format, temperature,
    seed, max_tokens); credentials and URLs never enter it. The response format (the
    JSON Schema, the largest and most nested part) enters as its own digest, which a
    caller that sends the same format many times passes in as ``format_digest``
    (``canonical_digest(payload["response_format"])``) instead of having it recomputed.
    """
    fmt = payload.get("response_format")
    if format_digest is None and fmt is not None:
        format_digest = canonical_digest(fmt)
    material = {"format": CACHE_FORMAT, "prompt_version": prompt_version,
                "payload": {**payload, "response_format": format_digest}}
    return canonical_digest(material)


def is_cacheable(result: ChatResult) -> bool:
    """Truncated and refused answers are never cached: a rerun must ask again."""
    return result.finish_reason != "length" and not result.refusal and result.content is not None


@dataclass(frozen=True)
class CacheStats:
    """What ``factsum cache stats`` shows."""

    entries: int
    size_bytes: int
    directory: Path


KEEP_CORRUPT = 3
"""How many moved-aside corrupted copies of a cache directory are kept for inspection."""

# The files SQLite opens (and that are made private): a link in their place is removed.
_SQLITE_FILES = ("cache.db", "cache.db-wal", "cache.db-shm")


class ResponseCache:
    """Chat results keyed by ``cache_key``; thread-safe; survives a corrupted directory.

    Writes are immediate: ``set`` returns once the entry is committed.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()  # one rebuild at a time
        self._cache = self._open()

    # ------------------------------------------------------------------ public

    def get(self, key: str) -> ChatResult | None:
        """The cached result, or None (also for refused or unreadable rows)."""
        text = self.get_text(key)
        if text is None:
            return None
        try:
            data = json.loads(text)
            return ChatResult(**data)
        except (TypeError, ValueError):
            log.warning("cache: dropped an unreadable entry")
            self.drop(key)
            return None

    def get_text(self, key: str) -> str | None:
        """The JSON text stored under ``key``, or None (also for refused rows)."""
        cache = self._cache
        try:
            text = cache.get(key)
        except UnsafeCacheRowError as exc:
            log.warning("cache: refused an unsafe row (%s); deleting it", exc)
            self.drop(key)
            return None
        except (sqlite3.DatabaseError, diskcache.Timeout) as exc:
            self._handle(exc, cache)
            return None
        return text if isinstance(text, str) else None

    def set_text(self, key: str, text: str) -> bool:
        """Store JSON text under ``key`` now; returns whether it was stored."""
        return bool(self._call(lambda c: c.set(key, text)))

    def drop(self, key: str) -> None:
        """Forget ``key`` (an entry its reader could not use)."""
        self._call(lambda c: c.delete(key))

    def set(self, key: str, result: ChatResult) -> bool:
        """Store ``result`` if cacheable; returns whether it was stored."""
        if not is_cacheable(result):
            return False
        row = {f.name: getattr(result, f.name) for f in fields(result)}
        return self.set_text(key, json.dumps(row, ensure_ascii=False))

    def stats(self) -> CacheStats:
        """Entry count, bytes on disk, directory."""
        entries: int = self._call(len) or 0
        size = sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())
        return CacheStats(entries=entries, size_bytes=size, directory=self.directory)

    def clear(self) -> int:
        """Remove every entry and every moved-aside corrupted copy; returns how many
        entries were removed."""
        removed: int = self._call(lambda c: c.clear()) or 0
        self._prune_corrupt(keep=0)
        return removed

    def close(self) -> None:
        """Close the SQLite connections (the cache can be reopened by using it)."""
        self._cache.close()

    # ------------------------------------------------------------------ internals

    def _call(self, op: Callable[[Any], R]) -> R | None:
        """Run ``op(cache)``; None when the cache cannot serve it (the run goes on).

        On corruption the directory is rebuilt and ``op`` tried once more.
        """
        cache = self._cache
        try:
            return op(cache)
        except (sqlite3.DatabaseError, diskcache.Timeout) as exc:
            if not self._handle(exc, cache):
                return None
        try:
            return op(self._cache)
        except (sqlite3.DatabaseError, diskcache.Timeout) as exc:
            log.warning("cache: operation skipped (%s)", exc)
            return None

    def _handle(self, exc: Exception, cache: Any) -> bool:
        """Rebuild on corruption (returns True); otherwise warn and skip (False)."""
        if isinstance(exc, sqlite3.DatabaseError) and _is_corruption(exc):
            self._recover(exc, cache)
            return True
        log.warning("cache: operation skipped (%s: %s)", type(exc).__name__, exc)
        return False

    def _prepare_directory(self) -> None:
        # mkdir(parents=True) applies the mode to the last folder only; the cache root
        # (FACTSUM_CACHE_DIR) holds models and batch state too, so make it private first.
        self.directory.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.chmod(self.directory, 0o700)  # an existing directory may be too open
        except OSError as exc:
            log.warning("cache: cannot make %s private: %s", self.directory, exc.strerror)
        for name in _SQLITE_FILES:
            path = self.directory / name
            if path.is_symlink():
                # chmod and SQLite would follow it: to a file someone wants opened up or
                # written (a dangling link would even be created). Remove the link only.
                log.warning("cache: %s was a symbolic link; removed it (its target is "
                            "untouched) and started a new private file", path)
                path.unlink()
        # Create the database file private *before* SQLite opens it. O_NOFOLLOW: a link
        # planted since the check above fails the open instead of being followed.
        fd = os.open(self.directory / "cache.db", os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW,
                     0o600)
        try:
            os.fchmod(fd, 0o600)  # an existing file may be too open
        finally:
            os.close(fd)
        for path in self.directory.iterdir():
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o600)

    def _open(self) -> diskcache.Cache:
        try:
            try:
                self._prepare_directory()
                return self._new_cache()
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
                    raise
                self._move_aside(exc)
                self._prepare_directory()
                return self._new_cache()
        except (OSError, sqlite3.Error, diskcache.Timeout) as exc:
            raise CacheError(f"cache directory {self.directory} is unusable: {exc}") from None

    def _new_cache(self) -> diskcache.Cache:
        # cull_limit=0: a write does not check the size limit (two more queries per
        # answer stored); the cache is trimmed to the limit once, here, per opening.
        cache = diskcache.Cache(
            str(self.directory), disk=_JsonTextDisk, disk_min_file_size=_MIN_FILE_SIZE,
            cull_limit=0,
        )
        # Force a read so a corrupted file fails here, not in the middle of a run.
        len(cache)
        with contextlib.suppress(diskcache.Timeout):  # busy elsewhere: trim next time
            cache.cull()
        return cache

    def _move_aside(self, exc: BaseException) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.directory.with_name(f"{self.directory.name}.corrupt-{stamp}")
        n = 1
        while target.exists():
            n += 1
            target = self.directory.with_name(f"{self.directory.name}.corrupt-{stamp}-{n}")
        self.directory.rename(target)
        log.warning(
            "cache: %s was unreadable (%s); moved to %s and rebuilt",
            self.directory, type(exc).__name__, target.name,
        )
        self._prune_corrupt(keep=KEEP_CORRUPT)
        return target

    def _corrupt_copies(self) -> list[Path]:
        """The moved-aside copies of this directory, oldest first."""
        name = re.escape(self.directory.name)
        pattern = re.compile(name + r"\.corrupt-(\d{8}-\d{6})(?:-(\d+))?")
        found: list[tuple[str, int, Path]] = []
        with contextlib.suppress(OSError):
            for path in self.directory.parent.iterdir():
                match = pattern.fullmatch(path.name)
                if match and path.is_dir() and not path.is_symlink():
                    found.append((match[1], int(match[2] or 1), path))
        return [path for *_, path in sorted(found)]

    def _prune_corrupt(self, *, keep: int) -> None:
        """Delete all but the newest ``keep`` corrupted copies."""
        copies = self._corrupt_copies()
        for path in copies[: max(len(copies) - keep, 0)]:
            try:
                shutil.rmtree(path)
            except OSError as exc:
                log.warning("cache: cannot remove %s: %s", path, exc.strerror or exc)

    def _recover(self, exc: BaseException, failed: Any) -> None:
        with self._lock:
            if self._cache is not failed:
                return  # another thread already rebuilt it
            with contextlib.suppress(sqlite3.Error):
                self._cache.close()
            if self.directory.exists():
                self._move_aside(exc)
            self._prepare_directory()
            self._cache = self._new_cache()
