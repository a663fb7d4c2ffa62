"""The figure reader: counts of missiles, rockets, deaths and injuries read in code.

Why: a count the outlets disagree on is the disagreement a reader most needs to see, and
a small model misses hedged figures ("une dizaine de missiles"), mislabels them ("80
morts" as 'people') or skips "no victims" altogether. Reading the counts from the
article's own sentences makes every figure a dispute shows traceable to the source's
exact words, whatever the model extracted. The reader never invents a statement: its
claims say only "<hedge> <number> <unit>" and quote the whole sentence that says it.

Sentences come from sentencex, spelled numbers ("vingt-deux") from text2num; the
hedges, collectives ("une douzaine") and counted nouns per language are in
factsum.pipeline.figure_lexicon.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

import sentencex
from text_to_num import text2num

from factsum.pipeline.disputes import describe
from factsum.pipeline.figure_lexicon import LEXICONS, Lexicon
from factsum.models import Article, Claim, Qualifier, Quantity, Span
from factsum.pipeline.prefilter import find_all, literal_prefixes, lowered_for_scan
from factsum.pipeline.verify import unsupported_numbers

ORIGIN: Final = "figure_reader"
_NO_SOURCE = "the article"

# Numbers (with thousands separators), elided articles ("d'", "l’") and words.
_TOKEN = re.compile(
    r"\d+(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d+)?|[^\W\d_]+['’]|[^\W\d_]+(?:-[^\W\d_]+)*"
)
_MAX_GAP = 2  # words allowed between a number and its noun: "a dozen ballistic missiles"
_WINDOW = 9  # tokens before a noun that can hold hedge + number + gap
_WINDOW_CHARS = 120  # text searched for those tokens
_CONTEXT_CHARS = 300  # longest quote: this much on each side of the figure's words
_MAX_WHO = 60  # longer "who" captures are sentence fragments, not a source


@dataclass(frozen=True)
class Figure:
    """A count stated in an article: the quantity, its words, and its sentence."""

    quantity: Quantity
    phrase: Span
    sentence: Span
    asserted_by: str


@dataclass(frozen=True)
class _Token:
    text: str
    start: int

    @property
    def key(self) -> str:
        return self.text.casefold().replace("’", "'")


def read_figures(text: str, language: str) -> list[Figure]:
    """Every count of a known noun in ``text``, in text order ([] for unknown languages)."""
    lexicon = LEXICONS.get(language)
    if lexicon is None:
        return []
    pattern, _units = _noun_pattern(language)
    noun_prefixes, negation_prefixes = _prefixes(language)
    lowered = lowered_for_scan(text)
    nouns = find_all(pattern, noun_prefixes, text, lowered)
    zeros = find_all(_negation_pattern(language), negation_prefixes, text, lowered)
    if not nouns and not zeros:
        return []  # most articles of a batch: no sentence segmentation needed
    figures: list[Figure] = []
    noun_starts = [m.start() for m in nouns]
    zero_starts = [m.start() for m in zeros]
    for start, end in _sentences_holding(text, language, sorted(noun_starts + zero_starts)):
        # The matches are in text order: bisect to the sentence's own (a scan of every
        # match for every sentence is quadratic in the article's length).
        inside = _within(nouns, noun_starts, start, end)
        negated = _within(zeros, zero_starts, start, end)
        if inside or negated:
            figures.extend(_read_sentence(text, (start, end), inside, negated, language))
    return figures


def _within(matches: Sequence[re.Match[str]], starts: Sequence[int], start: int, end: int
            ) -> list[re.Match[str]]:
    """The matches (in text order, ``starts`` their offsets) lying in ``[start, end)``."""
    lo, hi = bisect_left(starts, start), bisect_left(starts, end)
    return [m for m in matches[lo:hi] if m.end() <= end]


def figure_claims(articles: Iterable[Article]) -> list[Claim]:
    """One claim per figure, id ``<article id>:f<n>``, quoting the figure's sentence."""
    claims: list[Claim] = []
    for article in articles:
        for n, fig in enumerate(_one_per_figure(read_figures(article.text, article.language)),
                                start=1):
            start, end = fig.sentence.start, fig.sentence.end
            claims.append(Claim(
                id=f"{article.id}:f{n}",
                article_id=article.id,
                statement=_capitalised(describe(fig.quantity)),
                quote=article.text[start:end],
                span=fig.sentence,
                match_score=100.0,
                asserted_by=fig.asserted_by,
                quantities=[fig.quantity],
                origin=ORIGIN,
            ))
    return claims


