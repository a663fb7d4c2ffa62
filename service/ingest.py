"""Ingest stage: turn files, folders, strings and records into clean ``Article`` objects.

Every input becomes either an ``Article`` or a one-line ``InputError`` naming it; one bad
input never stops the others. The cleaned text is what every later offset refers to, so
cleaning is deterministic (same input -> same text -> same id) and removes only page
furniture, never article content: see the "cleaning" section, one small rule each.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import py3langid
import trafilatura
from charset_normalizer import from_bytes

from service.errors import InputError, NoUsableInputError
from service.models import Article

DEFAULT_MAX_BYTES = 5_000_000
MIN_WORDS = 5
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
KNOWN_SUFFIXES = HTML_SUFFIXES | JSONL_SUFFIXES | MARKDOWN_SUFFIXES | {".txt"}

Format = Literal["text", "markdown", "html"]


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


# ------------------------------------------------------------------------ public API


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
    ``NoUsableInputError`` when no article is usable.
    """
    if isinstance(items, str | bytes | os.PathLike | Mapping):
        items = [items]
    merged: dict[str, Article] = {}
    errors: list[InputError] = []
    for n, item in enumerate(items, start=1):
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
    name = path.name
    try:
        handle = path.open("rb")
    except OSError as err:
        yield InputError(name, f"unreadable: {_os_reason(err)}")
        return
    with handle:
        if kind := _binary_kind(handle.read(4096)):
            yield InputError(name, f"binary file ({kind}), not JSON lines")
            return
        handle.seek(0)
        seen = 0
        for lineno, line in _bounded_lines(handle, max_bytes):
            where = f"{name}:{lineno}"
            if line is None:
                yield InputError(where, f"line larger than {max_bytes} bytes")
                continue
            if not line.strip():
                continue
            seen += 1
            try:
                yield _raw_from_json_line(line, where, first=lineno == 1)
            except InputError as err:
                yield err
        if seen == 0:
            yield InputError(name, "empty file (no JSON lines)")


