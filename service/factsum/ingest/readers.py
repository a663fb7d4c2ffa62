"""Ingest stage: turn files, folders, strings and records into clean ``Article`` objects.

Every input becomes either an ``Article`` or a one-line ``InputError`` naming it; one bad
input never stops the others. The cleaned text is what every later offset refers to, so
cleaning is deterministic (same input -> same text -> same id) and removes only page
furniture, never article content: the rules live in ``factsum.ingest.clean``, one small rule
each (``clean_text`` and friends are re-exported here for existing callers).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import py3langid
import trafilatura
from charset_normalizer import from_bytes

from factsum.errors import InputError, NoUsableInputError
from factsum.ingest.clean import (
    Cleaned,
    clean_text,
    guess_title,
    strip_markdown,
    without_surrogates,
)
from factsum.models import Article

DEFAULT_MAX_BYTES = 5_000_000
MIN_WORDS = 5
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
KNOWN_SUFFIXES = HTML_SUFFIXES | JSONL_SUFFIXES | MARKDOWN_SUFFIXES | {".txt"}

Format = Literal["text", "markdown", "html"]

__all__ = [
    "DEFAULT_MAX_BYTES", "MIN_WORDS", "Cleaned", "FolderEntry", "HtmlMeta", "NamedBytes",
    "RawArticle", "article_id", "build_article", "check_language_code", "clean_text",
    "count_words", "decode_bytes", "detect_language", "folder_entries", "guess_title",
    "html_to_text", "input_list", "iter_jsonl", "language_sample", "load_articles",
    "load_path", "skip_reason", "split_paragraph_chunks", "strip_markdown",
    "without_surrogates",
]


@dataclass(frozen=True, slots=True)
class RawArticle:
    """An input before cleaning: its text and the metadata the caller gave."""

    text: str
    source: str
    format: Format = "text"
    title: str | None = None
    outlets: tuple[str, ...] = ()
    url: str | None = None
    published: str | None = None
    where: str | None = None  # how messages name it (a path as given), if not ``source``

    @property
    def shown(self) -> str:
        """The name messages about this input use."""
        return self.where or self.source


@dataclass(frozen=True, slots=True)
class NamedBytes:
    """Bytes read from somewhere that is not a file (standard input), with the name
    messages give it. Decoded like a file's bytes."""

    data: bytes
    source: str


# ------------------------------------------------------------------------ public API


def input_list(items: object) -> list[object]:
    """``items`` as a list of inputs; a single input (text, path, bytes, record) is one.

    The contract: a ``str`` is article text, an ``os.PathLike`` (``pathlib.Path``) is a
    file or folder, ``bytes`` are a file's content, a mapping or an object with a
    ``text`` attribute is a record. Raises ``TypeError`` naming what was given for
    anything else (``None``, a number), instead of failing deep inside.
    """
    if isinstance(items, str | bytes | os.PathLike | Mapping | NamedBytes):
        return [items]
    if isinstance(getattr(items, "text", None), str):
        return [items]
    if isinstance(items, Iterable):
        return list(items)
    raise TypeError(
        "articles must be a list of article texts (str), files or folders (pathlib.Path) "
        f"or records (dicts with 'text'), not {type(items).__name__}"
    )


def load_articles(
    items: Iterable[object] | str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_words: int = MIN_WORDS,
    require_any: bool = False,
) -> tuple[list[Article], list[InputError]]:
    """Load articles from paths, raw strings, dicts or objects with a ``text`` attribute.

    Returns the articles (exact duplicates merged, first-seen order) and one
    ``InputError`` per rejected input. With ``require_any``, raises
    ``NoUsableInputError`` when no article is usable. See ``input_list`` for what each
    kind of item means (a ``str`` is always text, never a path).
    """
    merged: dict[str, Article] = {}
    errors: list[InputError] = []
    for n, item in enumerate(input_list(items), start=1):
        for raw in _raw_articles(item, n, max_bytes):
            if isinstance(raw, InputError):
                errors.append(raw)
                continue
            try:
                article = build_article(raw, min_words=min_words)
            except InputError as err:
                errors.append(err)
                continue
            _merge_into(merged, article)
    if require_any and not merged:
        raise NoUsableInputError(errors)
    return list(merged.values()), errors


