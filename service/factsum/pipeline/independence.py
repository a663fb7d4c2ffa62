"""Independence: find syndicated copy (wire stories reprinted by several outlets).

Two articles that share long verbatim passages are not independent sources: a fact they
both state counts once. Articles are compared on normalised words (``textnorm``), so
quote marks, apostrophes, casing and punctuation do not hide shared copy; translations
are not detected by this (the words differ); a dateline that credits a news agency is
(below), and translated copies are also paired by their restatements
(``factsum.pipeline.reconcile.cross_language_copies``).

A dateline that credits an agency ("MADRID, Nov 10 (ETW) -", "PARIS (AFP) -") says the
article is that agency's copy, in whatever language it is printed: articles crediting
the same agency are one source, as wire copy is counted in newsrooms.

Thresholds, measured on the seeds (words after normalisation, common runs of at
least ``shingle_words`` words):

* 001 + 003 (both built on the same AFP dispatch): longest common run 68 words
  (the two Hoffman quotes with their attribution), 95 shared words in three passages
  (68 + 16 "Plusieurs Etats membres de la coalition ont déjà retiré des soldats, par
  craintes de nouvelles attaques" + 11), 22% of 001;
* 002 + 003: one 17-word run ("contre les bases d'Aïn al-Assad et d'Erbil en Irak,
  utilisées par l'armée américaine"), nothing else; every other pair shares no run of
  8 words or more (at most 7: "dans la nuit de mardi à mercredi").

So a pair is linked when its longest run is at least ``min_run_words`` (20, above the
17 of 002/003 and far below the 68 of 001/003) *and* it shares at least
``min_shared_words`` (40) words in all: one long statement quoted word for word by two
independent reports (say a 30-word Pentagon communiqué) gives one run and no other
shared passage, so it stays under 40. Heavily shared copy whose runs are broken up by
small edits is caught by ``min_shared_fraction`` (half of the shorter article, and still
at least ``min_shared_words``, so that a short brief made of one quoted statement is not
"mostly shared" with every report quoting it).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from operator import itemgetter

from factsum.ingest.datelines import wire_credit
from factsum.ingest.textnorm import normalize
from factsum.models import Article

_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class IndependenceRules:
    """When two articles count as one source (see the module docstring for the why)."""

    shingle_words: int = 8  # a shared passage must be at least this long to count at all
    min_run_words: int = 20
    min_shared_words: int = 40
    min_shared_fraction: float = 0.5


DEFAULT_RULES = IndependenceRules()


@dataclass(frozen=True, slots=True)
class Overlap:
    """Verbatim copy shared by two articles (``first`` < ``second`` by id)."""

    first: str
    second: str
    longest_run: int  # words in the longest common passage
    shared_words: int  # words of ``first`` inside any common passage
    shared_fraction: float  # shared_words / words of the shorter article
    excerpt: str  # the longest common passage, normalised, cut to 120 chars

    def explain(self) -> str:
        """One line saying why the two articles are grouped (or not)."""
        return (
            f"{self.first} ~ {self.second}: {self.shared_words} shared words "
            f"({self.shared_fraction:.0%} of the shorter), longest verbatim run "
            f"{self.longest_run} words: \"{self.excerpt}\""
        )


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def _shingles(words: list[str], k: int) -> dict[tuple[str, ...], list[int]]:
    index: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for i in range(len(words) - k + 1):
        index[tuple(words[i : i + k])].append(i)
    return index


def _overlap_from_runs(a_id: str, a: list[str], b: list[str], b_id: str,
                       runs: list[tuple[int, int]]) -> Overlap:
    covered: set[int] = set()
    for start, length in runs:
        covered.update(range(start, start + length))
    longest = max(runs, key=lambda r: r[1], default=(0, 0))
    excerpt = " ".join(a[longest[0] : longest[0] + longest[1]])
    shorter = min(len(a), len(b)) or 1
    return Overlap(
        first=a_id,
        second=b_id,
        longest_run=longest[1],
        shared_words=len(covered),
        shared_fraction=len(covered) / shorter,
        excerpt=excerpt if len(excerpt) <= 120 else excerpt[:119] + "…",
    )


def is_syndicated(overlap: Overlap, rules: IndependenceRules = DEFAULT_RULES) -> bool:
    """True when the overlap is wire copy rather than a commonly quoted line."""
    long_copy = (
        overlap.longest_run >= rules.min_run_words
        and overlap.shared_words >= rules.min_shared_words
    )
    mostly_shared = (
        overlap.shared_words >= rules.min_shared_words
        and overlap.shared_fraction >= rules.min_shared_fraction
    )
    return long_copy or mostly_shared


def iter_overlaps(
    articles: Sequence[Article], rules: IndependenceRules = DEFAULT_RULES
) -> Iterator[Overlap]:
    """Overlaps of every pair of articles sharing at least one ``shingle_words`` run, one
    pair at a time, ordered by (first id, second id)."""
    if len(articles) < 2:
        return  # nothing to compare: a one-article event skips normalising its text
    k = rules.shingle_words
    words = {art.id: _words(art.text) for art in articles}
    # One index of every shingle's positions in every article; a pair's common runs are
    # read off the shingles it shares (cost: shared shingles, not pairs x article length).
    shingles = {aid: _shingles(ws, k) for aid, ws in words.items()}
    # shingle -> (article id, starts) in ascending id order
    owners: dict[tuple[str, ...], list[tuple[str, list[int]]]] = defaultdict(list)
    for aid in sorted(shingles):
        for shingle, starts in shingles[aid].items():
            owners[shingle].append((aid, starts))
    # The matches of one first article's pairs at a time: a sentence that every article
    # shares makes n^2 / 2 pairs, and holding all their matches at once took gigabytes.
    for x in sorted(shingles):
        matches: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for shingle, starts in shingles[x].items():
            owned = owners[shingle]
            for y, y_starts in owned[bisect_right(owned, x, key=itemgetter(0)):]:
                matches[y].extend(product(starts, y_starts))
        for y in sorted(matches):
            runs = _runs_from_matches(matches[y], k)
            yield _overlap_from_runs(x, words[x], words[y], y, runs)


def find_overlaps(
    articles: Sequence[Article], rules: IndependenceRules = DEFAULT_RULES
) -> list[Overlap]:
    """``iter_overlaps`` as a list (for a few articles: the list grows with the pairs)."""
    return list(iter_overlaps(articles, rules))


def _runs_from_matches(matches: list[tuple[int, int]], k: int) -> list[tuple[int, int]]:
    """Maximal common runs as (start in ``a``, length in words), each >= ``k`` words, from
    the matching shingle starts (i in a, j in b), ordered by where each run ends."""
    found: list[tuple[int, int, int, int]] = []  # (end shingle + 1, last j, start, length)
    by_diagonal: dict[int, list[int]] = defaultdict(list)
    for i, j in matches:
        by_diagonal[i - j].append(i)
    for d, starts in by_diagonal.items():
        starts.sort()
        first = starts[0]
        for prev, following in zip(starts, [*starts[1:], -1], strict=True):
            if following != prev + 1:  # the run along this diagonal ends at ``prev``
                found.append((prev + 1, prev - d, first, prev - first + k))
                first = following
    found.sort()
    return [(start, length) for _end, _j, start, length in found]


def independence_groups(
    articles: Sequence[Article], rules: IndependenceRules = DEFAULT_RULES
) -> dict[str, str]:
    """Map each article id to its group id (the smallest article id in its group)."""
    parent = {art.id: art.id for art in articles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        # The smaller id becomes the root, so the root is the group's smallest id.
        parent[max(ra, rb)] = min(ra, rb)

    for overlap in iter_overlaps(articles, rules):
        if is_syndicated(overlap, rules):
            join(overlap.first, overlap.second)
    first_with: dict[str, str] = {}
    for art in articles:
        if (credit := wire_credit(art.text)) is not None:
            join(first_with.setdefault(credit, art.id), art.id)
    return {aid: root(aid) for aid in parent}


def explain(articles: Sequence[Article], rules: IndependenceRules = DEFAULT_RULES) -> list[str]:
    """One line per pair of articles that share verbatim copy, grouped or not."""
    return [
        f"{'same source' if is_syndicated(o, rules) else 'independent'}: {o.explain()}"
        for o in iter_overlaps(articles, rules)
    ]
