"""Wire datelines: "MADRID, Nov 10 (ETW) - A ransomware attack has ...".

A dateline opens a wire story with the place in capitals, maybe a date, the agency in
parentheses and a dash. It says whose copy the article is (independence counts articles
crediting one agency once) and it is not part of the fact the sentence states (a point
shows the sentence without it; the citation keeps the sentence as printed).
"""

from __future__ import annotations

import re

# "Olaf Scholz (SPD) - ..." is no dateline: its first word is not in capitals.
_DATELINE = re.compile(
    r"^[A-ZÀ-Þ][A-ZÀ-Þ'.-]{2,}\b[^\n()]{0,50}?\(([A-Za-z][A-Za-z&.]{1,11})\)\s*[-–—]\s*",
    re.MULTILINE)
DATELINE_CHARS = 1500
"""Where an article's dateline is looked for: its start, after the headline."""


def wire_credit(text: str) -> str | None:
    """The news agency an article's dateline credits ("etw" for "MADRID, Nov 10 (ETW) -"),
    lower-cased; None without one."""
    match = _DATELINE.search(text[:DATELINE_CHARS])
    return match.group(1).casefold() if match else None


def without_dateline(sentence: str) -> str:
    """``sentence`` without the dateline it opens with, if any, capitalised as a
    sentence ("A ransomware attack has ...")."""
    match = _DATELINE.match(sentence)
    if match is None or match.end() >= len(sentence):
        return sentence
    rest = sentence[match.end():]
    return rest[:1].upper() + rest[1:]