def load_path(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    min_words: int = MIN_WORDS,
) -> tuple[list[Article], list[InputError]]:
    """Load one file or folder (folders: non-recursive, sorted by name)."""
    return load_articles([Path(path)], max_bytes=max_bytes, min_words=min_words)


def iter_jsonl(
    path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[RawArticle | InputError]:
    """Yield one ``RawArticle`` per JSON line, or an ``InputError`` naming ``file:line``.

    Each line is an object with ``text`` and optional ``title``, ``outlet``, ``url``,
    ``published``, ``id``. Lines are read one at a time, so the file may be large;
    ``max_bytes`` bounds each line.
    """
    path = Path(path)
    shown, name = _shown(path), _label(path)
    try:
        handle = _open_regular(path, max_bytes=None)
    except InputError as err:
        yield err
        return
    with handle:
        if kind := _binary_kind(handle.read(4096)):
            yield InputError(shown, f"binary file ({kind}), not JSON lines")
            return
        handle.seek(0)
        seen = 0
        for lineno, line in _bounded_lines(handle, max_bytes):
            where = f"{shown}:{lineno}"
            if line is None:
                yield InputError(where, f"line larger than {max_bytes} bytes")
                continue
            if not line.strip():
                continue
            seen += 1
            try:
                yield _raw_from_json_line(line, where, f"{name}:{lineno}", first=lineno == 1)
            except InputError as err:
                yield err
        if seen == 0:
            yield InputError(shown, "empty file (no JSON lines)")


def build_article(raw: RawArticle, *, min_words: int = MIN_WORDS) -> Article:
    """Clean one raw input into an ``Article``; raises ``InputError`` if it is unusable."""
    # Callers may build a RawArticle themselves: lone surrogates would crash the
    # hashing and every later write, so they are replaced here, not only at the readers.
    raw = _sanitised(raw)
    if "\x00" in raw.text:
        raise InputError(raw.shown, "binary content (NUL characters), not text")
    if not raw.text.strip():
        raise InputError(raw.shown, "empty (whitespace only)")
    title, outlets, url, published = raw.title, raw.outlets, raw.url, raw.published
    body = raw.text
    if raw.format == "html":
        try:
            body, meta = html_to_text(body)
        except Exception as err:  # a parser crash on one page must not stop the others
            raise InputError(raw.shown, f"unreadable HTML ({type(err).__name__})") from None
        if not body.strip():
            raise InputError(raw.shown, "no text found in the HTML page")
        title = title or meta.title
        outlets = outlets or ((meta.sitename,) if meta.sitename else ())
        url = url or meta.url
        published = published or meta.published
    elif raw.format == "markdown":
        body = strip_markdown(body)
    cleaned = clean_text(body)
    if not cleaned.text:
        raise InputError(raw.shown, "no article text left after removing page furniture")
    words = count_words(cleaned.text, stop_at=min_words)
    if words < min_words:
        noun = "word" if words == 1 else "words"
        raise InputError(
            raw.shown, f"too short to summarise ({words} {noun}, at least {min_words} needed)"
        )
    if not outlets and cleaned.outlet:
        outlets = (cleaned.outlet,)
    return Article(
        id=article_id(cleaned.text),
        text=cleaned.text,
        source=raw.source,
        outlets=list(outlets),
        title=title or guess_title(cleaned.text),
        url=_http_url(url),
        published=published,
        language=detect_language(cleaned.text),
    )


def _sanitised(raw: RawArticle) -> RawArticle:
    """``raw`` with lone surrogates replaced in every field (unchanged in the usual case)."""
    fields = (raw.text, raw.source, raw.title, raw.url, raw.published, raw.where,
              *raw.outlets)
    if all(f is None or f == without_surrogates(f) for f in fields):
        return raw

    def fix(value: str | None) -> str | None:
        return None if value is None else without_surrogates(value)

    return RawArticle(
        text=without_surrogates(raw.text), source=without_surrogates(raw.source),
        format=raw.format, title=fix(raw.title),
        outlets=tuple(without_surrogates(o) for o in raw.outlets),
        url=fix(raw.url), published=fix(raw.published), where=fix(raw.where),
    )


def article_id(text: str) -> str:
    """Stable id: the first 12 hex digits of the sha256 of the cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid), ``"und"`` without letters.

    py3langid always gives its best guess, also for a short or mixed text; one detector
    only (it is pure Python with numpy, so it installs everywhere, ARM included).
    """
    if not any(ch.isalpha() for ch in text):
        return "und"
    code, _score = py3langid.classify(language_sample(text))
    return str(code)


# ISO 639 (2 or 3 letters) with optional BCP 47 subtags: en, fr, yue, pt-BR, zh-Hant.
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def check_language_code(value: object) -> str:
    """``value`` when it is a language code (``en``, ``pt-BR``, ``zh-Hant``).

    The summary language goes into the prompt and into summary.json, so nothing else
    (a newline, a forged prompt marker) may pass. Raises ``ValueError`` otherwise.
    """
    if isinstance(value, str) and _LANGUAGE_CODE.fullmatch(value):
        return value
    shown = repr(value[:40]) if isinstance(value, str) else type(value).__name__
    raise ValueError(f"{shown} is not a language code (such as en, fr or pt-BR)")


def language_sample(text: str, window: int = 500) -> str:
    """Three windows of about ``window`` characters (start, middle, end), cut at spaces.

    Detection costs time in proportion to its input (about 0.2 ms per 1,000 characters)
    and 1,500 characters decide a language as well as 6,000 do. Taking the middle and
    the end too, not just the lead, keeps an English headline on a French article (or
    a long quotation) from deciding alone.
    """
    if len(text) <= 3 * window:
        return text
    middle = (len(text) - window) // 2
    # Drop the word each cut may have halved: a fragment is noise to a byte-gram model.
    head = text[:window].rsplit(" ", 1)[0]
    body = text[middle:middle + window].split(" ", 1)[-1].rsplit(" ", 1)[0]
    tail = text[-window:].split(" ", 1)[-1]
    return f"{head}\n{body}\n{tail}"


# Ideographs and kana are written without spaces: each one counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def count_words(text: str, *, stop_at: int | None = None) -> int:
    """Number of words (each CJK character counts as one), or ``stop_at`` once that
    many are found (enough to tell a usable article from a fragment, without reading it
    all)."""
    if stop_at is None:
        return len(_WORD.findall(text))
    return sum(1 for _ in itertools.islice(_WORD.finditer(text), stop_at))


def split_paragraph_chunks(text: str, max_chars: int) -> list[tuple[int, str]]:
    """Split ``text`` into chunks of at most ``max_chars``, as ``(offset, chunk)``.

    Cuts at paragraph breaks when possible, else at line breaks, sentence ends, spaces,
    and only as a last resort mid-word. ``text[offset:offset + len(chunk)] == chunk``.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    chunks: list[tuple[int, str]] = []
    pos = 0
    while pos < len(text):
        end = len(text) if len(text) - pos <= max_chars else _cut_point(text, pos, max_chars)
        piece = text[pos:end]
        stripped = piece.strip()
        if stripped:
            chunks.append((pos + len(piece) - len(piece.lstrip()), stripped))
        pos = end
    return chunks


_SENTENCE_END = re.compile(r"[.!?…»\"”)](?=\s)")


def _cut_point(text: str, pos: int, max_chars: int) -> int:
    """Best place to end a chunk that starts at ``pos`` (exclusive end)."""
    limit = pos + max_chars
    window = text[pos:limit]
    for sep in ("\n\n", "\n"):
        at = window.rfind(sep)
        if at > 0:
            return pos + at + len(sep)
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends:
        return pos + ends[-1]
    space = max(window.rfind(" "), window.rfind("\t"))
    return pos + space + 1 if space > 0 else limit


# ------------------------------------------------------------------------ inputs


def _raw_articles(item: object, n: int, max_bytes: int) -> Iterator[RawArticle | InputError]:
    """Dispatch one input item to the reader for its kind."""
    if isinstance(item, os.PathLike):
        yield from _read_path(Path(item), max_bytes)
        return
    label = f"item-{n}"
    if isinstance(item, str) and _looks_like_a_path(item):
        yield InputError(label, f"{without_surrogates(item)[:80]!r} looks like a path, but a "
                                "string is article text: pass pathlib.Path(...) to read a "
                                "file or folder")
        return
    try:
        raw = _raw_from_item(item, label, max_bytes)
    except InputError as err:
        yield err
        return
    yield from _checked(raw, max_bytes)


def _looks_like_a_path(text: str) -> bool:
    """One token naming a file or folder (``seeds/``, ``a.txt``): surely not an article.

    Only used to explain a rejection: such a string is never read as a path.
    """
    if not text or len(text) > 1024 or any(ch.isspace() for ch in text):
        return False
    return "/" in text or os.sep in text or Path(text).suffix.lower() in KNOWN_SUFFIXES


def _raw_from_item(item: object, label: str, max_bytes: int) -> RawArticle:
    """A raw string, bytes, a mapping or an object with a ``text`` attribute."""
    if isinstance(item, str):
        return _raw_from_string(item, label)
    if isinstance(item, bytes):
        item = NamedBytes(item, label)
    if isinstance(item, NamedBytes):
        if len(item.data) > max_bytes:
            raise InputError(item.source, f"too large (over {max_bytes} bytes)")
        return _raw_from_string(decode_bytes(item.data, item.source), item.source)
    if isinstance(item, Mapping):
        return _raw_from_fields(_mapping_fields(item), label)
    if isinstance(getattr(item, "text", None), str):
        return _raw_from_fields({key: getattr(item, key, None) for key in _FIELDS}, label)
    raise InputError(label, f"unsupported input of type {type(item).__name__}")


def _checked(raw: RawArticle, max_bytes: int) -> Iterator[RawArticle | InputError]:
    size = len(raw.text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        yield InputError(raw.shown, f"too large ({size} bytes, limit {max_bytes})")
    else:
        yield raw


def _raw_from_string(text: str, label: str) -> RawArticle:
    text = without_surrogates(text)
    return RawArticle(text=text, source=label, format=_sniff_format(text))


def _sniff_format(text: str) -> Format:
    """HTML if the text starts like a web page (possibly after an XML prolog/comment)."""
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    return "html" if head.startswith(("<?xml", "<!--")) and "<html" in head else "text"


_FIELDS = ("text", "title", "outlet", "outlets", "url", "published", "id", "source",
           "sitename", "date")
"""Record fields read. ``sitename`` and ``date`` are trafilatura's JSON output names
(``trafilatura --json``) for the outlet and the publication date, so its records can be
given as they are."""


def _mapping_fields(item: Mapping[object, object]) -> dict[str, object]:
    return {key: item.get(key) for key in _FIELDS}


def _raw_from_fields(fields: Mapping[str, object], default_source: str,
                     where: str | None = None) -> RawArticle:
    """Build a ``RawArticle`` from record fields; the caller's ``source``/``id`` labels it.

    Messages name ``where`` (a JSONL file as given and the line) when there is one.
    """
    source = _opt_str(fields.get("source")) or _opt_str(fields.get("id")) or default_source
    text = fields.get("text")
    if not isinstance(text, str):
        problem = "missing 'text'" if text is None else "'text' is not a string"
        raise InputError(where or source, problem)
    text = without_surrogates(text)  # a JSON "\ud800" escape decodes to a lone surrogate
    outlets: list[str] = []
    for key in ("outlet", "sitename"):
        if (outlet := _opt_str(fields.get(key))) and outlet not in outlets:
            outlets.append(outlet)
    listed = fields.get("outlets")
    if isinstance(listed, list | tuple):
        outlets.extend(o for o in (_opt_str(x) for x in listed) if o and o not in outlets)
    return RawArticle(
        text=text,
        source=source,
        format=_sniff_format(text),
        title=_opt_str(fields.get("title")),
        outlets=tuple(outlets),
        url=_opt_str(fields.get("url")),
        published=_opt_str(fields.get("published")) or _opt_str(fields.get("date")),
        where=where,
    )


def _opt_str(value: object) -> str | None:
    """Metadata value as a stripped string; numbers are accepted, other types ignored."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        text = without_surrogates(str(value)).strip()
    except ValueError:  # an int past Python's 4300-digit str() limit is no label
        return None
    return text or None


def _http_url(url: str | None) -> str | None:
    # Only http(s) URLs are kept: the output promises a link a reader can follow.
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _raw_from_json_line(line: bytes, where: str, label: str, *, first: bool) -> RawArticle:
    """One JSONL record; problems name ``where`` (the path as given and the line), the
    article's default source is ``label`` (the file's name and the line)."""
    try:
        decoded = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        raise InputError(where, "not valid UTF-8") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise InputError(where, f"invalid JSON ({err.msg} at column {err.colno})") from None
    except ValueError:  # not a JSONDecodeError: an integer past the 4300-digit limit
        raise InputError(where, "invalid JSON (a number is too long)") from None
    except RecursionError:  # "[[[[..." a few thousand levels deep
        raise InputError(where, "invalid JSON (nested too deeply)") from None
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}")
    return _raw_from_fields(_mapping_fields(record), label, where)


