"""Case-insensitive regex scans that look only where a match can begin.

Why: Python's regex engine cannot skip ahead for a case-insensitive pattern that starts
with a lookaround, so a lexicon pattern (dozens of alternatives) is tried at every
position of an article. Every match of such a pattern begins with the literal prefix of
one of its alternatives ("missile" for ``missiles?``); ``str.find`` locates those
prefixes in the lower-cased text at C speed, and the pattern is tried only there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_META = frozenset("\\[](){}?*+|.^$")
_QUANTIFIERS = frozenset("?*{")
# Letters that case-insensitive matching equates with an ASCII letter that lower() does
# not turn them into (re's own equivalences: "ı" with "i", "ſ" with "s"): a text holding
# one is scanned the slow way.
_FOLD_ONLY = ("\u0131", "\u017f")


def top_level_alternatives(regex: str) -> list[str]:
    """``regex`` split at the ``|`` that are outside groups and character classes."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    in_class = False
    i = 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            current.append(regex[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            i += 1
            continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def literal_prefix(alternative: str) -> str:
    """The lower-cased literal text every match of ``alternative`` starts with ("" if
    none): it stops at the first metacharacter, and drops a letter a quantifier makes
    optional ("missiles?" -> "missile")."""
    prefix: list[str] = []
    for char in alternative:
        if char in _META:
            if char in _QUANTIFIERS and prefix:
                prefix.pop()
            break
        prefix.append(char)
    return "".join(prefix).lower()


def literal_prefixes(alternatives: Iterable[str]) -> tuple[str, ...] | None:
    """The prefixes of the top-level alternatives of each regex in ``alternatives``,
    without those another one already covers; None when one has no literal prefix (the
    pattern must then be run everywhere)."""
    found = {literal_prefix(alt) for regex in alternatives
             for alt in top_level_alternatives(regex)}
    if "" in found:
        return None
    return tuple(sorted(p for p in found
                        if not any(q != p and p.startswith(q) for q in found)))


def lowered_for_scan(text: str) -> str | None:
    """``text.lower()`` when its offsets are ``text``'s and lower() finds every letter
    the case-insensitive pattern would; otherwise None (use ``find_all``'s slow path)."""
    lowered = text.lower()
    if len(lowered) != len(text) or any(c in text for c in _FOLD_ONLY):
        return None
    return lowered


def find_all(pattern: re.Pattern[str], prefixes: tuple[str, ...] | None, text: str,
             lowered: str | None) -> list[re.Match[str]]:
    """What ``list(pattern.finditer(text))`` returns, for a case-insensitive pattern
    whose every match begins with one of ``prefixes`` (``literal_prefixes`` of its
    alternatives) and does not end where it starts; ``lowered`` is
    ``lowered_for_scan(text)``."""
    if prefixes is None or lowered is None:
        return list(pattern.finditer(text))
    starts: set[int] = set()
    for prefix in prefixes:
        at = lowered.find(prefix)
        while at >= 0:
            starts.add(at)
            at = lowered.find(prefix, at + 1)
    matches: list[re.Match[str]] = []
    free = 0  # finditer's matches do not overlap: the next one starts at or after this
    for at in sorted(starts):
        if at < free:
            continue
        m = pattern.match(text, at)  # lookbehinds still see the text before ``at``
        if m is not None:
            matches.append(m)
            free = m.end()
    return matches
