"""Batch run state: fingerprints, per-event state files, the run lock, stale temp files.

Everything lives in ``OUT_DIR/.factsum/`` (0700; files 0600): the state of an event is
written *after* its outputs, so a state file always describes outputs that exist in full.
An event is skipped on a re-run when its fingerprint is unchanged and its outputs exist.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import filelock

from factsum.digests import name_bytes
from factsum.errors import BatchLockedError
from factsum.llm.cache import canonical_digest
from factsum.outputs import write_atomic
from factsum.pipeline.fingerprint import answer_settings
from factsum.settings import Settings
from factsum.version import __version__

STATE_FORMAT = 1
META_DIRNAME = ".factsum"
OUTPUT_FILES = ("summary.md", "summary.json")

log = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it 0700, even if it existed more open."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[Path]:
    """Hold OUT_DIR's lock for the run, or raise ``BatchLockedError`` at once.

    An OS file lock (flock): the kernel releases it when the process dies, kill -9
    included, so a crashed run never blocks the next one.
    """
    lock_path = private_dir(out_dir / META_DIRNAME) / "batch.lock"
    lock = filelock.FileLock(lock_path, mode=0o600, blocking=False)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise BatchLockedError(out_dir, lock_path) from None
    try:
        yield lock_path
    finally:
        lock.release()


def event_fingerprint(
    *,
    event_id: str,
    inputs: str,
    language: str,
    created: str | None,
    settings: Settings,
    prompt_versions: Mapping[str, str],
) -> str:
    """sha256 of everything that decides an event's outputs.

    ``inputs`` is the digest of the article inputs; ``created`` is the explicit --created
    date or None (a default "today" must not make every nightly run redo every event).
    The event id enters as its bytes (a folder name need not be UTF-8).
    """
    return canonical_digest({
        "format": STATE_FORMAT,
        "event_id": name_bytes(event_id).hex(),
        "inputs": inputs,
        "language": language,
        "created": created,
        "prompts": dict(sorted(prompt_versions.items())),
        "settings": answer_settings(settings),
        "factsum": __version__,
    })


class StateStore:
    """``OUT_DIR/.factsum/state/<folder>.json``: what was finished, with which fingerprint."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.directory = private_dir(out_dir / META_DIRNAME / "state")

    def path(self, dirname: str) -> Path:
        """The state file of the event written to ``OUT_DIR/<dirname>``."""
        return self.directory / f"{dirname}.json"

    def load(self, dirname: str) -> dict[str, Any] | None:
        """The stored state, or None when missing or unreadable (the event then re-runs)."""
        try:
            data = json.loads(self.path(dirname).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == STATE_FORMAT else None

    def current(self, dirname: str, fingerprint: str) -> dict[str, Any] | None:
        """The state when the event is finished with this fingerprint and its outputs exist."""
        state = self.load(dirname)
        if state is None or state.get("fingerprint") != fingerprint:
            return None
        folder = self.out_dir / dirname
        if folder.is_symlink() or not all((folder / n).is_file() for n in OUTPUT_FILES):
            return None
        return state

    def forget(self, dirname: str) -> None:
        """Remove the event's state (its outputs are about to change)."""
        self.path(dirname).unlink(missing_ok=True)

    def save(self, dirname: str, state: Mapping[str, Any]) -> None:
        """Record a finished event (atomically, private to the user)."""
        data = {"format": STATE_FORMAT, **state}
        write_atomic(self.path(dirname), json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                     mode=0o600)


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files that a killed ``write_atomic`` left behind (``.NAME.xxxx.tmp``).

    Only called while holding the run lock, so no other writer can own them.
    """
    removed = 0
    with contextlib.suppress(OSError):
        for path in folder.glob(".*.tmp"):
            if path.is_file() and not path.is_symlink():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
    if removed:
        log.info("removed %d unfinished temp file(s) in %s", removed, folder)
    return removed
