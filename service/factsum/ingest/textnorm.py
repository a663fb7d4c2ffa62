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
from dataclasses import dataclass
from functools import lru_cache

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
    character ``i``; a normalised space points at the first character of its run.
    """

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the normalised slice ``[start, end)`` (non-empty) to original offsets."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"bad normalised slice [{start}, {end}) of {len(self.text)}")
        return self.starts[start], self.ends[end - 1]


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
    folded = unicodedata.normalize("NFKC", unit).translate(_FOLD)
    if not unit.isspace():
        # Spacing accents ("¨", "¯") decompose to space + mark; that space is not in
        # the text, and keeping it would make a quote's edges depend on its context.
        folded = "".join(c for c in folded if not c.isspace())
    return "".join(c for c in folded if c not in _DROP).casefold()


def normalize_text(text: str) -> NormalizedText:
    """Normalise ``text`` for matching, keeping the offsets of every output character.

    One pass over the units of ``text`` (see the module docstring for the rules).
    """
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


def normalize(text: str) -> str:
    """Return the normalised form of ``text`` (what quotes are compared on):
    ``normalize_text(text).text``."""
    return normalize_text(text).text
