"""Ingest never crashes on hostile input (issue 7): property-based tests, plus the
regressions they found.

Whatever text, bytes, metadata or JSON lines come in, ``load_articles`` returns articles
and ``InputError``s; it never raises. What it returns is safe to use downstream: text
that UTF-8 can encode (no lone surrogates), ids that match the text, http(s) URLs only,
one-line-able error messages.

Regressions (each crashed ``load_articles`` before the fix in service/ingest.py and
service/clean.py):
  * a JSON "\\ud800" escape in a record's text or metadata (lone surrogate ->
    UnicodeEncodeError when hashing the text or writing the output);
  * a file name with undecodable bytes in a folder (surrogateescape -> the same, at
    render time) and a path string the OS cannot encode (ValueError from stat());
  * a JSON line with a number of more than 4300 digits (ValueError, not a
    JSONDecodeError) or nested a few thousand levels deep (RecursionError);
  * a metadata value that is such a huge int (str() raises ValueError).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from factsum.errors import InputError
from factsum.ingest.readers import article_id, load_articles
from factsum.models import Article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Every code point, lone surrogates included (JSON and surrogateescape produce them).
ANY_CHAR = st.characters(exclude_categories=())
# Fragments that steer ingest into its less common paths: HTML sniffing, BOMs, NULs,
# cleaning rules (teasers, tweets, comment forms, site headers), Markdown-ish syntax.
JUNK = st.sampled_from([
    "<!DOCTYPE html>", "<html><body>", "<?xml version='1.0' encoding='latin-1'?>", "<!--",
    "<p>", "<br/>", "</div>", "<script>x()</script>", "\x00", "\ufeff", "\u200b", "\r\n",
    "\u2028", "\n\n", "Read also", "Lire aussi", "pic.twitter.com/abc", "— a (@b) May 1, 2020",
    "Leave a reply", "BFMTV", "Home / World / Europe", "[^1]: x", "# ", "| a | b |",
    "![i](javascript:x)", "\udc80", "\ud83d\ude00", "é", "北京", "مرحبا", "\x1b[31m",
])
TEXT = st.lists(st.one_of(st.text(ANY_CHAR, max_size=40), JUNK), max_size=12).map("".join)


class HugeInt(int):
    """An int whose str() raises ValueError (Python's 4300-digit limit), with a repr
    that does not, so hypothesis can still print a failing example."""

    def __repr__(self) -> str:
        return "HugeInt(10**5000)"

    def __str__(self) -> str:
        return int.__repr__(self)  # raises ValueError, as str() of a plain huge int does


HUGE_INT = HugeInt(10**5000)
FIELDS = ("text", "title", "outlet", "outlets", "url", "published", "id", "source")


def records(*, huge: bool) -> st.SearchStrategy[dict[Any, Any]]:
    """Record dicts: the known fields (any may be missing) with JSON-like values of any
    type, plus unknown keys. ``huge``: include ints that str() refuses (not in JSON
    lines, which json.dumps cannot write)."""
    scalar = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
        st.text(ANY_CHAR, max_size=30),
        st.sampled_from(["javascript:alert(1)", "https://example.org/a", "HTTP://X",
                         "data:text/html,x", " https://x.y ", "vbscript:x"]),
        *([st.just(HUGE_INT), st.binary(max_size=8)] if huge else []),
    )
    value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                         max_leaves=6)
    known = st.fixed_dictionaries(
        {}, optional={name: value for name in FIELDS} | {"text": st.one_of(TEXT, value)})
    return known.flatmap(lambda fields: st.dictionaries(st.text(max_size=5), value,
                                                        max_size=2)
                         .map(lambda extra: {**extra, **fields}))


RECORD = records(huge=True)
PROPS = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def assert_usable(articles: list[Article], errors: list[InputError]) -> None:
    """What ingest returns can be hashed, rendered and printed without surprises."""
    for article in articles:
        assert article.text and article.id == article_id(article.text)
        article.model_dump_json().encode("utf-8")  # no lone surrogate anywhere
        assert article.url is None or article.url.lower().startswith(("http://", "https://"))
    for error in errors:
        assert isinstance(error, InputError)
        str(error).encode("utf-8")


@PROPS
@given(records=st.lists(RECORD, min_size=1, max_size=4))
def test_any_records_never_crash_ingest(records: list[dict[str, Any]]) -> None:
    articles, errors = load_articles(records)
    assert_usable(articles, errors)
    assert len(articles) + len(errors) >= 1 or not records  # every record is accounted for


@PROPS
@given(text=TEXT)
def test_any_text_never_crashes_ingest(text: str) -> None:
    # A string with a line break is always text, never a path (see _looks_like_path).
    articles, errors = load_articles([text + "\n", {"text": text}])
    assert_usable(articles, errors)


@PROPS
@given(data=st.one_of(st.binary(max_size=300), TEXT.map(
    lambda t: t.encode("utf-16" if len(t) % 2 else "utf-8", "surrogatepass"))))
def test_any_bytes_never_crash_ingest(data: bytes) -> None:
    articles, errors = load_articles([data])
    assert_usable(articles, errors)


@PROPS
@given(lines=st.lists(st.one_of(
    st.binary(max_size=60),
    records(huge=False).map(
        lambda r: json.dumps(r, ensure_ascii=bool(len(r) % 2)).encode("utf-8", "surrogatepass")),
    st.sampled_from([b"[" * 5000, b'{"text": 1' + b"1" * 5000 + b"}", b'"text"',
                     b'{"text": "\\ud800 five words of text here"}', b"\xef\xbb\xbf{}"]),
), max_size=6))
def test_any_jsonl_manifest_never_crashes_ingest(lines: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "event.jsonl"
        manifest.write_bytes(b"\n".join(lines))
        articles, errors = load_articles([manifest])
    assert_usable(articles, errors)


@PROPS
@given(name=st.text(ANY_CHAR, min_size=1, max_size=20).filter(
    lambda s: "/" not in s and s not in (".", "..")))
def test_any_path_never_crashes_ingest(name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, name + ".txt")  # never an existing file
        articles, errors = load_articles([path])
    assert articles == []
    assert_usable(articles, errors)


@PROPS
@given(name=st.text(ANY_CHAR, min_size=1, max_size=20).filter(
    lambda s: not {"/", "\x00"} & set(s) and s not in (".", "..")))
def test_a_string_is_never_read_as_a_path(name: str) -> None:
    """The contract: a str is article text; only a pathlib.Path (os.PathLike) is read."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, name + ".txt")
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write("SECRET five words of file content.")
        except (OSError, UnicodeEncodeError):
            return  # a name this file system cannot hold
        articles, errors = load_articles([path])
    assert all("SECRET" not in a.text for a in articles)
    assert_usable(articles, errors)


# ----------------------------------------------------------------- regressions


def test_lone_surrogates_from_json_escapes_are_replaced(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text(json.dumps({"text": "Five words \ud800 of article text here.",
                                    "id": "x\udc00", "title": "T\ud800", "outlet": "O\ud800"})
                        + "\n", encoding="utf-8")
    (article,), errors = load_articles([manifest])
    assert errors == []
    assert article.text == "Five words \ufffd of article text here."
    assert (article.source, article.title, article.outlets) == ("x\ufffd", "T\ufffd", ["O\ufffd"])


def test_a_surrogate_pair_becomes_its_character() -> None:
    (article,), _ = load_articles([{"text": "Five words of text \ud83d\ude00 here."}])
    assert "\U0001f600" in article.text


def test_an_undecodable_file_name_is_shown_with_a_replacement_character(tmp_path: Path
                                                                       ) -> None:
    folder = tmp_path / "event"
    folder.mkdir()
    raw_name = os.fsencode(folder) + b"/caf\xe9.txt"  # a Latin-1 name on a UTF-8 system
    with open(raw_name, "w", encoding="utf-8") as handle:
        handle.write("Five words of article text here.")
    (article,), errors = load_articles([folder])
    assert errors == [] and article.source == "caf\ufffd.txt"
    article.model_dump_json().encode("utf-8")


def test_a_path_the_os_cannot_encode_is_an_input_error() -> None:
    articles, (error,) = load_articles([Path("\ud800.txt")])
    assert articles == [] and str(error) == "\ufffd.txt: unreadable: invalid file name"


def test_huge_numbers_and_deep_nesting_in_jsonl_are_line_errors(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_bytes(b'{"text": 1' + b"1" * 5000 + b"}\n" + b"[" * 100_000 + b"\n"
                         + b'{"text": "Five words of article text.", "outlet": 1'
                         + b"1" * 5000 + b"}\n")
    articles, errors = load_articles([manifest])
    assert [str(e) for e in errors] == [f"{manifest}:1: invalid JSON (a number is too long)",
                                        f"{manifest}:2: invalid JSON (nested too deeply)",
                                        f"{manifest}:3: invalid JSON (a number is too long)"]
    assert articles == []


def test_a_huge_int_as_metadata_is_ignored() -> None:
    (article,), errors = load_articles([{"text": "Five words of article text.",
                                         "title": 10**5000, "outlet": 7}])
    assert errors == [] and article.title is None and article.outlets == ["7"]


def test_the_cleaning_rules_moved_to_service_clean_keep_their_public_names() -> None:
    import factsum.ingest.clean
    import factsum.ingest.readers

    for name in ("Cleaned", "clean_text", "guess_title", "strip_markdown",
                 "without_surrogates"):
        assert getattr(factsum.ingest.readers, name) is getattr(factsum.ingest.clean, name)
