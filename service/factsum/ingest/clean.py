"""Text cleaning: the rules that turn scraped or pasted article text into clean text.

Moved out of ``factsum.ingest.readers``, which re-exports every public name here. The cleaned
text is what every later offset refers to, so each rule is a pure function and removes
only page furniture, never article content: same input, same text, same article id.

Text rules work on the whole text, line rules on its lines (after the text rules).
Each rule is a pure function, so cleaning is deterministic and each can be tested.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Cleaned", "clean_text", "guess_title", "strip_markdown", "without_surrogates"]


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


def without_surrogates(text: str) -> str:
    """Replace lone UTF-16 surrogates with U+FFFD (a surrogate pair becomes its character).

    JSON escapes ("\\ud800") and undecodable file names (``surrogateescape``) put lone
    surrogates into ``str``; they cannot be encoded as UTF-8, so hashing, writing or
    printing such text would crash far from where it came in.
    """
    try:
        text.encode("utf-8")  # a plain copy, cheaper than scanning for surrogates
    except UnicodeEncodeError:
        pass
    else:
        return text  # the common case: no change
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _nfc(text: str) -> str:
    # Canonical composition only (é stays é whether typed composed or not), so copies
    # of one article saved by different tools get the same id. Not NFKC: that would
    # rewrite characters (ligatures, superscripts) and move quote offsets.
    return unicodedata.normalize("NFC", text)


_ODD_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")


def _unify_newlines(text: str) -> str:
    # Most texts have only "\n": six C-speed ``in`` scans cost a tenth of the
    # substitution's pass (the regex engine cannot skip ahead for this pattern).
    if not any(brk in text for brk in "\r\u2028\u2029\x0b\x0c\x85"):
        return text
    return _ODD_BREAKS.sub("\n", text)


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
    # Both patterns need a literal that most texts lack; checking it first is much
    # cheaper than letting the regex try every position.
    if "t.co/" in text or "pic.twitter.com/" in text:
        text = _TWEET_LINK.sub("", text)
    if "(@" in text:
        text = _TWEET_SIGNATURE.sub("\n\n", text)
    return text


_TEXT_RULES = (
    without_surrogates, _nfc, _unify_newlines, _drop_invisible, _br_tags_to_breaks,
    _drop_tweet_debris,
)


def _strip_lines(lines: list[str]) -> list[str]:
    # Trim each line, and make any run of horizontal whitespace (tabs, no-break spaces)
    # one space. The text rules have already turned every other line break into "\n"
    # and dropped control characters, so split() sees only horizontal whitespace.
    return [" ".join(line.split()) for line in lines]


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


NAV_LINE_WORDS = 5
"""A site's name can take five words ("El Heraldo de la Costa", "Le Courrier du Midi")."""


def _is_nav_line(line: str) -> bool:
    """Short label with no sentence punctuation: "BFMTV", "International", "Alerte info",
    "Le Courrier du Midi"."""
    return (
        0 < len(line) <= 30
        and len(line.split()) <= NAV_LINE_WORDS
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
    """The headline the text opens with, if it has one: a first line of 2 to 25 words
    (at most 200 characters) that starts like a title and does not end like a sentence
    or a dateline, followed by body text.

    The headline is its own paragraph ("Headline\n\nBody..."), or a line directly above
    a long body line ("Headline\nBody..." as pages are often scraped). A hard-wrapped
    paragraph (lines of similar length) never gives its first line as a title.
    """
    first, sep, rest = text.partition("\n")
    if not sep or not rest.strip():
        return None
    if not rest.startswith("\n"):  # the same paragraph: only above one long body line
        body = rest.split("\n", 1)[0]
        if len(body) < max(100, 2 * len(first)):
            return None
    words = first.split()
    if not (2 <= len(words) <= 25 and len(first) <= 200):
        return None
    if first[0].islower() or first.endswith((".", ",", ";", ":", "-", "–", "—")):
        return None
    return first


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
