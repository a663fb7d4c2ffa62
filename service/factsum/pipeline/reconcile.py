"""Reconcile: claims that state the same fact become one point citing all of them.

All statements are in the summary language by now, so candidate groups come from code:
rapidfuzz's token-set similarity of their content words, vetoed when the two give
figures for the same measure that cannot both be true (that is a dispute, not a fact),
attribute it to different speakers, or share nothing but names and the language's most
frequent words (the same people, different events). A group takes at most one claim
per article, and a claim joins a group only if it is close to every member (so a chain
of loose resemblances cannot glue two facts together). The point's statement is one of
its members' own statements, nothing written anew: the one that every other cited
sentence states as far as code can check (numbers, dates, negation, speaker), and of
those the common core that the others' words cover rather than the most detailed
telling. A member whose sentence does not state it becomes a point of its own.

Syndication across languages: a translated wire story and the source group of its
original (verbatim copies already grouped by factsum.pipeline.independence) share
several near-identical statements, which independent reports in two languages do not;
they are then one source. Within one source a copy backs nothing: a point keeps the
outlet's own words rather than a translation of another copy.

Two points of different sources that tell one fact in different words, neither stating
the other's statement, may still be merged later (``factsum.pipeline.corroborate``).

Points are ordered by the number of independent sources; then a statement that is an
outlet's own sentence (an article in the summary language) comes before a restatement,
since a translation can be wrong in ways no check sees (judged: most unsupported key
points are translation slips); then by how early their facts come in the articles (news
puts the main facts first). The first ``KEY_POINTS`` are the key points, the rest are
further facts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import justext
import numpy as np
from rapidfuzz import fuzz, process

from factsum.models import Claim, Point
from factsum.pipeline.lexicon import cldr_locale, fold, lexicon
from factsum.pipeline.numbers import overlaps
from factsum.pipeline.quantities import question
from factsum.pipeline.speakers import attributions, names, pronoun_speaker

SAME_FACT = 68
"""Token-set similarity (0-100) of content words at which two statements may state one
fact. DESIGN.md measured 66-75 for real cross-outlet pairs of the seeds' translations
and 66-73 for false ones; requiring closeness to every member of a group, one claim per
article and the figures veto keep the false ones apart."""
SYNDICATED = 88
"""Similarity of a translated copy's statements (87-97 measured on the seeds' AFP copy)."""
MIN_SYNDICATED_PAIRS = 3
SYNDICATED_SHARE = 0.2
"""Measured on the ten recorded examples (3 Dec 2026): no two independent sources in
different languages share more than one verified statement at ``SYNDICATED`` (counted on
the side with fewer); seeds 004 shares 3 with the AFP pair 001/003 (whose longer copy
has 13 statements), 2 and 1 with each copy alone."""
KEY_POINTS = 12
TRANSLATION_TRUST = 0.81
"""How far a restatement is trusted against an untranslated sentence when choosing a
point's statement: the share of restatements that pass their own checks
(``python -m bench.quality``: 137 of 169 on the evaluation set, 3 Dec 2026)."""
_WORD = re.compile(r"[^\W\d_]{4,}")


@lru_cache(maxsize=8192)
def content(text: str) -> str:
    """Folded words of four letters or more: a stopword list needs no language data."""
    return " ".join(_WORD.findall(fold(text)))


def similarity(claims: Sequence[Claim]) -> np.ndarray:
    """Pairwise token-set similarity of the claims' content words (0-100)."""
    words = [content(c.statement) for c in claims]
    # On worker threads (every core) rapidfuzz also releases the GIL: in a batch, the
    # event loop keeps sending other events' requests while a large event is compared.
    return process.cdist(words, words, scorer=fuzz.token_set_ratio, workers=-1)


def _flat(text: str) -> str:
    """Every word and number of ``text``, folded: equal only for the same words."""
    return " ".join(re.findall(r"\w+", fold(text)))


@lru_cache(maxsize=32)
def _common_words(language: str) -> frozenset[str]:
    """jusText's stoplist of ``language``, folded: its most frequent words ("that",
    "announced", "situation" is not one); empty for a language jusText lacks."""
    locale = cldr_locale(language)
    name = (locale.get_display_name("en") or "").replace(" ", "_") if locale else ""
    if name not in justext.get_stoplists():
        return frozenset()
    return frozenset(fold(w) for w in justext.get_stoplist(name))


