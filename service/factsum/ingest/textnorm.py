"""Text normalisation for quote matching, with a map back to the original offsets.

Models copy quotes with straight apostrophes where the article has curly ones, with
different spacing, casing and quote marks (DESIGN.md). Both the article and the quote
are normalised the same way before searching; the index map then turns a match in the
normalised text into a span of the *original* text, so citations stay exact.

Normalisation steps, applied per "unit" of the original (one character with its
combining marks, or one HTML entity):

* HTML entities are unescaped (``&amp;`` -> ``&``, ``&nbsp;`` -> space);
* Unicode NFKC (ligatures, full-width forms, no-break spaces);
* quote marks, apostrophes and dashes are folded (see ``_FOLD``);
* zero-width characters and soft hyphens are dropped;
* case is folded (``str.casefold``);
* runs of whitespace become one space; leading and trailing whitespace is dropped, and
  so is whitespace next to a double quote, after an opening bracket and before closing
  punctuation, because French typography (``« de près »``, ``détails ;``) and a model's
  copy rarely agree on it. Each decision looks only at the characters on both sides of
  the run, so a substring normalises to a substring of the normalised text.
"""

from __future__ import annotations

import html
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import overload

# Every kind of single quote / apostrophe -> ', every double quote -> ", dashes -> -.
_FOLD = str.maketrans(
    {
        "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
        "\u00b4": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
        "\u00bb": '"', "\u2033": '"', "\u2039": "'", "\u203a": "'",
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    }
)
# Invisible characters that only affect layout: removed, never matched.
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# No space is kept after these...
_NO_SPACE_AFTER = frozenset('"([')
# ...nor before these.
_NO_SPACE_BEFORE = frozenset('",.;:!?)]')
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised text and, for each of its characters, the original unit it came from.

    ``starts[i]``/``ends[i]`` delimit (in the original) the unit that produced normalised
    character ``i``; a normalised space points at the first character of its run. Empty
    ``ends`` means every unit is one character (``ends[i] == starts[i] + 1``).
    """

    original: str
    text: str
    starts: Sequence[int]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised slice ``[start, end)`` (non-empty) to original offsets."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad normalised slice [{start}, {end}) of {len(self.text)}")
        stop = self.ends[end - 1] if self.ends else self.starts[end - 1] + 1
        return self.starts[start], stop


def _units(text: str) -> list[tuple[int, int, str]]:
    """Split ``text`` into (start, end, unit text): entities, or a char + combining marks."""
    units: list[tuple[int, int, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "&" and (m := _ENTITY.match(text, i)) and html.unescape(m[0]) != m[0]:
            units.append((i, m.end(), html.unescape(m[0])))
            i = m.end()
            continue
        j = i + 1
        # Keep combining marks with their base so that NFKC composes "e" + U+0301 -> "é".
        while j < n and unicodedata.combining(text[j]):
            j += 1
        units.append((i, j, text[i:j]))
        i = j
    return units


@lru_cache(maxsize=4096)  # a text reuses few distinct units: fold each once
def _fold_unit(unit: str) -> str:
    """NFKC, quote/dash folding, invisible-character removal and casefolding of one unit."""
    if unit.isascii():
        return unit.translate(_FOLD).casefold()
    folded = unicodedata.normalize("NFKC", unit).translate(_FOLD)
    if not unit.isspace():
        # Spacing accents ("¨", "¯") decompose to space + mark; that space is not in
        # the text, and keeping it would make a quote's edges depend on its context.
        folded = "".join(c for c in folded if not c.isspace())
    return "".join(c for c in folded if c not in _DROP).casefold()


# For texts that fold one character to one character (see _fold_chars): the spaces after
# the first of a run, and the runs that normalise to nothing (see the module docstring).
_LATER_SPACES = re.compile(" {2,}")
_SPACE_AFTER_OPEN = re.compile(r'["(\[] ')
_SPACES_BEFORE_CLOSE = re.compile(r' +[",.;:!?)\]]')
_MARK = "\x02"


def _fold_chars(text: str) -> str | None:
    """``text`` with each character folded and whitespace made " ", when normalising
    needs no more than that (no entity, no combining mark, every character folds to
    exactly one: the common case); None otherwise (the general path handles it)."""
    if _MARK in text or ("&" in text and _ENTITY.search(text)):
        return None
    if not _NOT_SIMPLE.search(text):
        return text.translate(_SIMPLE_FOLD)
    fold: dict[int, str] = {}
    for ch in set(text):
        folded = _fold_unit(ch)
        if len(folded) != 1 or unicodedata.combining(ch):
            return None
        fold[ord(ch)] = " " if folded.isspace() else folded
    return text.translate(fold)


class _Shifted(Sequence[int]):
    """``starts`` of a text whose normalisation only removed characters: the kept
    characters form a few runs, each shifted by a constant. Indexing costs a bisect;
    building it costs one step per run, not one per character."""

    __slots__ = ("_firsts", "_length", "_shifts")

    def __init__(self, firsts: list[int], shifts: list[int], length: int) -> None:
        self._firsts, self._shifts, self._length = firsts, shifts, length

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, i: int) -> int: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[int, ...]: ...
    def __getitem__(self, i: int | slice) -> int | tuple[int, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._length)))
        if i < 0:
            i += self._length
        if not 0 <= i < self._length:
            raise IndexError("normalised offset out of range")
        return i + self._shifts[bisect_right(self._firsts, i) - 1]


def _normalize_simple(text: str, folded: str) -> NormalizedText:
    """``normalize_text`` for a text that folds one character to one character: the same
    output, with the per-character work done in C (re, str.join)."""
    last = len(folded)
    # Every character is kept, and of each run of spaces the first...
    removed: set[int] = set()
    for m in _LATER_SPACES.finditer(folded):
        removed.update(range(m.start() + 1, m.end()))
    # ...except where the run normalises to nothing: at either end, after an opening
    # mark, before a closing one.
    for at in (0, len(folded.rstrip(" "))):
        if at < last and folded[at] == " ":
            removed.add(at)
    removed.update(m.start() + 1 for m in _SPACE_AFTER_OPEN.finditer(folded))
    removed.update(m.start() for m in _SPACES_BEFORE_CLOSE.finditer(folded))
    pieces: list[str] = []
    firsts: list[int] = []  # normalised offset where each kept run begins
    shifts: list[int] = []  # original offset minus normalised offset in that run
    kept = prev = 0
    for cut in [*sorted(removed), last]:
        if cut > prev:
            pieces.append(folded[prev:cut])
            firsts.append(kept)
            shifts.append(prev - kept)
            kept += cut - prev
        prev = cut + 1
    # One original character per normalised one: ``ends`` is ``starts`` + 1, left implicit.
    return NormalizedText(text, "".join(pieces), _Shifted(firsts, shifts, kept), ())


def normalize_text(text: str) -> NormalizedText:
    """Normalise ``text`` for matching, keeping the offsets of every output character."""
    folded = _fold_chars(text)
    if folded is not None:
        return _normalize_simple(text, folded)
    return _normalize_units(text)


def _normalize_units(text: str) -> NormalizedText:
    """``normalize_text``'s general path: unit by unit (entities, combining marks,
    characters that fold to several or to none)."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pending_space: int | None = None  # original index where a whitespace run began
    for start, end, unit in _units(text):
        for ch in _fold_unit(unit):
            if ch.isspace():
                if pending_space is None:
                    pending_space = start
                continue
            if pending_space is not None:
                if out and out[-1] not in _NO_SPACE_AFTER and ch not in _NO_SPACE_BEFORE:
                    out.append(" ")
                    starts.append(pending_space)
                    ends.append(pending_space + 1)
                pending_space = None
            out.append(ch)
            starts.append(start)
            ends.append(end)
    return NormalizedText(text, "".join(out), tuple(starts), tuple(ends))


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Return the normalised text and, per normalised char, its index in ``text``."""
    norm = normalize_text(text)
    return norm.text, list(norm.starts)


def _simple_fold_table() -> tuple[dict[int, str], re.Pattern[str]]:
    """The fold of every character (of the scripts news articles mostly use) that folds
    to exactly one character on its own, whitespace as " "; and a pattern that finds any
    other character (those go through ``normalize_text``)."""
    blocks = (range(0x0000, 0x0300), range(0x0370, 0x0530), range(0x1E00, 0x2070),
              range(0x20A0, 0x20C0), range(0x2100, 0x2200))
    table: dict[int, str] = {}
    for cp in (cp for block in blocks for cp in block):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000 or unicodedata.combining(ch):
            continue
        folded = _fold_unit(ch)
        if len(folded) == 1:
            table[cp] = " " if folded.isspace() else folded
    ranges: list[list[int]] = []
    for cp in sorted(table):
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    members = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                      for a, b in ranges)
    return table, re.compile(f"[^{members}]")


# Built once at import; read-only afterwards.
_SIMPLE_FOLD, _NOT_SIMPLE = _simple_fold_table()
_SPACE_RUNS = re.compile(" {2,}")
# The space (runs are single by then) after an opening mark or before a closing one.
_EDGE_SPACE = re.compile(r'(?<=["(\[]) | (?=[",.;:!?)\]])')


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (what quotes are compared on).

    Equal to ``normalize_text(text).text``; a text of one-to-one folding characters and
    no entity (most quotes) skips the offset map: a translate and three regexes.
    """
    if _NOT_SIMPLE.search(text) or ("&" in text and _ENTITY.search(text)):
        return normalize_text(text).text
    folded = _SPACE_RUNS.sub(" ", text.translate(_SIMPLE_FOLD)).strip(" ")
    return _EDGE_SPACE.sub("", folded)