def _one_per_figure(figures: Sequence[Figure]) -> list[Figure]:
    """An article repeating a figure (title, lead, quoted statement) gives it once,
    preferring the mention that names who gives it."""
    best: dict[tuple[str, float, str], Figure] = {}
    for fig in figures:
        q = fig.quantity
        key = (q.unit, q.value, q.qualifier.value)
        if key not in best or (best[key].asserted_by == _NO_SOURCE != fig.asserted_by):
            best[key] = fig
    return sorted(best.values(), key=lambda f: f.phrase.start)


def quantities_for_disputes(claims: Sequence[Claim], figures: Sequence[Claim]) -> list[Claim]:
    """Model claims keeping only the quantities a dispute may rest on.

    Where the reader has read a sentence, its reading replaces the model's (the model's
    units and hedges are the unreliable part); elsewhere a model quantity counts only if
    its quote states the figure, so a number the model made up cannot start a dispute.
    """
    read: dict[str, list[Span]] = {}
    for f in figures:
        read.setdefault(f.article_id, []).append(f.span)

    def kept(c: Claim) -> list[Quantity]:
        if any(s.start < c.span.end and c.span.start < s.end
               for s in read.get(c.article_id, [])):
            return []
        return [q for q in c.quantities if not unsupported_numbers(describe(q), c.quote)]

    out = []
    for c in claims:
        quantities = kept(c) if c.quantities else c.quantities
        # A pydantic copy costs more than the check: copy only the claims that change.
        out.append(c if len(quantities) == len(c.quantities)
                   else c.model_copy(update={"quantities": quantities}))
    return out


# --------------------------------------------------------------------------- reading


def sentence_spans(text: str, language: str) -> Iterator[tuple[int, int]]:
    """Sentence spans, whitespace trimmed (sentencex returns text, not offsets)."""
    cursor = 0
    for sentence in sentencex.segment(language, text):
        stripped = sentence.strip()
        if not stripped:
            continue
        start = text.find(stripped, cursor)
        if start < 0:  # never expected; skip rather than mis-cite
            continue
        cursor = start + len(stripped)
        yield start, cursor


# A paragraph: lines up to a blank line. sentencex always ends a sentence there, so the
# sentences of a paragraph segmented alone are those of the whole text (a test keeps
# that true), and segmenting costs about 0.25 ms per 1,000 words.
_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?![ \t]*(?:\n|$))[^\n]*)*")


def _sentences_holding(text: str, language: str, offsets: Sequence[int]
                       ) -> Iterator[tuple[int, int]]:
    """Sentence spans of the paragraphs that hold one of ``offsets`` (sorted): most
    paragraphs state no count, and need not be segmented."""
    for para in _PARAGRAPH.finditer(text):
        at = bisect_left(offsets, para.start())
        if at < len(offsets) and offsets[at] < para.end():
            base = para.start()
            for start, end in sentence_spans(para.group(), language):
                yield base + start, base + end