def build_article(raw: RawArticle, *, min_words: int = MIN_WORDS) -> Article:
    """Clean one raw input into an ``Article``; raises ``InputError`` if it is unusable."""
    if "\x00" in raw.text:
        raise InputError(raw.source, "binary content (NUL characters), not text")
    if not raw.text.strip():
        raise InputError(raw.source, "empty (whitespace only)")
    title, outlets, url, published = raw.title, raw.outlets, raw.url, raw.published
    body = raw.text
    if raw.format == "html":
        try:
            body, meta = html_to_text(body)
        except Exception as err:  # a parser crash on one page must not stop the others
            raise InputError(raw.source, f"unreadable HTML ({type(err).__name__})") from None
        if not body.strip():
            raise InputError(raw.source, "no text found in the HTML page")
        title = title or meta.title
        outlets = outlets or ((meta.sitename,) if meta.sitename else ())
        url = url or meta.url
        published = published or meta.published
    elif raw.format == "markdown":
        body = strip_markdown(body)
    cleaned = clean_text(body)
    if not cleaned.text:
        raise InputError(raw.source, "no article text left after removing page furniture")
    words = count_words(cleaned.text)
    if words < min_words:
        noun = "word" if words == 1 else "words"
        raise InputError(
            raw.source, f"too short to summarise ({words} {noun}, at least {min_words} needed)"
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


def article_id(text: str) -> str:
    """Stable id: the first 12 hex digits of the sha256 of the cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (py3langid), ``"und"`` without letters."""
    if not any(ch.isalpha() for ch in text):
        return "und"
    # The first 20k characters are plenty and keep detection fast on huge inputs.
    code, _score = py3langid.classify(text[:20_000])
    return str(code)


# Ideographs and kana are written without spaces: each one counts as a word.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")


def count_words(text: str) -> int:
    """Number of words (each CJK character counts as one)."""
    return len(_WORD.findall(text))


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
    label = f"item-{n}"
    if isinstance(item, os.PathLike) or (isinstance(item, str) and _looks_like_path(item)):
        yield from _read_path(Path(item), max_bytes)
    elif isinstance(item, str):
        yield from _checked(_raw_from_string(item, label), max_bytes)
    elif isinstance(item, bytes):
        try:
            yield from _checked(_raw_from_string(decode_bytes(item, label), label), max_bytes)
        except InputError as err:
            yield err
    elif isinstance(item, Mapping):
        try:
            yield from _checked(_raw_from_fields(_mapping_fields(item), label), max_bytes)
        except InputError as err:
            yield err
    elif isinstance(getattr(item, "text", None), str):
        fields = {key: getattr(item, key, None) for key in _FIELDS}
        try:
            yield from _checked(_raw_from_fields(fields, label), max_bytes)
        except InputError as err:
            yield err
    else:
        yield InputError(label, f"unsupported input of type {type(item).__name__}")


def _checked(raw: RawArticle, max_bytes: int) -> Iterator[RawArticle | InputError]:
    size = len(raw.text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        yield InputError(raw.source, f"too large ({size} bytes, limit {max_bytes})")
    else:
        yield raw


def _looks_like_path(item: str) -> bool:
    """A string is a path if it names an existing file/folder or ends in a known suffix.

    Anything else (a sentence, several lines, a long text) is article text.
    """
    if "\n" in item or "\x00" in item or len(item) > 1024:
        return False
    try:
        if Path(item).exists():
            return True
    except (OSError, ValueError):
        return False
    return Path(item).suffix.lower() in KNOWN_SUFFIXES


def _raw_from_string(text: str, label: str) -> RawArticle:
    return RawArticle(text=text, source=label, format=_sniff_format(text))


def _sniff_format(text: str) -> Format:
    """HTML if the text starts like a web page (possibly after an XML prolog/comment)."""
    head = text.lstrip()[:1000].lower()
    if head.startswith(("<!doctype html", "<html")):
        return "html"
    return "html" if head.startswith(("<?xml", "<!--")) and "<html" in head else "text"


_FIELDS = ("text", "title", "outlet", "outlets", "url", "published", "id", "source")


def _mapping_fields(item: Mapping[object, object]) -> dict[str, object]:
    return {key: item.get(key) for key in _FIELDS}


def _raw_from_fields(fields: Mapping[str, object], default_source: str) -> RawArticle:
    """Build a ``RawArticle`` from record fields; the caller's ``source``/``id`` labels it."""
    source = _opt_str(fields.get("source")) or _opt_str(fields.get("id")) or default_source
    text = fields.get("text")
    if not isinstance(text, str):
        problem = "missing 'text'" if text is None else "'text' is not a string"
        raise InputError(source, problem)
    outlets: list[str] = []
    if outlet := _opt_str(fields.get("outlet")):
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
        published=_opt_str(fields.get("published")),
    )


def _opt_str(value: object) -> str | None:
    """Metadata value as a stripped string; numbers are accepted, other types ignored."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    return text or None


def _http_url(url: str | None) -> str | None:
    # Only http(s) URLs are kept: the output promises a link a reader can follow.
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _raw_from_json_line(line: bytes, where: str, *, first: bool) -> RawArticle:
    try:
        decoded = line.decode("utf-8-sig" if first else "utf-8")
    except UnicodeDecodeError:
        raise InputError(where, "not valid UTF-8") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise InputError(where, f"invalid JSON ({err.msg} at column {err.colno})") from None
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}")
    return _raw_from_fields(_mapping_fields(record), where)


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


def _read_path(path: Path, max_bytes: int) -> Iterator[RawArticle | InputError]:
    name = path.name or str(path)
    if path.is_dir():
        yield from _read_folder(path, max_bytes)
    elif path.suffix.lower() in JSONL_SUFFIXES and path.is_file():
        yield from iter_jsonl(path, max_bytes=max_bytes)
    else:
        try:
            text = decode_bytes(_read_bytes(path, max_bytes), name)
        except InputError as err:
            yield err
            return
        suffix = path.suffix.lower()
        fmt: Format = (
            "html" if suffix in HTML_SUFFIXES
            else "markdown" if suffix in MARKDOWN_SUFFIXES
            else "text"
        )
        yield RawArticle(text=text, source=name, format=fmt)


def _read_folder(folder: Path, max_bytes: int) -> Iterator[RawArticle | InputError]:
    try:
        # Hidden files (.DS_Store, editor backups) are never articles; sub-folders are
        # not descended into, so a folder is one cluster.
        entries = sorted(
            p for p in folder.iterdir() if not p.name.startswith(".") and p.is_file()
        )
    except OSError as err:
        yield InputError(folder.name, f"unreadable folder: {_os_reason(err)}")
        return
    if not entries:
        yield InputError(folder.name, "folder contains no article files")
    for entry in entries:
        yield from _read_path(entry, max_bytes)


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    name = path.name or str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(name, f"too large ({size} bytes, limit {max_bytes})")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as err:
        raise InputError(name, f"unreadable: {_os_reason(err)}") from None
    if len(data) > max_bytes:
        raise InputError(name, f"too large (over {max_bytes} bytes)")
    return data


def _os_reason(err: OSError) -> str:
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
        raise InputError(source, f"binary file ({kind}), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # charset-normalizer's open guess is unstable on short Western texts (measured:
    # a cp1252 French sentence with « » came back as mac_latin2, "Café" as UTF-16-BE),
    # so it is first asked whether Windows-1252 reads cleanly. That covers Latin-1 files
    # too (1252 is its superset for printable text; browsers make the same assumption).
    # Only when 1252 reads as garbage (Cyrillic, Greek...) is any encoding allowed.
    best = from_bytes(data, cp_isolation=["cp1252"]).best() or from_bytes(data).best()
    if best is None:
        raise InputError(source, "cannot detect the text encoding")
    return str(best)


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


# ------------------------------------------------------------------------ cleaning
#
# Text rules work on the whole text, line rules on its lines (after the text rules).
# Each rule is a pure function, so cleaning is deterministic and each can be tested.


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Cleaned article text, and the outlet named by a site header that was removed."""

    text: str
    outlet: str | None = None


def clean_text(text: str) -> Cleaned:
    """Remove page furniture and normalise layout; paragraphs end up one blank line apart."""
    for rule in _TEXT_RULES:
        text = rule(text)
    lines = text.split("\n")
    for line_rule in _LINE_RULES:
        lines = line_rule(lines)
    lines, outlet = _strip_site_header(lines)
    return Cleaned(_join_paragraphs(lines), outlet)


def _nfc(text: str) -> str:
    # Canonical composition only (é stays é whether typed composed or not), so copies
    # of one article saved by different tools get the same id. Not NFKC: that would
    # rewrite characters (ligatures, superscripts) and move quote offsets.
    return unicodedata.normalize("NFC", text)


def _unify_newlines(text: str) -> str:
    return re.sub(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]", "\n", text)


_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\x00-\x08\x0e-\x1f\x7f]")


