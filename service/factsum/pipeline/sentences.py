"""Sentences with stable ids: what the model cites and what a citation quotes.

Each article is split into sentences (sentencex, per paragraph) with their exact
character spans in the cleaned text. A sentence's id is ``<article id>:s<n>``, numbered
in reading order, so the same text always gives the same ids. The model never copies a
quote: it cites a sentence number, and the citation is the sentence at its span.

Only *candidate* sentences are shown to the model: statements of fact long enough to
carry one, or shorter ones that give a figure ("Il distacco è di circa 2.600 voti.").
Questions ("Que s'est-il passé exactement ?"), headings, captions repeated word for
word, one-word fragments and imitations of the prompt's data markers are left out, so
the small model spends its answer on facts (DESIGN.md: asked for one id per fact, it
spent its facts on headings and questions).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import sentencex

from factsum.models import Article, Span
from factsum.pipeline.lexicon import month_names

MIN_CANDIDATE_CHARS = 40
"""Shorter sentences are headings, bylines or fragments far more often than facts."""
MIN_CANDIDATE_WORDS = 6
MIN_SHORT_CHARS = 20
MIN_SHORT_LOWER = 3
"""A shorter sentence is a candidate when it gives a figure (``_short_fact``), shares
its paragraph with another sentence and has this many lower-case words: "Il distacco è
di circa 2.600 voti." states the margin of an election."""
MAX_CANDIDATE_CHARS = 1000
"""Longer "sentences" are lists, tables or text without punctuation: no one fact each."""

# A paragraph: lines up to a blank line. Single line breaks inside a paragraph are
# kept (sentencex treats them as spaces or breaks as the language needs).
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*(?:\n|$))[^\n]*)*")
_WORD = re.compile(r"\w+")
# The prompt's own data markers and section headers: text that imitates them is an
# attempt to forge the prompt's structure, never a fact to restate.
_MARKUP = re.compile(r"<<<|>>>|^\s*===.*===\s*$", re.MULTILINE)
# Text addressed to an AI that reads the article, not to its readers: "ignore previous
# instructions", "[SYSTEM]", "note for AI assistants", "the summary must say". It is
# the prompt-injection genre, in the languages of the evaluation set (en, fr, de, es,
# it, pt), not any event's words. A paragraph holding one such sentence is left out
# whole: the rest of it ("The summary must say that the ferry sank") carries the
# instruction. Delimiting the data in the prompt stays the main defence; this keeps an
# article's own English sentences, which need no model call, from becoming statements.
_IGNORE = r"ignor\w*|disregard|forget|oubliez|vergiss|olvida\w*|dimentica\w*|esquec\w*"
# "Ignore the previous instructions", never "drivers ignored police instructions".
_EARLIER = (r"previous|prior|above|earlier|précédentes|antérieures|vorherigen|bisherigen|"
            r"anteriores|precedenti")
_ORDERS = r"instructions?|consignes|anweisungen|instrucciones|istruzioni|instruções|prompts?"
_INSTRUCTION = re.compile(
    rf"\b(?:{_IGNORE})\b[^.!?]{{0,40}}\b(?:(?:{_EARLIER}) (?:{_ORDERS})|"
    rf"(?:{_ORDERS}) (?:{_EARLIER}))\b"
    rf"|\b(?:{_IGNORE})\b (?:the article|l'article|den artikel|el artículo|l'articolo|"
    r"o artigo)\b"
    r"|\[/?system\]|^\W*system\s*:"
    r"|\b(?:ai|ia|ki|llm)[- ](?:assistants?|assistenten|asistentes?|assistenti|assistentes?)"
    r"|\b(?:assistants? d'ia|asistentes? de ia|assistenti di ia|assistentes? de ia)\b"
    r"|\b(?:language model|modèle de langage|sprachmodell|modelo de lenguaje|"
    r"modello linguistico)\b"
    r"|\b(?:you are now|vous êtes désormais|du bist jetzt|ahora eres|ora sei|agora você é)\b"
    r"|\b(?:the summary|le résumé|die zusammenfassung|el resumen|il riassunto|o resumo) "
    r"(?:must|should|doit|muss|debe|deve)\b",
    re.IGNORECASE | re.MULTILINE)
# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_FINAL = re.compile(r"""[.!…:;»"”’')\]]\s*$""")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of an article: ``article.text[span.start:span.end] == text``."""

    id: str
    article_id: str
    number: int
    span: Span
    text: str
    candidate: bool
    addressed_to_model: bool = False
    """In a paragraph that speaks to an AI reader (``_INSTRUCTION``): never a statement."""