def _bounded_lines(handle: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """Lines of a binary file; ``None`` for a line longer than ``max_bytes`` (skipped)."""
    lineno = 0
    while True:
        line = handle.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # drain the rest of the over-long line
            yield lineno, None
        else:
            yield lineno, line


# ------------------------------------------------------------------------ files


def _label(path: Path) -> str:
    """How an input file is named in the output (an article's ``source``): its name, not
    its folder (``"."`` for the current folder); undecodable bytes become U+FFFD."""
    return without_surrogates(path.name or str(path))


def _shown(path: Path) -> str:
    """How an input is named in messages: the path as given, undecodable bytes as U+FFFD."""
    return without_surrogates(str(path))


@dataclass(frozen=True, slots=True)
class FolderEntry:
    """A file of a folder input; ``skipped`` says why ingest does not read it (or None)."""

    path: Path
    skipped: str | None


def folder_entries(folder: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[FolderEntry]:
    """The files of ``folder`` that ingest considers, sorted by name, each with the reason
    it is skipped, if any. Raises ``OSError`` when the folder cannot be listed.

    Hidden entries (.DS_Store, editor backups) and sub-folders are left out: a folder is
    one event, read without recursing. A symlink is followed only while it stays inside
    the folder: one leading elsewhere (``passwd.txt -> /etc/passwd``, an extracted
    tarball's link) is reported, never read, so a folder cannot send other files to a model.
    """
    root = folder.resolve()
    out: list[FolderEntry] = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.is_symlink() and not Path(os.path.realpath(path)).is_relative_to(root):
            out.append(FolderEntry(path, "symlink leading outside the folder, not followed"))
            continue
        try:
            st = path.stat()
        except (OSError, ValueError) as err:
            out.append(FolderEntry(path, f"unreadable: {_os_reason(err)}"))
            continue
        if stat.S_ISDIR(st.st_mode):
            continue
        if path.suffix.lower() not in KNOWN_SUFFIXES:
            # Named, not silently ignored: a stray image or note in an event folder.
            out.append(FolderEntry(path, "not an article file (.txt, .md, .html, .jsonl)"))
            continue
        out.append(FolderEntry(path, _stat_problem(st, path, max_bytes)))
    return out


def skip_reason(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str | None:
    """Why ingest would not read the file ``path`` (missing, not a regular file, over the
    size limit), from ``stat`` alone; None when it reads it. Never opens the file."""
    try:
        st = path.stat()
    except (OSError, ValueError) as err:
        return f"unreadable: {_os_reason(err)}"
    return _stat_problem(st, path, max_bytes)


def _stat_problem(st: os.stat_result, path: Path, max_bytes: int | None) -> str | None:
    """The problem with a file of this ``stat``: not regular, or too large to read.

    Only regular files are read: a device (``/dev/zero``, ``/dev/urandom``) never ends,
    and a FIFO blocks until someone writes to it. A JSONL file is read line by line,
    so only its lines are bounded, not its size.
    """
    if not stat.S_ISREG(st.st_mode):
        kind = _file_kind(st.st_mode)
        hint = "; give '-' to read standard input" if stat.S_ISFIFO(st.st_mode) else ""
        return f"not a regular file ({kind}){hint}"
    if (max_bytes is not None and path.suffix.lower() not in JSONL_SUFFIXES
            and st.st_size > max_bytes):
        return f"too large ({st.st_size} bytes, limit {max_bytes})"
    return None


def _file_kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "a socket" if stat.S_ISSOCK(mode) else "not a file"


def _read_path(path: Path, max_bytes: int) -> Iterator[RawArticle | InputError]:
    """A file or folder named by the caller (a symlink given directly is followed)."""
    shown = _shown(path)
    try:
        is_dir = stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError) as err:  # ValueError: a name the OS cannot encode
        yield InputError(shown, f"unreadable: {_os_reason(err)}")
        return
    if is_dir:
        yield from _read_folder(path, max_bytes)
    elif path.suffix.lower() in JSONL_SUFFIXES:
        yield from iter_jsonl(path, max_bytes=max_bytes)
    else:
        try:
            text = decode_bytes(_read_bytes(path, max_bytes), shown)
        except InputError as err:
            yield err
            return
        suffix = path.suffix.lower()
        fmt: Format = (
            "html" if suffix in HTML_SUFFIXES
            else "markdown" if suffix in MARKDOWN_SUFFIXES
            else "text"
        )
        yield RawArticle(text=text, source=_label(path), format=fmt, where=shown)


def _read_folder(folder: Path, max_bytes: int) -> Iterator[RawArticle | InputError]:
    try:
        entries = folder_entries(folder, max_bytes)
    except (OSError, ValueError) as err:
        yield InputError(_shown(folder), f"unreadable folder: {_os_reason(err)}")
        return
    if not any(e.path.suffix.lower() in KNOWN_SUFFIXES for e in entries):
        yield InputError(_shown(folder), "folder contains no article files")
    for entry in entries:
        if entry.skipped:
            yield InputError(_shown(entry.path), entry.skipped)
        else:
            yield from _read_path(entry.path, max_bytes)


def _open_regular(path: Path, *, max_bytes: int | None) -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file (within ``max_bytes``).

    Checked with ``stat`` before opening (opening some devices has effects of its own)
    and again with ``fstat`` on what was opened, non-blocking: the name may have been
    swapped for a FIFO in between.
    """
    shown = _shown(path)
    try:
        if problem := _stat_problem(path.stat(), path, max_bytes):
            raise InputError(shown, problem)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except (OSError, ValueError) as err:  # ValueError: a name the OS cannot encode
        raise InputError(shown, f"unreadable: {_os_reason(err)}") from None
    handle = os.fdopen(fd, "rb")
    if problem := _stat_problem(os.fstat(fd), path, max_bytes):
        handle.close()
        raise InputError(shown, problem)
    return handle


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    with _open_regular(path, max_bytes=max_bytes) as handle:
        try:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
        except OSError as err:
            raise InputError(_shown(path), f"unreadable: {_os_reason(err)}") from None
    if len(data) > max_bytes:
        raise InputError(_shown(path), f"too large (over {max_bytes} bytes)")
    return data


def _os_reason(err: OSError | ValueError) -> str:
    if isinstance(err, ValueError):
        return "invalid file name"
    return (err.strerror or type(err).__name__).lower()


# ------------------------------------------------------------------------ decoding

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"RIFF", "RIFF media (WebP, WAV, AVI)"),
    (b"\x7fELF", "executable"),
)


def _binary_kind(head: bytes) -> str | None:
    """Name the binary format of data starting with ``head``, or None if it may be text."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "contains NUL bytes" if b"\x00" in head else None


def decode_bytes(data: bytes, source: str) -> str:
    """Decode file bytes to text: BOM, then UTF-8, then Windows-1252, then a guess.

    Raises ``InputError`` for empty, binary or undecodable data.
    """
    if not data:
        raise InputError(source, "empty file")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _text_or_binary(data.decode(codec).lstrip("\ufeff"), source)
            except UnicodeDecodeError:
                raise InputError(source, f"invalid {codec.upper()} text") from None
    if kind := _binary_kind(data):
        if (text := _utf16_without_bom(data)) is not None:
            return text
        raise InputError(source, f"binary file ({kind}), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (mostly := _mostly_utf8(data)) is not None:
        return mostly
    # charset-normalizer's open guess is unstable on short Western texts (measured:
    # a cp1252 French sentence with « » came back as mac_latin2, "Café" as UTF-16-BE),
    # so it is first asked whether Windows-1252 reads cleanly. That covers Latin-1 files
    # too (1252 is its superset for printable text; browsers make the same assumption).
    # Only when 1252 reads as garbage (Cyrillic, Greek...) is any encoding allowed.
    best = from_bytes(data, cp_isolation=["cp1252"]).best() or from_bytes(data).best()
    if best is None:
        raise InputError(source, "cannot detect the text encoding")
    return str(best)


def _utf16_without_bom(data: bytes) -> str | None:
    """The text of UTF-16 data saved without a BOM, or None.

    Its NUL bytes (the high bytes of Latin letters, spaces and digits) nearly all fall on
    one side of each byte pair: the odd bytes in little-endian, the even in big-endian.
    Binary data has NULs on both sides. The decoded text must also be printable.
    """
    if len(data) % 2:
        return None
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < 0.9 * (even + odd):
        return None
    try:
        text = data.decode("utf-16-le" if odd > even else "utf-16-be")
    except UnicodeDecodeError:
        return None
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\t\n\r")
    return text if "\x00" not in text and printable >= 0.95 * len(text) else None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few stray bytes (a bad paste) is decoded as UTF-8 with U+FFFD for
    the strays: read as Windows-1252 instead, every accent would turn into "Ã©"."""
    text = data.decode("utf-8", errors="replace")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    bad = text.count("\ufffd")
    return text if non_ascii and (non_ascii - bad) >= 0.9 * non_ascii else None


def _text_or_binary(text: str, source: str) -> str:
    if "\x00" in text:
        raise InputError(source, "binary file (NUL characters after decoding), not text")
    return text


# ------------------------------------------------------------------------ HTML


@dataclass(frozen=True, slots=True)
class HtmlMeta:
    """Metadata trafilatura found in a page's head."""

    title: str | None = None
    sitename: str | None = None
    url: str | None = None
    published: str | None = None


_XML_PROLOG = re.compile(r"^\s*<\?xml[^>]*\?>")


def html_to_text(markup: str) -> tuple[str, HtmlMeta]:
    """Main text of an HTML page (trafilatura) with paragraphs separated by blank lines."""
    # lxml rejects an already-decoded string that still declares its encoding.
    markup = _XML_PROLOG.sub("", markup, count=1)
    text = trafilatura.extract(
        markup, include_comments=False, include_tables=True, include_images=False
    )
    if not text:
        # The main extractor gives up on pages without an article-like body; its
        # baseline (paragraph collector) and plain html2txt still get the words.
        text = trafilatura.baseline(markup)[1] or trafilatura.html2txt(markup)
    # trafilatura puts one paragraph per line; the article format wants blank lines.
    text = "\n\n".join(line for line in (text or "").splitlines() if line.strip())
    return text, _html_meta(markup)


def _html_meta(markup: str) -> HtmlMeta:
    meta = trafilatura.extract_metadata(markup)
    if meta is None:
        return HtmlMeta()
    return HtmlMeta(
        title=_opt_str(meta.title),
        sitename=_opt_str(meta.sitename),
        url=_opt_str(meta.url),
        published=_opt_str(meta.date),
    )


# ------------------------------------------------------------------------ duplicates


def _merge_into(merged: dict[str, Article], article: Article) -> None:
    """Keep one article per cleaned text; its ``outlets`` and ``source`` name every copy."""
    seen = merged.get(article.id)
    if seen is None:
        merged[article.id] = article
        return
    outlets = [*seen.outlets, *(o for o in article.outlets if o not in seen.outlets)]
    sources = seen.source.split(", ")
    source = seen.source if article.source in sources else f"{seen.source}, {article.source}"
    merged[article.id] = seen.model_copy(
        update={
            "outlets": outlets,
            "source": source,
            "title": seen.title or article.title,
            "url": seen.url or article.url,
            "published": seen.published or article.published,
        }
    )
