"""HAND-WRITTEN TEST FIXTURES for the render tests: Summaries built directly from the
models, not the output of a model or of the pipeline. (A helper module; no tests here.)

``reference_summary`` has one of everything the renderer shows: a key point from two
independent sources (one of them two syndicated copies), a single-source key point, a
further fact, a dispute over figures with its speakers, a calendar dispute, a statement
that failed a check, articles with and without an outlet, a URL, a title.
"""

from __future__ import annotations

from typing import Any

from factsum.models import (
    ArticleRef,
    Claim,
    Dispute,
    Point,
    Position,
    Quantity,
    RunInfo,
    Span,
    Summary,
    SummaryStats,
    Unverified,
)

PROMPT_VERSIONS = {"extract": "extract@v5:1b33ebb8"}  # the pipeline's format: name@version


def article(n: int, **fields: Any) -> ArticleRef:
    """An article ``a<n>`` with an outlet, a title, a URL; ``fields`` override."""
    data: dict[str, Any] = {
        "id": f"a{n}", "outlets": [f"Outlet {n}"], "title": f"Title {n}",
        "url": f"https://example.org/{n}", "published": None, "language": "fr",
        "source": f"00{n}_article.txt", "independence_group": f"g{n}", "chars": 1000,
    }
    data.update(fields)
    return ArticleRef.model_validate(data)


def claim(article_id: str, sentence: int, quote: str, statement: str,
          **fields: Any) -> Claim:
    """The claim ``<article_id>:s<sentence>`` restating ``quote`` as ``statement``."""
    data: dict[str, Any] = {
        "id": f"{article_id}:s{sentence}", "article_id": article_id, "sentence": sentence,
        "statement": statement, "quote": quote,
        "span": Span(start=100 * sentence, end=100 * sentence + len(quote)),
        "translated": statement != quote, "quantities": [],
    }
    data.update(fields)
    return Claim.model_validate(data)


def point(n: int, statement: str, claim_ids: list[str], sources: int, *,
          key: bool = True) -> Point:
    """Point ``p<n>`` cited to ``claim_ids`` from ``sources`` independent sources."""
    return Point(id=f"p{n}", statement=statement, claim_ids=claim_ids,
                 independent_sources=sources, single_source=sources == 1, key=key)


def missiles(value: float, hedge: Any, low: float | None, high: float | None,
             asserted_by: str = "") -> Quantity:
    """A count of missiles, as factsum.pipeline.quantities reads one."""
    return Quantity(text=f"{value:g} missiles", value=value, low=low, high=high, hedge=hedge,
                    kind="count", unit="missiles", asserted_by=asserted_by)


def stats_for(summary: Summary) -> SummaryStats:
    """Counts consistent with the summary's lists."""
    return SummaryStats(
        articles=len(summary.articles),
        independent_sources=len({a.independence_group for a in summary.articles}),
        sentences_read=len(summary.claims) + len(summary.unverified) + 3,
        claims_extracted=len(summary.claims) + len(summary.unverified),
        claims_verified=len(summary.claims), claims_unverified=len(summary.unverified),
        points=len(summary.points),
        key_points=sum(p.key for p in summary.points), disputes=len(summary.disputes),
    )


def build_summary(**fields: Any) -> Summary:
    """A Summary whose stats are counted from its lists (``fields``: all but ``stats``)."""
    return Summary(**fields, stats=stats_for(Summary.model_construct(**fields)))