@lru_cache(maxsize=8192)
def what_happened(statement: str, language: str) -> frozenset[str]:
    """The content words of a statement that are neither names (capitalised inside it)
    nor among the language's most frequent words: what it says happened, not who."""
    given = {fold(name) for name in names(statement)}
    common = _common_words(language)
    return frozenset(w for w in content(statement).split()
                     if w not in given and w not in common)


def _stems(text: str) -> list[str]:
    """The content words of ``text`` cut to five letters, in order ("Revolution" and
    "Revolutionary" are one)."""
    return [w[:5] for w in content(text).split()]


def _one_speaker_pair(a: str, who_a: str, b: str, who_b: str, language: str) -> bool:
    """Whether two statements' different speakers are no reason to keep them apart: the
    same named speaker spelled two ways ("Sport Director Jens Mahler", "sporting director
    Jens Mahler"; "the minister" and "the prime minister" may be two people), or one
    statement's speaker is only the relay ("cited by the state television") of the words
    that the other gives to a speaker it also names, with both naming both in the same
    order (the Guards' words "quoted on state television"). "Trump said Macron lied"
    and "Macron said Trump lied" name no relay."""
    ours, theirs = _stems(who_a), _stems(who_b)
    if not ours or not theirs:  # "the EU": nothing to find
        return False
    shorter = who_a if len(ours) <= len(theirs) else who_b
    if (set(ours) <= set(theirs) or set(theirs) <= set(ours)) and re.search(
            r"\b(?!(?:The|Le|La|Les|Der|Die|Das|El|Il|Lo|O|A)\b)[A-Z]", shorter):
        return True  # one named speaker ("Jens Mahler"); "the minister" is not named
    relays = set(lexicon(language).according_to)
    if not any(att.marker in relays and _stems(" ".join(att.speaker)) in (ours, theirs)
               for statement in (a, b) for att in attributions(statement, language)):
        return False
    order = []
    for statement in (a, b):
        words = _stems(statement)
        if not (set(ours) <= set(words) and set(theirs) <= set(words)):
            return False
        order.append(words.index(ours[0]) < words.index(theirs[0]))
    return order[0] == order[1]


def compatible(a: Claim, b: Claim, speakers: Mapping[str, str], language: str) -> bool:
    """The vetoes: two statements that give different figures for the same measure (20
    missiles against a dozen) state two facts, which may be a dispute, not one; two
    statements attributed to different speakers are each true of their own speaker only
    ("Trump said" and "Macron said" the same words), unless they are one speaker
    after all (``_one_speaker_pair``); and two statements that share only
    names and common words ("Trump follows the situation" and "Trump dismissed plans to
    leave Iraq") say different things of the same people."""
    who_a, who_b = speakers.get(a.id, ""), speakers.get(b.id, "")
    if (who_a and who_b and who_a != who_b
            and not _one_speaker_pair(a.statement, who_a, b.statement, who_b, language)):
        return False
    if (_flat(a.statement) != _flat(b.statement)  # word for word: one fact
            and not what_happened(a.statement, language) & what_happened(b.statement,
                                                                         language)):
        return False
    questions = {question(q) for q in a.quantities} & {question(q) for q in b.quantities}
    for key in questions:
        ours = [(q.low, q.high) for q in a.quantities if question(q) == key]
        theirs = [(q.low, q.high) for q in b.quantities if question(q) == key]
        if not any(overlaps(x, y) for x in ours for y in theirs):
            return False
    return True


