"""Batch inputs: finding the events of a run, naming their output folders, hashing inputs.

INPUT is a folder of event folders (one event per non-hidden sub-folder, its files are the
articles) or a JSONL manifest, one event per line::

    {"event_id": "...", "articles": ["a.txt", {"text": "...", "title": "..."}], ...}

Paths in a manifest are relative to the manifest and must stay inside its folder: a
manifest is often written by another program, and a path such as ``/home/me/.ssh/id_rsa``
would otherwise be sent to the model. Likewise an event folder that is a symlink leading
out of INPUT is not followed, and ingest follows no symlink that leads out of the folder
it reads. A line or folder that cannot be used becomes an event that fails with the
reason; it never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factsum.errors import ConfigError
from factsum.ingest.clean import without_surrogates
from factsum.ingest.readers import check_language_code

MANIFEST_SUFFIXES = frozenset({".jsonl", ".ndjson"})
MAX_DIRNAME = 64

# Names the run writes at the top of OUT_DIR, and names Windows cannot create: an event
# folder must never shadow the first nor trip over the second (reports are copied around).
_RESERVED = frozenset({"index.md", "run-report.json"})
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)}
)
_UNSAFE_RUN = re.compile(r"[^a-z0-9._-]+")
_SEPARATOR_RUN = re.compile(r"([._-])[._-]+")
_EDGE = "._-"


@dataclass
class EventSpec:
    """One event of a run: its id, its article inputs, and what is wrong with it if any."""

    event_id: str  # printable: undecodable bytes or lone surrogates shown as U+FFFD
    items: list[object] = field(default_factory=list)  # paths or {"text": ...} records
    language: str | None = None  # overrides the run's summary language
    metadata: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # set when the event cannot run (bad manifest line)
    raw_id: str | None = None  # the id as found, when event_id had to be made printable

    @property
    def dirname(self) -> str:
        """The event's folder under OUT_DIR (from the id as found: two ids that print
        alike still get two folders)."""
        return safe_dirname(self.raw_id or self.event_id)


def _spec(raw_id: str, **fields: Any) -> EventSpec:
    """An EventSpec whose ``event_id`` is printable and writable as UTF-8."""
    shown = without_surrogates(raw_id)
    return EventSpec(shown, raw_id=None if shown == raw_id else raw_id, **fields)


def safe_dirname(event_id: str) -> str:
    """A folder name for ``event_id`` that stays inside OUT_DIR.

    Lower-case ASCII letters, digits, ``.``, ``_`` and ``-`` only; never hidden, never
    ``..``, never a reserved or Windows device name, at most 64 characters. When the id
    had to be altered, ``-`` and 8 hex digits of its sha256 are appended so that two ids
    slugifying alike still get two folders.
    """
    ascii_text = unicodedata.normalize("NFKD", event_id).encode("ascii", "ignore").decode()
    slug = _UNSAFE_RUN.sub("-", ascii_text.lower())
    slug = _SEPARATOR_RUN.sub(r"\1", slug).strip(_EDGE)[:MAX_DIRNAME - 9].strip(_EDGE)
    reserved = slug in _RESERVED or slug.split(".")[0] in _WINDOWS_DEVICES
    if slug and slug == event_id and not reserved:
        return slug
    digest = hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug or 'event'}-{digest}"


def discover_events(source: Path, out_dir: Path) -> list[EventSpec]:
    """The events of INPUT (a folder of event folders or a JSONL manifest).

    Raises ``ConfigError`` (exit status 2) when INPUT is missing or holds no event.
    """
    if not source.exists():
        raise ConfigError(f"{source}: no such file or folder")
    if source.is_dir():
        events = _folder_events(source, out_dir)
    elif source.suffix.lower() in MANIFEST_SUFFIXES and source.is_file():
        events = list(_manifest_events(source))
    else:
        raise ConfigError(
            f"{source}: expected a folder of event folders or a .jsonl manifest"
        )
    if not events:
        raise ConfigError(f"{source}: no events found")
    return events


def _folder_events(folder: Path, out_dir: Path) -> list[EventSpec]:
    # Outputs inside INPUT would be read back as an event or as articles by the next run.
    if out_dir.resolve().is_relative_to(folder.resolve()):
        raise ConfigError(f"--out {out_dir}: must not be inside INPUT ({folder})")
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ConfigError(f"{folder}: unreadable folder ({exc.strerror})") from None
    root = folder.resolve()
    events = []
    for p in entries:
        if p.name.startswith(".") or not p.is_dir():  # hidden folders are never events
            continue
        if p.is_symlink() and not p.resolve().is_relative_to(root):
            events.append(_spec(p.name, problem=f"{without_surrogates(p.name)}: symlink "
                                "leading outside INPUT, not followed"))
        else:
            events.append(_spec(p.name, items=[p]))
    if not events and any(p.is_file() for p in entries):
        raise ConfigError(
            f"{folder}: holds files but no event folders (one event: use `factsum summarize`)"
        )
    return events


def _manifest_events(manifest: Path) -> Iterator[EventSpec]:
    base = manifest.parent.resolve()
    try:
        handle = manifest.open("r", encoding="utf-8-sig")
    except OSError as exc:
        raise ConfigError(f"{manifest}: unreadable ({exc.strerror})") from None
    with handle:
        try:
            name = without_surrogates(manifest.name)
            for lineno, line in enumerate(handle, start=1):
                if line.strip():
                    yield _manifest_event(line, f"{name}:{lineno}", base)
        except UnicodeDecodeError:
            raise ConfigError(f"{manifest}: not valid UTF-8") from None


def _manifest_event(line: str, where: str, base: Path) -> EventSpec:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return EventSpec(where, problem=f"{where}: invalid JSON ({exc.msg})")
    except ValueError:  # not a JSONDecodeError: an integer past the 4300-digit limit
        return EventSpec(where, problem=f"{where}: invalid JSON (a number is too long)")
    except RecursionError:  # "[[[[..." a few thousand levels deep
        return EventSpec(where, problem=f"{where}: invalid JSON (nested too deeply)")
    if not isinstance(record, dict):
        return EventSpec(where, problem=f"{where}: expected a JSON object")
    raw_id = record.get("event_id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int) or not str(raw_id).strip():
        return EventSpec(where, problem=f"{where}: missing or empty 'event_id'")
    try:
        event_id = str(raw_id)
    except ValueError:  # an int past Python's 4300-digit str() limit
        return EventSpec(where, problem=f"{where}: 'event_id' is too long")
    try:
        metadata = {without_surrogates(k): _printable(v) for k, v in record.items()
                    if k not in ("event_id", "articles", "language")}
    except RecursionError:
        return _spec(event_id, problem=f"{where}: metadata nested too deeply")
    spec = _spec(event_id, metadata=metadata)
    language = record.get("language")
    if language is not None:
        try:
            spec.language = check_language_code(language)
        except ValueError as exc:
            spec.problem = f"{where}: 'language': {exc}"
            return spec
    articles = record.get("articles")
    if not isinstance(articles, list) or not articles:
        spec.problem = f"{where}: 'articles' must be a non-empty list"
        return spec
    for n, entry in enumerate(articles):
        item = _manifest_article(entry, base)
        if isinstance(item, str):
            spec.problem = f"{where}: articles[{n}]: {item}"
            return spec
        spec.items.append(item)
    return spec


def _printable(value: object) -> object:
    """A JSON value with lone surrogates ("\\ud800" escapes) replaced, so the run report,
    written as UTF-8, can hold it."""
    if isinstance(value, str):
        return without_surrogates(value)
    if isinstance(value, list):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): _printable(v) for k, v in value.items()}
    return value


def _manifest_article(entry: object, base: Path) -> object:
    """A Path or a record for ingest, or a problem (str)."""
    if isinstance(entry, dict):
        if not isinstance(entry.get("text"), str):
            return "an article object needs a 'text' string"
        return entry
    if not isinstance(entry, str) or not entry.strip():
        return "expected a path or an object with 'text'"
    shown = repr(without_surrogates(entry)[:200])
    if "\x00" in entry:
        return f"{shown}: a path cannot hold a NUL character"
    relative = Path(entry)
    if relative.is_absolute():
        return f"{shown}: paths must be relative to the manifest"
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError, ValueError) as exc:  # RuntimeError: a symlink loop
        return f"{shown}: unreadable path ({getattr(exc, 'strerror', None) or exc})"
    if not target.is_relative_to(base):
        return f"{shown}: path leaves the manifest's folder"
    return target