def reference_summary(language: str = "en") -> Summary:
    """HAND-WRITTEN TEST FIXTURE: four articles (two of them syndicated copies of one
    wire story), three points, a figures and a calendar dispute, one unverified
    statement."""
    fr = language == "fr"
    articles = [
        article(1, outlets=["Le Journal"], title="Frappes iraniennes en Irak",
                published="2020-01-08"),
        article(2, outlets=["Wire Daily"], title="L'Iran tire des missiles",
                independence_group="wire"),
        # No outlet, title or URL, and a file named by a hash: a reader sees "Article 1".
        article(3, outlets=[], title=None, url=None, independence_group="wire",
                source="003_bb9dec6c1607f279.txt"),
        article(4, outlets=["The Courier"], title="Iran fires missiles", language="en"),
    ]
    strike_fr = "Pas moins de 12 missiles balistiques se sont abattus sur la base."
    wire_fr = "Une douzaine de missiles ont touché les bases d'Ain al-Asad et d'Erbil."
    claims = [
        claim("a1", 1, strike_fr,
              "Au moins 12 missiles balistiques ont frappé la base." if fr
              else "At least 12 ballistic missiles hit the base.",
              quantities=[missiles(12, "at least", 12, None)]),
        claim("a2", 3, wire_fr,
              "Une douzaine de missiles ont touché deux bases." if fr
              else "About a dozen missiles hit the Ain al-Asad and Erbil bases."),
        claim("a3", 3, wire_fr,
              "Une douzaine de missiles ont touché deux bases." if fr
              else "About a dozen missiles hit the Ain al-Asad and Erbil bases."),
        claim("a4", 2, "About 15 missiles were fired, the Pentagon said.",
              "Environ 15 missiles ont été tirés, selon le Pentagone." if fr
              else "About 15 missiles were fired, the Pentagon said.",
              quantities=[missiles(15, "about", 13, 17, "the Pentagon")]),
        claim("a1", 4, "Le général a été tué jeudi 3 janvier.",
              "Le général a été tué jeudi 3 janvier." if fr
              else "The general was killed on Thursday 3 January."),
        claim("a4", 6, "The strikes came on Wednesday 8 January.",
              "Les frappes ont eu lieu le mercredi 8 janvier." if fr
              else "The strikes came on Wednesday 8 January.", origin="date_reader"),
        claim("a1", 7, "Le Parlement a voté une loi.",
              "Le Parlement a voté une loi." if fr else "Parliament passed a law."),
    ]
    points = [
        point(1, claims[0].statement, ["a1:s1", "a2:s3", "a3:s3"], 2),
        point(2, claims[3].statement, ["a4:s2"], 1),
        point(3, claims[6].statement, ["a1:s7"], 1, key=False),
    ]
    disputes = [
        Dispute(id="d1", topic="Nombre de missiles" if fr else "Number of missiles",
                origin="figures", positions=[
                    Position(statement="at least 12 missiles", claim_ids=["a1:s1"],
                             asserted_by=["Le Journal"]),
                    Position(statement="about 15 missiles", claim_ids=["a4:s2"],
                             asserted_by=["the Pentagon"]),
                ]),
        Dispute(id="d2", topic="Jour de la semaine du 3 janvier" if fr
                else "Day of the week of 3 January", origin="calendar", positions=[
                    Position(statement="jeudi 3 janvier" if fr else "Thursday 3 January",
                             claim_ids=["a1:s4"], asserted_by=[]),
                    Position(statement="vendredi 3 janvier" if fr else "Friday 3 January",
                             claim_ids=["a4:s6"], asserted_by=[]),
                ]),
    ]
    unverified = [
        Unverified(id="a2:s5", article_id="a2",
                   statement="80 personnes ont été tuées." if fr else "80 people were killed.",
                   quote="Les Iraniens annoncent des morts.", span=Span(start=500, end=533),
                   reason="gives 80, which the sentence does not state"),
    ]
    return build_summary(
        headline="L'Iran frappe des bases américaines en Irak" if fr
        else "Iran strikes US bases in Iraq",
        language=language, articles=articles, claims=claims, points=points,
        disputes=disputes, unverified=unverified,
        run=RunInfo(model="qwen2.5-coder-1.5b-instruct", prompt_versions=PROMPT_VERSIONS,
                    created="2020-01-09", factsum_version="0.2.0"),
    )