def cross_language_copies(claims: Sequence[Claim], groups: Mapping[str, str],
                          languages: Mapping[str, str], scores: np.ndarray
                          ) -> dict[str, str]:
    """``groups`` with articles that translate one another merged (smallest id wins).

    Compared group by group: a wire story already paired with its verbatim copy (seeds
    001 and 003) shares some sentences with its translation through one copy and some
    through the other. Two groups are one source when at least ``MIN_SYNDICATED_PAIRS``
    distinct statements on each side (a sentence that two copies print counts once)
    have a near-identical partner in another language,
    and they make at least ``SYNDICATED_SHARE`` of the shorter side (a group's length:
    its longest article's statements)."""
    parent = dict(groups)

    def root(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    sides: dict[tuple[str, str], tuple[set[int], set[int]]] = {}
    for i, a in enumerate(claims):
        for j in range(i + 1, len(claims)):
            b = claims[j]
            ga, gb = groups[a.article_id], groups[b.article_id]
            if (ga != gb and scores[i][j] >= SYNDICATED
                    and languages[a.article_id] != languages[b.article_id]):
                first, second = (i, j) if ga < gb else (j, i)
                found = sides.setdefault((min(ga, gb), max(ga, gb)), (set(), set()))
                found[0].add(first)
                found[1].add(second)
    per_article = {aid: sum(c.article_id == aid for c in claims) for aid in groups}
    length = {g: max(n for aid, n in per_article.items() if groups[aid] == g)
              for g in set(groups.values())}
    def distinct(found: set[int]) -> int:
        """Matched statements less repeats: one sentence printed by two copies in the
        group counts once."""
        kept: list[int] = []
        for i in sorted(found):
            if not any(scores[i][k] >= SYNDICATED for k in kept):
                kept.append(i)
        return len(kept)

    for (x, y), (on_x, on_y) in sorted(sides.items()):
        matched = min(distinct(on_x), distinct(on_y))
        if (matched >= MIN_SYNDICATED_PAIRS
                and matched >= SYNDICATED_SHARE * (min(length[x], length[y]) or 1)):
            rx, ry = root(x), root(y)
            parent[max(rx, ry)] = min(rx, ry)
    return {aid: root(g) for aid, g in parent.items()}


def group_claims(claims: Sequence[Claim], scores: np.ndarray,
                 speakers: Mapping[str, str] | None = None, *, language: str
                 ) -> list[list[int]]:
    """Indices of claims grouped into facts (see the module docstring). ``speakers``:
    claim id -> canonical speaker ('' for the outlet's own voice); ``language``: the
    statements' (the summary's) language."""
    speakers = speakers or {}
    pairs = sorted(
        ((scores[i][j], i, j) for i in range(len(claims)) for j in range(i + 1, len(claims))
         if scores[i][j] >= SAME_FACT and claims[i].article_id != claims[j].article_id),
        reverse=True,
    )
    group_of = {i: [i] for i in range(len(claims))}
    for _score, i, j in pairs:
        gi, gj = group_of[i], group_of[j]
        if gi is gj:
            continue
        if {claims[k].article_id for k in gi} & {claims[k].article_id for k in gj}:
            continue  # one claim per article in a point
        members = gi + gj
        if all(scores[a][b] >= SAME_FACT
               and compatible(claims[a], claims[b], speakers, language)
               for a in gi for b in gj):
            for k in members:
                group_of[k] = members
    seen: set[int] = set()
    out = []
    for i in range(len(claims)):
        group = group_of[i]
        if id(group) not in seen:
            seen.add(id(group))
            out.append(sorted(group))
    return out


StatedBy = Callable[[Claim, Claim], bool]
"""Whether the second claim's sentence states everything of the first claim's statement
that code can check (``factsum.pipeline.verify.states``)."""


def _words(claim: Claim) -> frozenset[str]:
    return frozenset(content(claim.statement).split())


def _shared(i: int, others: Sequence[int], claims: Sequence[Claim]) -> float:
    """The least share of claim ``i``'s content words that another member also uses."""
    mine = _words(claims[i])
    if not mine or not others:
        return 1.0
    return min(len(mine & _words(claims[j])) / len(mine) for j in others)


def stated_parts(group: Sequence[int], claims: Sequence[Claim], scores: np.ndarray,
                 stated_by: StatedBy | None = None, language: str = "",
                 sources: Mapping[str, str] | None = None) -> list[list[int]]:
    """A group as points whose statement every cited sentence states, each with the
    member that gives the statement first.

    The statement is the member's that the sentences of the most other sources state
    (their numbers, dates, names, negation and speaker; ``sources``: article id ->
    independence group, each article its own source without it). A copy of the same
    text backs nothing: between two copies of one wire story, the outlet's own words
    are kept rather than a translation that drops what the other copy does not say,
    and the copy that does not state them gets its own point. Then one that names its speaker over
    one that gives it as a pronoun ("she said" reads as the summary's own words in a
    point); then the one whose words the others use most (the common core rather than
    the most detailed telling), a restatement counting ``TRANSLATION_TRUST`` of an
    untranslated sentence, which is its own footnote word for word; then the one
    closest to all; an untranslated sentence wins ties. Members whose sentences do not
    state it make points of their own, chosen the same way.
    """
    left = list(group)
    parts: list[list[int]] = []

    def source(i: int) -> str:
        aid = claims[i].article_id
        return sources.get(aid, aid) if sources is not None else aid

    while left:
        backers = {i: [j for j in left if j != i and (
            stated_by is None or stated_by(claims[i], claims[j]))] for i in left}
        best = max(left, key=lambda i: (
            len({source(j) for j in backers[i]} - {source(i)}),
            not pronoun_speaker(claims[i].statement, language),
            _shared(i, backers[i], claims) * (TRANSLATION_TRUST if claims[i].translated
                                              else 1.0),
            sum(scores[i][j] for j in left if j != i),
            not claims[i].translated, -len(claims[i].statement)))
        parts.append([best, *backers[best]])
        left = [k for k in left if k != best and k not in backers[best]]
    return parts


@dataclass(frozen=True)
class Fact:
    """A point before it is ranked: its statement and the claims whose sentences state
    it (indices, the claim that gives the statement first). ``shared``: the statement
    is the fact that two points share, written by the model from their statements
    (``factsum.pipeline.corroborate``), not a member's own."""

    statement: str
    members: tuple[int, ...]
    shared: bool = False


def fact_sources(fact: Fact, claims: Sequence[Claim], groups: Mapping[str, str]
                 ) -> set[str]:
    """The independence groups (``groups``: article id -> group) of the articles whose
    sentences ``fact`` cites."""
    return {groups[claims[i].article_id] for i in fact.members}


def find_facts(claims: Sequence[Claim], groups: Mapping[str, str], *, scores: np.ndarray,
               speakers: Mapping[str, str] | None = None,
               stated_by: StatedBy | None = None, language: str) -> list[Fact]:
    """The claims grouped into facts, each stated by every sentence it cites (see the
    module docstring); ``groups``: article id -> independence group."""
    return [Fact(claims[part[0]].statement, tuple(part))
            for group in group_claims(claims, scores, speakers, language=language)
            for part in stated_parts(group, claims, scores, stated_by, language, groups)]


def rank(facts: Sequence[Fact], claims: Sequence[Claim], groups: Mapping[str, str], *,
         positions: Mapping[str, float]) -> list[Point]:
    """The facts as points, ordered and marked key (see the module docstring). A
    shared statement, written by the model, ranks as a restatement.

    ``positions``: claim id -> where its sentence sits in its article (0 = first).
    """
    def sources(fact: Fact) -> int:
        return len(fact_sources(fact, claims, groups))

    ordered = sorted(facts, key=lambda f: (
        -sources(f), f.shared or claims[f.members[0]].translated,
        min(positions[claims[i].id] for i in f.members), min(f.members)))
    points = []
    for n, fact in enumerate(ordered, start=1):
        count = sources(fact)
        points.append(Point(
            id=f"p{n}", statement=fact.statement,
            claim_ids=[claims[i].id for i in fact.members],
            independent_sources=count, single_source=count == 1,
            key=n <= KEY_POINTS or count > 1, shared=fact.shared,
        ))
    return points


def build_points(claims: Sequence[Claim], groups: Mapping[str, str], *,
                 scores: np.ndarray, positions: Mapping[str, float],
                 speakers: Mapping[str, str] | None = None,
                 stated_by: StatedBy | None = None, language: str) -> list[Point]:
    """Points over the claims, ordered and marked key: ``find_facts`` then ``rank``."""
    return rank(find_facts(claims, groups, scores=scores, speakers=speakers,
                           stated_by=stated_by, language=language),
                claims, groups, positions=positions)