@cache
def _noun_pattern(language: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    lexicon = LEXICONS[language]
    units = tuple(lexicon.nouns.values())
    alts = "|".join(f"(?P<u{i}>{alt})" for i, alt in enumerate(lexicon.nouns))
    return re.compile(rf"{_first_letters(lexicon.nouns)}(?<![\w-])(?:{alts})(?![\w-])",
                      re.IGNORECASE), units


@cache
def _prefixes(language: str) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """Literal starts of the noun and negation patterns' matches (factsum.pipeline.prefilter)."""
    lexicon = LEXICONS[language]
    return (literal_prefixes(lexicon.nouns),
            literal_prefixes(re.escape(n) for n in lexicon.negations))


def _first_letters(alternatives: Iterable[str]) -> str:
    """A lookahead on the letters the alternatives can start with.

    Why: without it the regex engine tries every alternative at every position of the
    article, which made the reader cost more than the rest of the client's work.
    """
    letters = {branch[0] for alt in alternatives for branch in alt.split("|")}
    return f"(?=[{re.escape(''.join(sorted(letters)))}])"


@cache
def _negation_pattern(language: str) -> re.Pattern[str]:
    lexicon = LEXICONS[language]
    nouns = "|".join(
        f"(?P<u{i}>{alt})" for i, (alt, unit) in enumerate(lexicon.nouns.items())
        if unit in {"deaths", "casualties", "injuries"}
    )
    ordered = sorted(lexicon.negations, key=len, reverse=True)
    negs = "|".join(re.escape(n) for n in ordered)
    links = "|".join(re.escape(w) for w in lexicon.linkers)
    link = rf"(?:(?:{links})\s*)?" if links else ""
    # "pas de victime", "n'auraient pas fait de victime", "no American casualties".
    return re.compile(
        rf"{_first_letters(ordered)}(?<![\w-])(?:{negs})(?:\s+[^\W\d_]+){{0,2}}?\s+{link}"
        rf"(?:{nouns})(?![\w-])",
        re.IGNORECASE,
    )


def _read_sentence(text: str, sentence: tuple[int, int], nouns: Sequence[re.Match[str]],
                   negations: Sequence[re.Match[str]], language: str) -> Iterator[Figure]:
    """Figures of one sentence from the noun and negation matches inside it."""
    lexicon = LEXICONS[language]
    units = _noun_pattern(language)[1]
    taken: list[tuple[int, int]] = []
    for m in nouns:
        window = max(sentence[0], m.start() - _WINDOW_CHARS)
        before = [_Token(t.group(), t.start())
                  for t in _TOKEN.finditer(text, window, m.start())][-_WINDOW:]
        if window > sentence[0]:
            before = before[1:]  # may be a word cut in half by the window
        parsed = _count_before(before, language, lexicon)
        if parsed is None:
            continue
        first, value, qualifier = parsed
        taken.append((first, m.end()))
        yield _figure(text, sentence, (first, m.end()), value, qualifier,
                      units[_group_index(m)], language)
    for m in negations:
        if not any(a < m.end() and m.start() < b for a, b in taken):
            yield _figure(text, sentence, (m.start(), m.end()), 0.0, Qualifier.EXACT,
                          units[_group_index(m)], language)


def _group_index(m: re.Match[str]) -> int:
    """Index of the noun alternative that matched (groups are named u0, u1, ...)."""
    name = next(k for k, v in m.groupdict().items() if v is not None)
    return int(name[1:])


def _figure(text: str, sentence: tuple[int, int], phrase: tuple[int, int], value: float,
            qualifier: Qualifier, unit: str, language: str) -> Figure:
    """A Figure from offsets into ``text``."""
    start, end = clip_sentence(text, sentence, phrase)
    return Figure(
        quantity=Quantity(value=value, high=None, unit=unit, qualifier=qualifier),
        phrase=Span(start=phrase[0], end=phrase[1]),
        sentence=Span(start=start, end=end),
        asserted_by=_attribution(text[start:end], phrase[0] - start, language),
    )


def clip_sentence(text: str, sentence: tuple[int, int], phrase: tuple[int, int]
                  ) -> tuple[int, int]:
    """The sentence, or a window of it around the phrase cut at spaces when it is long.

    A text with no sentence ends (hostile or badly extracted) must not turn every
    figure into a megabyte quote, nor make attribution scan it once per figure.
    """
    start, end = sentence
    if end - start <= 2 * _CONTEXT_CHARS:
        return start, end
    lo = max(start, phrase[0] - _CONTEXT_CHARS)
    hi = min(end, phrase[1] + _CONTEXT_CHARS)
    if lo > start:
        cut = text.find(" ", lo, phrase[0])
        lo = cut + 1 if cut >= 0 else phrase[0]
    if hi < end:
        cut = text.rfind(" ", phrase[1], hi)
        hi = cut if cut >= 0 else phrase[1]
    return lo, hi


def _count_before(tokens: Sequence[_Token], language: str, lexicon: Lexicon
                  ) -> tuple[int, float, Qualifier] | None:
    """(offset, value, qualifier) of the count that ends just before a noun, if any."""
    for gap in range(0, _MAX_GAP + 1):
        if gap > len(tokens):
            break
        if gap and not _gap_word(tokens[-gap], lexicon):
            break
        head = tokens[: len(tokens) - gap]
        number = _number_at_end(head, language, lexicon)
        if number is None:
            continue
        used, value, qualifier = number
        rest = head[: len(head) - used]
        hedge = _hedge_at_end(rest, lexicon)
        if hedge is not None:
            used_hedge, qualifier = hedge
            return rest[len(rest) - used_hedge].start, value, qualifier
        return head[len(head) - used].start, value, qualifier
    return None


def _gap_word(token: _Token, lexicon: Lexicon) -> bool:
    """Linkers ("de", "of") and lower-case words; never a number or a capitalised name."""
    if token.key in lexicon.linkers:
        return True
    return token.text[:1].islower() and not token.text[:1].isdigit() and len(token.text) > 2


def _number_at_end(tokens: Sequence[_Token], language: str, lexicon: Lexicon
                   ) -> tuple[int, float, Qualifier] | None:
    """(tokens used, value, qualifier) of a number closing ``tokens``."""
    for size in (2, 1):
        if len(tokens) >= size:
            words = " ".join(t.key for t in tokens[-size:])
            if words in lexicon.collectives:
                value, qualifier = lexicon.collectives[words]
                return size, value, qualifier
    if not tokens:
        return None
    last = tokens[-1].text
    if last[0].isdigit():
        digits = _digits(last)
        if digits is None or (1800 <= digits <= 2100 and last.isdigit()):
            return None  # a year, not a count
        return 1, digits, Qualifier.EXACT
    for size in (3, 2, 1):
        if len(tokens) < size:
            continue
        try:
            number = text2num(" ".join(t.text for t in tokens[-size:]), language)
        except ValueError:
            continue
        if number >= 2:  # "un missile", "one of the missiles" are not counts in dispute
            return size, float(number), Qualifier.EXACT
    return None


def _digits(token: str) -> float | None:
    """'1 200' / '1,200' / '1.200' -> 1200; '2,5' / '2.5' -> 2.5."""
    compact = re.sub(r"[\u00a0\u202f ]", "", token)
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", compact):
        return float(re.sub(r"[.,]", "", compact))
    try:
        return float(compact.replace(",", "."))
    except ValueError:
        return None


def _hedge_at_end(tokens: Sequence[_Token], lexicon: Lexicon) -> tuple[int, Qualifier] | None:
    for size in (3, 2, 1):
        if len(tokens) >= size:
            words = " ".join(t.key for t in tokens[-size:])
            if words in lexicon.hedges:
                return size, lexicon.hedges[words]
    return None


# --------------------------------------------------------------------------- attribution


@cache
def _attribution_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    lexicon = LEXICONS[language]
    acc = "|".join(re.escape(a) for a in lexicon.according_to)
    verbs = "|".join(re.escape(v) for v in sorted(lexicon.reporting_verbs, key=len,
                                                  reverse=True))
    det = r"(?:les|le|la|l['’]|une|un|the|an|a|el|los|las|die|der|das)"
    name = r"[^\W\d_][\w'’-]*"
    # "les Gardiens de la révolution", "the Department of Defense"
    tail = r"(?:\s+(?:de la|de l['’]|du|des|de|of the|of)\s*[^\W\d_][\w'’-]*)?"
    return (
        # "selon l’armée irakienne, ...", "according to the Pentagon."
        re.compile(rf"(?<![\w-])(?:{acc})\s+(?P<who>[^,.;:!?«»\"“”()]{{3,{_MAX_WHO}}}?)"
                   r"(?=\s*[,.;:!?)]|$)", re.IGNORECASE),
        # "..., a indiqué mardi soir le Pentagone", "announced the Revolutionary Guards"
        re.compile(rf"(?<![\w-])(?:{verbs})\s+(?:[^\W\d_]+\s+){{0,3}}?"
                   rf"(?P<who>(?:{det}\s*)?[A-ZÀ-Ý][\w'’-]*(?:\s+[A-ZÀ-Ý][\w'’-]*){{0,3}}{tail})"),
        # "les Iraniens annoncent", "une source de sécurité évoquait", "the Pentagon said"
        re.compile(rf"(?<![\w-])(?P<who>{det}\s*{name}(?:\s+{name}){{0,3}}?)\s+(?:{verbs})"
                   r"(?![\w-])", re.IGNORECASE),
    )


def _attribution(sentence: str, at: int, language: str) -> str:
    """Who the sentence says gives the figure: the source named nearest to it."""
    best: tuple[int, str] | None = None
    for pattern in _attribution_patterns(language):
        for m in pattern.finditer(sentence):
            who = " ".join(m.group("who").split())
            if not who or len(who) > _MAX_WHO:
                continue
            distance = abs(m.start("who") - at)
            if best is None or distance < best[0]:
                best = (distance, who)
    return best[1] if best else _NO_SOURCE


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
