"""Assemble an event in code: verify the statements, read their figures, group them into
facts (``draft``), then rank the facts as points and find the disputes (``finish``). No
model call happens here; between the two, ``factsum.pipeline.corroborate`` may merge
facts that the model finds two sources share. Given the same statements and answers it
always gives the same summary parts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from factsum.ingest.datelines import without_dateline
from factsum.ingest.labels import source_labels
from factsum.models import Article, Claim, Dispute, Point, Quantity, Unverified
from factsum.pipeline.calendar_check import calendar_disputes
from factsum.pipeline.disputes import categorical_disputes, figure_disputes
from factsum.pipeline.independence import independence_groups
from factsum.pipeline.lexicon import lexicon
from factsum.pipeline.numbers import interval
from factsum.pipeline.quantities import read_mentions
from factsum.pipeline.reconcile import (
    SAME_FACT,
    Fact,
    cross_language_copies,
    find_facts,
    rank,
    similarity,
)
from factsum.pipeline.sentences import Sentence
from factsum.pipeline.speakers import canonical_speakers, speaker
from factsum.pipeline.verify import (
    event_vocabulary,
    figures_hold,
    hedge_kept,
    sentence_hedges,
    states,
    verify_article,
)


@dataclass
class Assembled:
    """Everything a Summary needs from the code stages."""

    claims: list[Claim]
    unverified: list[Unverified]
    points: list[Point]
    disputes: list[Dispute]
    groups: dict[str, str]


def outlet_labels(articles: Sequence[Article], language: str) -> dict[str, str]:
    """How a reader knows each article (article id -> label): its outlets, else a short
    name, never shared by two articles. The renderer computes the same labels
    (``factsum.ingest.labels``), so a dispute position names an article as its
    footnotes do."""
    return {a.id: label for a, label in
            zip(articles, source_labels(articles, language), strict=True)}


def figures_of(statement: str, who: str, language: str) -> list[Quantity]:
    """The figures a statement gives, as ranges, attributed to ``who``."""
    out = []
    for m in read_mentions(statement, language):
        low, high = (interval(m.value, m.hedge) if m.value is not None
                     else (float(m.time or 0), float(m.time or 0)))
        out.append(Quantity(
            text=m.text, value=m.value, low=low, high=high, hedge=m.hedge, kind=m.kind,
            unit=m.unit, asserted_by=who,
        ))
    return out


def _as_the_sentence_hedges(figure: Quantity, theirs: Mapping[float, frozenset[str]],
                            language: str) -> Quantity:
    """``figure`` with the hedge its sentence gives the number, when the restatement
    changed it ("près de 80" restated as "more than 80" stands as nearly 80)."""
    if figure.value is None or figure.value not in theirs \
            or hedge_kept(figure.value, figure.hedge, theirs[figure.value]):
        return figure
    hedge = min(theirs[figure.value])  # a sentence hedges one number one way in practice
    words = lexicon(language).hedges
    said = next((w for w, h in words.items() if h == figure.hedge
                 and figure.text.casefold().startswith(w)), "")
    phrase = next((w for w, h in words.items() if h == hedge), hedge)
    text = figure.text[len(said):].strip() if said else figure.text
    low, high = interval(figure.value, hedge)
    return figure.model_copy(update={"hedge": hedge, "low": low, "high": high,
                                     "text": text if hedge == "exact" else f"{phrase} {text}"})


def _figure_witnesses(unverified: Sequence[Unverified],
                      sentences: Mapping[str, Sequence[Sentence]],
                      languages: Mapping[str, str], language: str) -> list[Claim]:
    """The restatements whose faults all leave their figures alone (``figures_hold``: a
    dropped attribution, a changed hedge, an untranslated word, a name no article
    gives), as claims for disputes only: their figures and days are the sentence's,
    hedged as the sentence hedges them, and the position cites the sentence, which says
    who gives them. They are never points, and they stay listed under *Not verified*."""
    numbers = {s.id: s.number for by_article in sentences.values() for s in by_article}
    witnesses = []
    for u in unverified:
        if not figures_hold(u):
            continue
        theirs = sentence_hedges(u.quote, languages[u.article_id])
        figures = [_as_the_sentence_hedges(f, theirs, language)
                   for f in figures_of(u.statement, "", language)]
        witnesses.append(Claim(
            id=u.id, article_id=u.article_id, sentence=numbers[u.id], statement=u.statement,
            quote=u.quote, span=u.span, translated=True, quantities=figures,
            origin="figure_only"))
    return witnesses


@dataclass
class Draft:
    """The code stages up to the facts: what ``factsum.pipeline.corroborate`` compares
    and what ``finish`` turns into points and disputes."""

    articles: Sequence[Article]
    sentences: Mapping[str, Sequence[Sentence]]
    statements: Mapping[str, dict[int, str]]
    language: str
    languages: dict[str, str]
    """Article id -> the article's language."""
    claims: list[Claim]
    witnesses: list[Claim]
    unverified: list[Unverified]
    speakers: dict[str, str]
    all_scores: np.ndarray
    groups: dict[str, str]
    positions: dict[str, float]
    facts: list[Fact]

    @property
    def scores(self) -> np.ndarray:
        """The claims' similarity (witnesses are compared for disputes only: the last
        rows and columns)."""
        return self.all_scores[:len(self.claims), :len(self.claims)]

    def backs(self, statement: str, other: Claim) -> bool:
        """Whether ``other``'s sentence states ``statement`` (``verify.states``)."""
        return states(statement, other.quote,
                      elsewhere=[s.text for s in self.sentences[other.article_id]
                                 if s.number != other.sentence],
                      article_language=self.languages[other.article_id],
                      language=self.language)