def _drop_invisible(text: str) -> str:
    # Zero-width spaces, BOMs and control characters; ZWJ/ZWNJ are kept (they matter
    # in Persian, Arabic and Indic scripts).
    return _INVISIBLE.sub("", text)


def _br_tags_to_breaks(text: str) -> str:
    # Scraped .txt files keep some markup: "<br />" is a line break, <p> a paragraph.
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    return re.sub(r"</?p\s*>", "\n\n", text, flags=re.IGNORECASE)


_EN_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_FR_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_TWEET_LINK = re.compile(r"[ \t]*(?:pic\.twitter\.com/\w+|https?://t\.co/\w+)")
# The signature an embedded tweet leaves: "— moataz (@wezafabregas) January 7, 2020"
# (or "7 janvier 2020" when embedded in French).
_TWEET_SIGNATURE = re.compile(
    rf"[ \t]*(?:—|–|--)[ \t]*[^\n()—–]{{1,80}}?[ \t]*\(@\w{{1,15}}\)[ \t]*"
    rf"(?:(?:{_EN_MONTHS}) \d{{1,2}}, \d{{4}}|\d{{1,2}}(?:er)? (?:{_FR_MONTHS}) \d{{4}})[ \t]*"
)


def _drop_tweet_debris(text: str) -> str:
    # The tweet's own words stay (the article quotes them); its photo link and its
    # signature go, and the signature's place becomes a paragraph break, as the embed
    # was a block of its own.
    text = _TWEET_LINK.sub("", text)
    return _TWEET_SIGNATURE.sub("\n\n", text)


def _collapse_spaces(text: str) -> str:
    # Any run of horizontal whitespace (tabs, no-break spaces) becomes one space.
    return re.sub(r"[^\S\n]+", " ", text)


_TEXT_RULES = (
    _nfc, _unify_newlines, _drop_invisible, _br_tags_to_breaks, _drop_tweet_debris,
    _collapse_spaces,
)


def _strip_lines(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines]


_TEASER = re.compile(
    r"^(?:read also|also read|read more|see also|lire aussi|(?:à|a) lire aussi|voir aussi"
    r"|article reserved for our subscribers|article réservé (?:à nos|aux) abonnés"
    r"|our selection of articles|notre sélection d['’]articles)\b",
    re.IGNORECASE,
)


def _drop_teasers(lines: list[str]) -> list[str]:
    # Links to other articles ("Read also ...", "Lire aussi ...", subscriber teasers)
    # are whole lines of furniture in scraped pages.
    return [line for line in lines if not _TEASER.match(line)]