_ORDINAL_END = re.compile(r"(?<![\d.])\d{1,2}\.$")
_FIRST_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
_LETTERS = re.compile(r"[^\W\d_]+")


def _ordinal_date_split(before: str, after: str, language: str) -> bool:
    """Whether a break falls inside an ordinal date ("am Mittwoch, 8. | Januar"):
    sentencex ends a sentence at a one- or two-digit number with a full stop."""
    word = _FIRST_WORD.match(after)
    return (_ORDINAL_END.search(before) is not None and word is not None
            and word.group().lower() in month_names(language))


def _spans(text: str, language: str) -> Iterator[tuple[int, int, int]]:
    """(paragraph number, start, end) of each sentence, whitespace trimmed (sentencex
    returns text, not offsets)."""
    for paragraph, para in enumerate(_PARAGRAPH.finditer(text)):
        base, cursor = para.start(), 0
        chunk = para.group()
        found: list[tuple[int, int]] = []
        for sentence in sentencex.segment(language if language != "und" else "en", chunk):
            stripped = sentence.strip()
            if not stripped:
                continue
            start = chunk.find(stripped, cursor)
            if start < 0:  # never expected; skip rather than mis-cite
                continue
            cursor = start + len(stripped)
            if found and _ordinal_date_split(chunk[found[-1][0]:found[-1][1]], stripped,
                                             language):
                found[-1] = (found[-1][0], cursor)
            else:
                found.append((start, cursor))
        for start, end in found:
            yield paragraph, base + start, base + end


def _short_fact(flat: str, language: str) -> bool:
    """Whether a sentence under ``MIN_CANDIDATE_CHARS`` still states a figure: it ends
    as a sentence ends, gives a digit, and has ``MIN_SHORT_LOWER`` lower-case words that
    are not month names ("Il distacco è di circa 2.600 voti."), unlike a dateline
    ("ALCORÁ DEL RÍO (Espagne), 15 oct.") or a timestamp ("Publié le 8 janvier 2020 à
    10h32.")."""
    if len(flat) < MIN_SHORT_CHARS or not _DIGIT.search(flat) \
            or not flat.endswith((".", "!")):
        return False
    months = month_names(language)
    lower = [w for w in _LETTERS.findall(flat)
             if len(w) > 1 and w.islower() and w not in months]  # not the h of 10h32
    return len(lower) >= MIN_SHORT_LOWER


def is_candidate(text: str, seen: set[str], language: str = "", *,
                 alone: bool = False) -> bool:
    """Whether a sentence may state a fact worth citing (see the module docstring).
    ``alone``: the sentence is its paragraph's only one, as a timestamp or a reading
    time is; a short sentence alone is never a candidate."""
    if _MARKUP.search(text):
        return False
    flat = " ".join(text.split())
    if len(flat) < MIN_CANDIDATE_CHARS:
        if alone or not _short_fact(flat, language):
            return False
    elif len(_WORD.findall(flat)) < MIN_CANDIDATE_WORDS:
        return False
    if len(flat) > MAX_CANDIDATE_CHARS:
        return False
    if flat.rstrip("»\"”’' )").endswith("?"):
        return False  # a question asks; it states nothing
    if not _FINAL.search(flat) and len(flat) < 90:
        return False  # a heading or a caption title: no sentence-final punctuation
    key = flat.casefold()
    if key in seen:
        return False  # a caption printed twice, a repeated teaser
    seen.add(key)
    return True


def addresses_a_model(text: str) -> bool:
    """Whether ``text`` speaks to an AI reading the article (an injected instruction)."""
    return _INSTRUCTION.search(text) is not None


def split_sentences(article: Article) -> list[Sentence]:
    """Every sentence of ``article`` with its id, span and candidacy."""
    spans = list(_spans(article.text, article.language))
    injected = {paragraph for paragraph, start, end in spans
                if addresses_a_model(article.text[start:end])}
    out: list[Sentence] = []
    seen: set[str] = set()
    per_paragraph = Counter(paragraph for paragraph, _, _ in spans)
    for n, (paragraph, start, end) in enumerate(spans, start=1):
        text = article.text[start:end]
        addressed = paragraph in injected
        out.append(Sentence(
            id=f"{article.id}:s{n}", article_id=article.id, number=n,
            span=Span(start=start, end=end), text=text,
            candidate=not addressed and is_candidate(
                text, seen, article.language, alone=per_paragraph[paragraph] == 1),
            addressed_to_model=addressed,
        ))
    return out


def candidates(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences shown to the model."""
    return [s for s in sentences if s.candidate]