def draft(
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    statements: Mapping[str, dict[int, str]],
    *,
    language: str,
) -> Draft:
    """The code stages over every article's candidate ``sentences`` and the model's
    ``statements`` (article id -> sentence number -> statement), up to the facts."""
    claims: list[Claim] = []
    unverified: list[Unverified] = []
    vocabulary = event_vocabulary([a.text for a in articles],
                                  [s for by_number in statements.values()
                                   for s in by_number.values()])
    for article in articles:
        if article.id not in statements:
            continue  # extraction failed for this article: it contributes nothing
        candidates = [s for s in sentences[article.id] if s.candidate]
        ok, rejected = verify_article(article, candidates, statements[article.id],
                                      language=language, event_words=vocabulary)
        # A point states the fact, not the wire dateline that opens its sentence; the
        # citation keeps the sentence as printed.
        claims += [c.model_copy(update={"statement": without_dateline(c.statement)})
                   for c in ok]
        unverified += rejected
    said = {c.id: speaker(c.statement, language) for c in claims}
    canon = canonical_speakers(said.values())
    speakers = {cid: canon.get(who, who) for cid, who in said.items()}
    claims = [c.model_copy(update={"quantities": figures_of(c.statement, speakers[c.id],
                                                              language)})
              for c in claims]
    languages = {a.id: a.language for a in articles}
    witnesses = _figure_witnesses(unverified, sentences, languages, language)
    all_scores = similarity([*claims, *witnesses])
    scores = all_scores[:len(claims), :len(claims)]
    groups = independence_groups(articles)
    groups = cross_language_copies(claims, groups, languages, scores)
    total = {a.id: max(1, len(sentences[a.id])) for a in articles}
    positions = {c.id: (c.sentence - 1) / total[c.article_id] for c in claims}
    made = Draft(articles, sentences, statements, language, languages, claims, witnesses,
                 unverified, speakers, all_scores, groups, positions, [])

    def stated_by(claim: Claim, other: Claim) -> bool:
        return made.backs(claim.statement, other)

    made.facts = find_facts(claims, groups, scores=scores, speakers=speakers,
                            stated_by=stated_by, language=language)
    return made


def assemble(
    articles: Sequence[Article],
    sentences: Mapping[str, Sequence[Sentence]],
    statements: Mapping[str, dict[int, str]],
    *,
    language: str,
) -> Assembled:
    """The code stages alone, with no fact merged by ``factsum.pipeline.corroborate``:
    ``draft`` then ``finish``."""
    made = draft(articles, sentences, statements, language=language)
    return finish(made, made.facts)


def finish(made: Draft, facts: Sequence[Fact]) -> Assembled:
    """Points from ``facts`` (the draft's, or the draft's with shared facts merged),
    and the disputes."""
    articles, sentences, language = made.articles, made.sentences, made.language
    claims, witnesses, groups, speakers = made.claims, made.witnesses, made.groups, made.speakers
    all_scores, unverified, languages = made.all_scores, made.unverified, made.languages
    used = [a for a in articles if a.id in made.statements]
    points = rank(facts, claims, groups, positions=made.positions)

    point_of = {cid: p.id for p in points for cid in p.claim_ids}
    index = {c.id: i for i, c in enumerate([*claims, *witnesses])}

    def same_fact(a: str, b: str) -> bool:
        return ((a in point_of and point_of.get(a) == point_of.get(b))
                or all_scores[index[a]][index[b]] >= SAME_FACT)

    def same_point(a: str, b: str) -> bool:
        # A witness is in no point: it belongs with the claims whose fact it states.
        if a in point_of and b in point_of:
            return point_of[a] == point_of[b]
        return same_fact(a, b)

    outlets = outlet_labels(articles, language)
    disputes = figure_disputes([*claims, *witnesses], groups=groups, same_fact=same_fact,
                               speakers=speakers, outlets=outlets, language=language)
    disputes += categorical_disputes([*claims, *witnesses], groups=groups,
                                     speakers=speakers, outlets=outlets, same_fact=same_fact,
                                     same_point=same_point,
                                     languages=languages,
                                     language=language)
    by_id = {c.id: c for c in claims}
    positions_cite = {cid for d in disputes for p in d.positions for cid in p.claim_ids}
    by_id.update((w.id, w) for w in witnesses if w.id in positions_cite)
    for dispute, cited in calendar_disputes(
            ((a, sentences[a.id]) for a in used), language=language):
        for sentence in cited:
            if sentence.id not in by_id:
                by_id[sentence.id] = Claim(
                    id=sentence.id, article_id=sentence.article_id,
                    sentence=sentence.number, statement=sentence.text, quote=sentence.text,
                    span=sentence.span, translated=False, quantities=[],
                    origin="date_reader")
        disputes.append(dispute)
    disputes = [d.model_copy(update={"id": f"d{n}"}) for n, d in enumerate(disputes, start=1)]
    return Assembled(list(by_id.values()), unverified, points, disputes, groups)
