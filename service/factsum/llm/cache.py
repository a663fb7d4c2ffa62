"""Response cache on diskcache: JSON text only, pickles refused, private, self-healing.

* ``diskcache.Cache`` (waits on locks), not ``FanoutCache`` (drops writes under load).
* Values are JSON text. ``_JsonTextDisk`` refuses to store anything else and refuses to
  *read* pickled rows or pickled keys: unpickling a directory someone else could write
  is code execution.
* The directory is created 0o700 and ``cache.db`` 0o600 before SQLite opens it (SQLite
  gives its -wal/-shm files the database file's mode).
* A corrupted directory is renamed aside with a timestamp and rebuilt, with one warning.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import diskcache

from factsum.errors import CacheError
from factsum.llm.base import ChatResult
from factsum.errors import UnsafeCacheRowError

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


WRITE_DELAY_S = 0.05
"""How long an answer stored from an event loop may wait to be written with the others
that arrive meanwhile (one SQLite transaction for all of them)."""


class ResponseCache:
    """Chat results keyed by ``cache_key``; thread-safe; survives a corrupted directory.

    Writes made from a running event loop are grouped: the first one schedules a write
    ``write_delay_s`` later, and every entry stored until then goes into the same
    transaction (a commit per answer cost more than the rest of the answer's handling).
    Until written, entries are served from memory; ``flush`` and ``close`` write them at
    once. At most ``write_delay_s`` of answers can be lost to a crash (a kill -9), and
    those are asked again on the rerun. Writes from outside an event loop are immediate.
    """

    def __init__(self, directory: Path, *, write_delay_s: float = WRITE_DELAY_S) -> None:
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._cache = self._open()
        self._write_delay_s = write_delay_s
        self._pending: dict[str, str] = {}
        self._pending_lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._scheduled: asyncio.TimerHandle | None = None
        self._scheduled_loop: asyncio.AbstractEventLoop | None = None
        # A cache left open at exit still writes what is waiting.
        atexit.register(_flush_at_exit, weakref.ref(self))

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
            self._call(lambda c: c.delete(key))
            return None

    def get_text(self, key: str) -> str | None:
        """The JSON text stored under ``key``, or None (also for refused rows)."""
        if self._pending:
            with self._pending_lock:
                waiting = self._pending.get(key)
            if waiting is not None:
                return waiting
        cache = self._cache
        try:
            text = cache.get(key)
        except UnsafeCacheRowError as exc:
            log.warning("cache: refused an unsafe row (%s); deleting it", exc)
            self._call(lambda c: c.delete(key))
            return None
        except (sqlite3.DatabaseError, diskcache.Timeout) as exc:
            self._handle(exc, cache)
            return None
        return text if isinstance(text, str) else None

    def set_text(self, key: str, text: str) -> bool:
        """Store JSON text under ``key`` (see the class: maybe a moment later); returns
        whether it was stored or queued."""
        loop = _running_loop()
        if loop is None or self._write_delay_s <= 0:
            return self._write({key: text})
        with self._pending_lock:
            self._pending[key] = text
            if self._scheduled is None or self._scheduled_loop is not loop:
                # (A write scheduled on an earlier loop may never run: that loop is gone.)
                if self._scheduled is not None:
                    self._scheduled.cancel()
                self._scheduled = loop.call_later(self._write_delay_s, self.flush)
                self._scheduled_loop = loop
        return True

    def flush(self) -> bool:
        """Write the entries waiting in memory now; returns whether all were written."""
        with self._flush_lock:
            with self._pending_lock:
                batch = dict(self._pending)
                scheduled, self._scheduled = self._scheduled, None
                self._scheduled_loop = None
            if scheduled is not None:
                scheduled.cancel()
            if not batch:
                return True
            written = self._write(batch)
            with self._pending_lock:  # served from memory until on disk, then forgotten
                for key, text in batch.items():
                    if self._pending.get(key) is text:
                        del self._pending[key]
            return written

    def drop(self, key: str) -> None:
        """Forget ``key`` (an entry its reader could not use)."""
        with self._pending_lock:
            self._pending.pop(key, None)
        self._call(lambda c: c.delete(key))

    def set(self, key: str, result: ChatResult) -> bool:
        """Store ``result`` if cacheable; returns whether it was stored."""
        if not is_cacheable(result):
            return False
        # Not dataclasses.asdict: it deep-copies every field, and the fields are plain.
        row = {f.name: getattr(result, f.name) for f in fields(result)}
        return self.set_text(key, json.dumps(row, ensure_ascii=False))

    def stats(self) -> CacheStats:
        """Entry count, bytes on disk, directory."""
        self.flush()
        entries: int = self._call(len) or 0
        size = sum(p.stat().st_size for p in self.directory.rglob("*") if p.is_file())
        return CacheStats(entries=entries, size_bytes=size, directory=self.directory)

    def clear(self) -> int:
        """Remove every entry; returns how many were removed."""
        self.flush()
        removed: int = self._call(lambda c: c.clear()) or 0
        return removed

    def close(self) -> None:
        """Write what is waiting, then close the SQLite connections (the cache can be
        reopened by using it)."""
        self.flush()
        self._cache.close()

    # ------------------------------------------------------------------ internals

    def _write(self, entries: Mapping[str, str]) -> bool:
        """Store ``entries`` in one transaction."""
        def write(cache: Any) -> bool:
            if len(entries) == 1:
                [(key, text)] = entries.items()
                return bool(cache.set(key, text))
            with cache.transact():
                for key, text in entries.items():
                    cache.set(key, text)
            return True
        return self._call(write) is not None

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
        db = self.directory / "cache.db"
        # Create the database file private *before* SQLite opens it.
        fd = os.open(db, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
        for path in self.directory.iterdir():
            if path.is_file():
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
        return target

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


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _flush_at_exit(ref: weakref.ReferenceType[ResponseCache]) -> None:
    cache = ref()
    if cache is not None:
        with contextlib.suppress(Exception):  # exiting: a cache that cannot write is moot
            cache.flush()