_COMMENT_FORM = frozenset(
    {
        "leave a reply", "leave a comment", "post a comment", "add a comment",
        "laisser un commentaire", "laisser une réponse", "ajouter un commentaire",
        "please enter your comment", "please enter your name here", "réagissez à cet article",
    }
)


def _cut_comment_form(lines: list[str]) -> list[str]:
    # A comment form ends the page: everything from its heading on goes. Only a line
    # that *is* a form heading counts, never a sentence that mentions one.
    for i, line in enumerate(lines):
        if line.casefold().rstrip(" !.:") in _COMMENT_FORM:
            return lines[:i]
    return lines


_CREDIT = re.compile(r"[/©]|\b(?:AFP|AP|Reuters|Getty|EPA|photo|crédit|credit)\b", re.IGNORECASE)


def _is_credit(extra: str) -> bool:
    return len(extra.split()) <= 6 and (bool(_CREDIT.search(extra)) or extra.isupper())


def _drop_repeated_lines(lines: list[str]) -> list[str]:
    """Drop a line equal to the previous one, and photo captions, which scraping leaves
    twice: once as alt text and once more with a credit ("... January 8. HO / AFP")."""
    out: list[str] = []
    prev: int | None = None  # index in ``out`` of the previous non-blank line
    for line in lines:
        if line and prev is not None:
            before = out[prev]
            if line == before:
                continue
            if len(before) >= 20 and line.startswith(before):
                extra = line[len(before):].strip()
                if extra and _is_credit(extra):
                    del out[prev:]
                    prev = None
                    continue
        out.append(line)
        if line:
            prev = len(out) - 1
    return out


_LINE_RULES = (_strip_lines, _drop_teasers, _cut_comment_form, _drop_repeated_lines)

_SENTENCE_PUNCT = frozenset('.,;:!?"«»“”()')
_BREADCRUMB_SEP = re.compile(r"\s+[/>|›»]\s+")


def _is_nav_line(line: str) -> bool:
    """Short label with no sentence punctuation: "BFMTV", "International", "Alerte info"."""
    return (
        0 < len(line) <= 30
        and len(line.split()) <= 3
        and not any(ch in _SENTENCE_PUNCT for ch in line)
        and not line.casefold().startswith(("by ", "par "))  # a byline is content
    )


def _looks_like_outlet(name: str) -> bool:
    # Brand names have inner capitals or digits (BFMTV, Le Monde, France 24); section
    # labels ("International", "Alerte info") do not. Missing an outlet beats a wrong one.
    return sum(ch.isupper() for ch in name) >= 2 or any(ch.isdigit() for ch in name)


def _strip_site_header(lines: list[str]) -> tuple[list[str], str | None]:
    """Remove a leading site header: a block of >= 2 navigation lines before a blank
    line, or a breadcrumb line "Site / Section / Sub-section". Returns the outlet it
    names, if any."""
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        return lines, None
    crumbs = _BREADCRUMB_SEP.split(lines[first])
    if len(crumbs) >= 3 and all(_is_nav_line(c) for c in crumbs) and any(lines[first + 1 :]):
        return lines[first + 1 :], crumbs[0] if _looks_like_outlet(crumbs[0]) else None
    end = first
    while end < len(lines) and lines[end]:
        end += 1
    block = lines[first:end]
    if len(block) >= 2 and all(_is_nav_line(line) for line in block) and any(lines[end:]):
        return lines[end:], block[0] if _looks_like_outlet(block[0]) else None
    return lines, None


def _join_paragraphs(lines: list[str]) -> str:
    """Join lines; any run of blank lines becomes exactly one, none at either end."""
    out: list[str] = []
    blank = False
    for line in lines:
        if not line:
            blank = bool(out)
            continue
        if blank:
            out.append("")
        out.append(line)
        blank = False
    return "\n".join(out)


def guess_title(text: str) -> str | None:
    """The first paragraph if it is one short line without a final full stop."""
    first, sep, rest = text.partition("\n\n")
    if not sep or not rest.strip() or "\n" in first:
        return None
    short = 2 <= len(first.split()) <= 25 and len(first) <= 200
    return first if short and not first.endswith((".", ",", ";", ":")) else None


_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_MD_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def strip_markdown(text: str) -> str:
    """Markdown to plain text: heading marks, images, link targets and bold go."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    return _MD_STRONG.sub(r"\2", text)
