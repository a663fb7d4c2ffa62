"""Verify stage: locate every extracted quote in its article and record exact offsets.

A claim survives only if its quote is found in the article text, verbatim after
normalisation (score 100) or by fuzzy alignment above a cutoff. The claim then carries
the article's *own* words at the located span, never the model's copy, so a citation
can always be checked against the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from factsum.models import Article, Claim, ExtractedClaim, Span
from factsum.ingest.textnorm import NormalizedText, normalize, normalize_text

DEFAULT_CUTOFF = 90.0
# Below this many normalised characters a fuzzy match is too likely to be a coincidence
# ("a déclaré", "the Pentagon"): short quotes must be found verbatim.
MIN_FUZZY_CHARS = 12
_PREVIEW_CHARS = 60
_MAX_SLACK = 40  # characters a fuzzy match's edges may move to reach a word boundary
# A figure with its thousands separators ("1,000", "1 000", "1.000"), which are dropped
# so that it compares equal however it is written.
_FIGURE = re.compile(r"\d+(?:[ ,.\u00a0\u202f]\d{3}(?!\d))*")
_SEPARATORS = str.maketrans("", "", " ,.\u00a0\u202f")
# Quotes often give counts in words ("plus d'une douzaine", "dozens", "une vingtaine").
# Reading them into exact values is not needed here: a quote that states a count in
# words may support a statement that gives it in digits. Stems, matched at word start.
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundred|thousand|million|dozen|score|"
    r"un|une|deux|trois|quatre|cinq|sept|huit|neuf|dix|onze|douze|vingt|trente|quarante|"
    r"cinquante|cent|mille|dizaine|douzaine|quinzaine|vingtaine|trentaine|centaine|millier|"
    r"dos|tres|cuatro|diez|docena|decena|veinte|cien|mil|"
    r"zwei|drei|vier|zehn|zw[oö]lf|zwanzig|dutzend|hundert|tausend)",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def _figures(text: str) -> frozenset[str]:
    """The digit figures in ``text`` ("1,200" is 1200); memoised because one claim's
    statement and quote are checked at extraction, verification and dispute finding."""
    return frozenset(figure.translate(_SEPARATORS) for figure in _FIGURE.findall(text))


def unsupported_numbers(statement: str, quote: str) -> list[str]:
    """Figures (in digits) that ``statement`` states and ``quote`` cannot support.

    A statement may rephrase or translate its quote, but a figure it states must be in
    the quoted words: "40 people died" cited to a sentence about smoke inhalation is how
    an instruction injected into an article, or a number the model made up, would get a
    real-looking citation. A quote that gives counts only in words is given the benefit
    of the doubt.
    """
    stated = _figures(statement)
    if not stated:  # most statements: nothing to support, the quote need not be read
        return []
    in_quote = _figures(quote)
    if not in_quote and _NUMBER_WORDS.search(quote):
        return []
    return sorted(stated - in_quote, key=int)


@dataclass(frozen=True, slots=True)
class Located:
    """Where a quote was found: ``text == article_text[span.start:span.end]``."""

    span: Span
    score: float
    text: str


class QuoteLocator:
    """Finds quotes in one text; the text is normalised once, when a quote first needs it,
    and reused for every quote."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Each quote is looked for twice (validating the answer, then verifying the
        # claims): its normal form and where it was found are kept.
        self._needles: dict[str, str] = {}
        self._found: dict[tuple[str, float, int], Located | None] = {}

    @cached_property
    def _norm(self) -> NormalizedText:
        # Normalised on first need: verbatim quotes (the usual case) never need it.
        return normalize_text(self.text)

    def _needle(self, quote: str) -> str:
        needle = self._needles.get(quote)
        if needle is None:
            needle = self._needles[quote] = normalize(quote)
        return needle

    def locate(
        self,
        quote: str,
        *,
        cutoff: float = DEFAULT_CUTOFF,
        min_fuzzy_chars: int = MIN_FUZZY_CHARS,
    ) -> Located | None:
        """Find ``quote``: exact after normalisation, else fuzzy at ``cutoff`` (0..100)."""
        key = (quote, cutoff, min_fuzzy_chars)
        if key not in self._found:
            self._found[key] = self._locate(quote, cutoff, min_fuzzy_chars)
        return self._found[key]

    def _locate(self, quote: str, cutoff: float, min_fuzzy_chars: int) -> Located | None:
        # A quote copied character for character (the usual case with a capable model)
        # is found as it is, without normalising it or mapping offsets back.
        verbatim = quote.strip()
        if verbatim and (at := self.text.find(verbatim)) >= 0:
            end = at + len(verbatim)
            return Located(Span(start=at, end=end), 100.0, self.text[at:end])
        needle = self._needle(quote)
        if not needle or not self._norm.text:
            return None
        at = self._find_exact(needle)
        if at >= 0:
            return self._located(at, at + len(needle), 100.0)
        if len(needle) < min_fuzzy_chars:
            return None
        start, end = self._align(needle)
        start, end, score = self._snap_to_words(needle, start, end)
        if score < cutoff:
            return None
        return self._located(start, end, score)

    def best_score(self, quote: str) -> float:
        """Similarity (0..100) of the passage closest to ``quote``; for error messages."""
        needle = self._needle(quote)
        if not needle or not self._norm.text:
            return 0.0
        if self._find_exact(needle) >= 0:
            return 100.0
        if len(needle) < MIN_FUZZY_CHARS:
            return float(fuzz.ratio(needle, self._norm.text[slice(*self._align(needle))]))
        return self._snap_to_words(needle, *self._align(needle))[2]

    # ------------------------------------------------------------------ internals

    def _find_exact(self, needle: str) -> int:
        """First occurrence of ``needle`` whose ends fall between original characters.

        One original character can normalise to several ("ß" -> "ss"); a match that
        starts or ends inside such an expansion would not be the quote, so skip it.
        """
        hay, starts = self._norm.text, self._norm.starts
        at = hay.find(needle)
        while at >= 0:
            end = at + len(needle)
            starts_clean = at == 0 or starts[at - 1] != starts[at]
            ends_clean = end == len(hay) or starts[end] != starts[end - 1]
            if starts_clean and ends_clean:
                return at
            at = hay.find(needle, at + 1)
        return -1

    def _located(self, start: int, end: int, score: float) -> Located:
        o_start, o_end = self._norm.to_original(start, end)
        return Located(Span(start=o_start, end=o_end), score, self.text[o_start:o_end])

    def _align(self, needle: str) -> tuple[int, int]:
        """Best window of the normalised text for ``needle`` (rapidfuzz, C speed)."""
        hay = self._norm.text
        if len(needle) >= len(hay):
            return 0, len(hay)
        found = fuzz.partial_ratio_alignment(needle, hay)
        if found is None:  # only happens with a score_cutoff, which is not passed
            return 0, len(hay)
        return found.dest_start, found.dest_end

    def _snap_to_words(self, needle: str, start: int, end: int) -> tuple[int, int, float]:
        """Move a fuzzy window's edges to the word boundaries that agree best with the
        quote, so a citation never starts or ends mid-word.

        partial_ratio's window has the quote's length, so when the quote lost or gained
        words the window also spills into a neighbour (", les ... morts.\n\nPeut-").
        Each edge is tried at every boundary within ``slack`` characters, first the
        start (end fixed), then the end: O(slack) ratio calls instead of O(slack²).
        """
        hay = self._norm.text
        slack = min(_MAX_SLACK, max(8, len(needle) // 4))

        def score(s: int, e: int) -> float:
            return float(fuzz.ratio(needle, hay[s:e])) if s < e else -1.0

        starts = [p for p in range(max(0, start - slack), min(len(hay), start + slack) + 1)
                  if _is_start(hay, p)]
        best_start = max(starts, key=lambda p: (score(p, end), -abs(p - start)), default=start)
        ends = [q for q in range(max(best_start + 1, end - slack), min(len(hay), end + slack) + 1)
                if _is_end(hay, q)]
        best_end = max(ends, key=lambda q: (score(best_start, q), -abs(q - end)), default=end)
        return best_start, best_end, max(score(best_start, best_end), 0.0)


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _is_start(hay: str, p: int) -> bool:
    """A span may start at ``p``: not on a space, not inside a word."""
    return (
        p < len(hay)
        and hay[p] != " "
        and (p == 0 or not (_is_word(hay[p - 1]) and _is_word(hay[p])))
    )


def _is_end(hay: str, q: int) -> bool:
    """A span may end at ``q`` (exclusive): not after a space, not inside a word."""
    return (
        q > 0
        and hay[q - 1] != " "
        and (q == len(hay) or not (_is_word(hay[q - 1]) and _is_word(hay[q])))
    )


def locate_quote(quote: str, text: str, *, cutoff: float = DEFAULT_CUTOFF) -> Located | None:
    """Locate ``quote`` in ``text`` (one-off; use ``QuoteLocator`` for many quotes)."""
    return QuoteLocator(text).locate(quote, cutoff=cutoff)


def _preview(quote: str) -> str:
    flat = " ".join(quote.split())
    return flat if len(flat) <= _PREVIEW_CHARS else flat[:_PREVIEW_CHARS] + "…"


def verify_claims(
    article: Article,
    extracted: list[ExtractedClaim],
    start_index: int = 1,
    *,
    cutoff: float = DEFAULT_CUTOFF,
    locator: QuoteLocator | None = None,
) -> tuple[list[Claim], list[tuple[ExtractedClaim, str]]]:
    """Locate each claim's quote in ``article``.

    Returns the located claims, numbered ``f"{article.id}:c{n}"`` from ``start_index``
    (only located claims take a number, so pass ``start_index + len(claims)`` for the
    next batch), and the failures with a one-line reason fit to send back on a re-ask.
    """
    if locator is None or locator.text != article.text:
        locator = QuoteLocator(article.text)
    claims: list[Claim] = []
    failures: list[tuple[ExtractedClaim, str]] = []
    for item in extracted:
        if not item.quote.strip():
            failures.append((item, f"empty quote for article {article.id}"))
            continue
        found = locator.locate(item.quote, cutoff=cutoff)
        if found is None:
            failures.append((item, _miss_reason(article.id, item.quote, locator, cutoff)))
            continue
        if missing := unsupported_numbers(item.statement, found.text):
            failures.append((item, f"statement gives {', '.join(missing)} but its quote "
                                   f"in article {article.id} does not"))
            continue
        claims.append(
            Claim(
                id=f"{article.id}:c{start_index + len(claims)}",
                article_id=article.id,
                statement=item.statement,
                quote=found.text,
                span=found.span,
                match_score=round(found.score, 1),
                asserted_by=item.asserted_by,
                quantities=list(item.quantities),
            )
        )
    return claims, failures


def _miss_reason(article_id: str, quote: str, locator: QuoteLocator, cutoff: float) -> str:
    head = f'quote not found in article {article_id}: "{_preview(quote)}"'
    if len(normalize(quote)) < MIN_FUZZY_CHARS:
        return f"{head} (too short to match approximately; copy it exactly)"
    best = locator.best_score(quote)
    return f"{head} (closest passage scores {best:.0f}/100, {cutoff:.0f} needed)"
