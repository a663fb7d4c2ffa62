"""Who gives a figure: the source a statement attributes it to, read in code.

Every statement restates one sentence, attribution included ("the Pentagon said",
"according to local officials"), so the speaker is read from the statement with the
summary language's reporting verbs (factsum.pipeline.lexicon). A statement that names
no source is the outlet's own voice: its speaker is empty and the outlet is shown.
Forms of one speaker ("Pentagon", "the Pentagon", "Le Pentagone") are unified per
summary by ``canonical_speakers``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz

from factsum.pipeline.lexicon import lexicon
from factsum.pipeline.verify import fold

_CAPS = r"[A-ZÀ-ÖØ-Þ][\w'’.-]*"


def speaker(statement: str, language: str) -> str:
    """The source ``statement`` attributes itself to, or '' (see the module docstring)."""
    lex = lexicon(language)
    for phrase in lex.according_to:
        m = re.search(rf"\b{re.escape(phrase)}\s+(?P<who>(?:\w+\s+){{0,4}}?{_CAPS}(?:\s+{_CAPS})*"
                      rf"|(?:the\s+)?\w+(?:\s+\w+){{0,3}}?\s+(?:officials|sources|media|police))",
                      statement, re.IGNORECASE)
        if m:
            return _tidy(m.group("who"))
    words = "|".join(sorted((re.escape(v) for v in lex.reporting), key=len, reverse=True))
    if not words:
        return ""
    # "X said", "X, spokesman for Y, said"
    m = re.search(rf"(?P<who>(?:(?:the|The|Le|La|Les|L')\s+)?{_CAPS}(?:\s+{_CAPS})*)"
                  rf"(?:,[^,]{{1,80}},)?\s+(?:has\s+|have\s+|had\s+|a\s+|ont\s+)?(?:{words})\b",
                  statement)
    if m:
        return _tidy(m.group("who"))
    # "..., said X" / "..., announced the Revolutionary Guards"
    m = re.search(rf"\b(?:{words})\s+(?P<who>(?:the\s+)?{_CAPS}(?:\s+{_CAPS})*)", statement)
    if m:
        return _tidy(m.group("who"))
    # "..., officials said", "the army said ...": a short lower-case subject
    m = re.search(rf"(?:^|,\s)(?P<who>(?:[Tt]he\s+)?[a-z]+(?:\s+[a-z]+)?)\s+(?:{words})\b",
                  statement)
    if m and m.group("who").split()[-1] not in _NOT_SPEAKERS:
        return _tidy(m.group("who"))
    return ""


# Subjects of a reporting verb that name no source ("it said", "he added").
_NOT_SPEAKERS = frozenset({"it", "he", "she", "they", "we", "i", "you", "this", "that",
                           "which", "who", "il", "elle", "ils", "elles", "on"})


def _tidy(who: str) -> str:
    return who.strip(" ,.;:").removesuffix("'s")


def canonical_speakers(names: Iterable[str]) -> dict[str, str]:
    """Each name -> the most frequent spelling among the names that denote the same
    speaker (folded, articles dropped, fuzzy-equal)."""
    counts = Counter(n for n in names if n)
    groups: list[list[str]] = []
    for name in sorted(counts, key=lambda n: -counts[n]):
        key = _key(name)
        for group in groups:
            if fuzz.ratio(key, _key(group[0])) >= 85 or key == _key(group[0]):
                group.append(name)
                break
        else:
            groups.append([name])
    return {name: group[0] for group in groups for name in group}


def _key(name: str) -> str:
    return re.sub(r"^(?:the|le|la|les|l')\s+", "", fold(name)).removesuffix("e")
