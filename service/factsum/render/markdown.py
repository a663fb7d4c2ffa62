"""Render a Summary as GitHub-flavoured Markdown (footnote citations) or as JSON.

The Markdown is written for a reviewer reading top to bottom: headline and counts, the
key points (best corroborated first), the disputes as one table, the sources grouped by
independence, one footnote per cited claim with the outlet's exact words, and a footer
with provenance. Every piece of article- or model-derived text goes through
``factsum.render.escape``; only the fixed template text below is written raw. The output is a
pure function of the Summary: same Summary, same bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from factsum.render.escape import escape_inline, escape_table_cell, safe_url
from factsum.models import ArticleRef, Claim, Dispute, Point, Summary

__all__ = ["render_markdown"]


def render_markdown(summary: Summary) -> str:
    """Return the Summary as GitHub-flavoured Markdown with ``[^n]`` footnote citations.

    Raises ValueError when a point or dispute cites a claim id, or a claim an article id,
    that the Summary does not contain: an untraceable citation is a pipeline bug.
    """
    notes = _Footnotes(summary)
    blocks: list[str] = [
        f"# {escape_inline(summary.headline) or 'Untitled event'}",
        _overview(summary),
        "## Key points",
        _points(summary.points, notes),
        "## Disputes",
        _disputes(summary.disputes, notes),
    ]
    others = _uncited_claims(summary)
    if others:
        blocks += ["## Other claims", _claim_list(others, notes)]
    blocks += ["## Sources", _sources(summary.articles)]
    if notes.numbers:
        blocks.append(notes.definitions())
    blocks += ["---", _footer(summary)]
    # One blank line between blocks, so no block can run into (or lazily continue) the
    # one before it; e.g. "---" right under a paragraph would make it a heading.
    return "\n\n".join(blocks) + "\n"


class _Footnotes:
    """Claim → footnote number, numbered in order of first citation."""

    def __init__(self, summary: Summary) -> None:
        self.claims = {c.id: c for c in summary.claims}
        self.articles = {a.id: a for a in summary.articles}
        self.numbers: dict[str, int] = {}
        # Per article, what every footnote citing it repeats: outlets, source, URL.
        self._cited_as: dict[str, tuple[str, str, str | None]] = {}

    def ref(self, claim_id: str) -> str:
        """Return ``[^n]`` for a claim, giving it the next number on first use."""
        if claim_id not in self.claims:
            raise ValueError(f"citation of unknown claim id {claim_id!r}")
        number = self.numbers.setdefault(claim_id, len(self.numbers) + 1)
        return f"[^{number}]"

    def article(self, claim_id: str) -> ArticleRef:
        """Return the article a claim was extracted from."""
        claim = self.claims[claim_id]
        try:
            return self.articles[claim.article_id]
        except KeyError:
            raise ValueError(
                f"claim {claim.id!r} cites unknown article id {claim.article_id!r}"
            ) from None

    def definitions(self) -> str:
        """Return one ``[^n]: ...`` line per cited claim, in number order."""
        lines = []
        for claim_id, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            lines.append(f"[^{number}]: {self._citation(self.claims[claim_id])}")
        return "\n".join(lines)

    def _citation(self, claim: Claim) -> str:
        article = self.article(claim.id)
        where = f"chars {claim.span.start}–{claim.span.end}"
        if claim.match_score < 100:
            # A fuzzy match means the quote differs slightly from the article's text.
            where += f", fuzzy match {int(claim.match_score)}"
        if claim.origin != "model":
            where += ", figure read in code" if claim.origin == "figure_reader" else \
                ", date read in code"
        cited_as = self._cited_as.get(article.id)
        if cited_as is None:
            cited_as = self._cited_as[article.id] = (
                _outlet(article), escape_inline(article.source), safe_url(article.url))
        outlet, source, url = cited_as
        text = (
            f"{outlet} — asserted by {escape_inline(claim.asserted_by)}: "
            f"“{escape_inline(claim.quote)}” ({source}, {where})"
        )
        return f"{text} <{url}>" if url else text


def _overview(summary: Summary) -> str:
    stats = summary.stats
    return (
        f"{_count(stats.articles, 'article')} from "
        f"{_count(stats.independent_sources, 'independent source')} · "
        f"{_count(stats.points, 'point')} · {_count(stats.disputes, 'dispute')} · "
        f"{_count(stats.quotes_dropped, 'unverified quote')} dropped"
    )


def _points(points: list[Point], notes: _Footnotes) -> str:
    if not points:
        return "No point is supported by a verified quote."
    # sorted() is stable: equally corroborated points keep the pipeline's order.
    ranked = sorted(points, key=lambda p: (-p.independent_sources, -len(set(p.claim_ids))))
    lines = []
    for point in ranked:
        marker = (
            "*(single source)*"
            if point.single_source
            else f"*({_count(point.independent_sources, 'independent source')})*"
        )
        refs = "".join(notes.ref(cid) for cid in _unique(point.claim_ids))
        lines.append(f"- {escape_inline(point.statement)}{refs} {marker}")
    return "\n".join(lines)


def _disputes(disputes: list[Dispute], notes: _Footnotes) -> str:
    if not disputes:
        return "The sources do not contradict each other on any point found."
    rows = ["| What | Position | Who says it | Sources |", "| --- | --- | --- | --- |"]
    for dispute in disputes:
        what = escape_table_cell(dispute.topic)
        if dispute.origin == "quantities":
            what += " *(numbers differ)*"
        elif dispute.origin == "weekday":
            what += " *(calendar check)*"
        for position in dispute.positions:
            claim_ids = _unique(position.claim_ids)
            refs = [notes.ref(cid) for cid in claim_ids]  # ref() rejects unknown ids
            who = position.asserted_by or [notes.claims[cid].asserted_by for cid in claim_ids]
            sources = ", ".join(
                _outlet(notes.article(cid), cell=True) + ref
                for cid, ref in zip(claim_ids, refs, strict=True)
            )
            cells = [
                what,
                escape_table_cell(position.statement),
                ", ".join(escape_table_cell(w) for w in _unique(who)),
                sources,
            ]
            rows.append("| " + " | ".join(cells) + " |")
            what = ""  # the topic is shown once, on the dispute's first row
    return "\n".join(rows)


def _uncited_claims(summary: Summary) -> list[Claim]:
    """Verified claims that no point or dispute cites: shown, so nothing is hidden."""
    cited = {cid for p in summary.points for cid in p.claim_ids}
    cited.update(cid for d in summary.disputes for pos in d.positions for cid in pos.claim_ids)
    return [c for c in summary.claims if c.id not in cited]


def _claim_list(claims: list[Claim], notes: _Footnotes) -> str:
    return "\n".join(f"- {escape_inline(c.statement)}{notes.ref(c.id)}" for c in claims)


def _sources(articles: list[ArticleRef]) -> str:
    if not articles:
        return "No article."
    groups: dict[str, list[ArticleRef]] = {}
    for article in articles:
        groups.setdefault(article.independence_group, []).append(article)
    lines = []
    for members in groups.values():
        if len(members) == 1:
            lines.append(f"- {_article_line(members[0])}")
            continue
        names = ", ".join(_outlet(a) for a in members)
        lines.append(f"- Syndicated copy (counts once): {names}")
        # Four spaces: enough to nest under "- " in CommonMark and on GitHub alike.
        lines.extend(f"    - {_article_line(a)}" for a in members)
    return "\n".join(lines)


def _article_line(article: ArticleRef) -> str:
    title = escape_inline(article.title) if article.title else ""
    details = [escape_inline(article.language), escape_inline(article.source)]
    if article.published:
        details.append(f"published {escape_inline(article.published)}")
    line = f"{_outlet(article)}: “{title or 'untitled'}” ({', '.join(details)})"
    url = safe_url(article.url)
    return f"{line} <{url}>" if url else line


def _footer(summary: Summary) -> str:
    run, stats = summary.run, summary.stats
    prompts = ", ".join(
        f"{escape_inline(name)} {escape_inline(version)}"
        for name, version in sorted(summary.run.prompt_versions.items())
    )
    dropped = f"{_count(stats.quotes_dropped, 'unverified quote')} dropped"
    reasons = Counter(escape_inline(d.reason) for d in summary.dropped)
    if reasons:
        dropped += " (" + ", ".join(f"{r}: {n}" for r, n in sorted(reasons.items())) + ")"
    return (
        f"factsum {escape_inline(run.factsum_version)} · "
        f"model {escape_inline(run.model)} · prompts {prompts or 'none'} · "
        f"run {escape_inline(run.created)} · "
        f"{stats.claims_extracted} claims extracted, {stats.claims_verified} verified, "
        f"{dropped}"
    )


def _outlet(article: ArticleRef, *, cell: bool = False) -> str:
    """The outlets that published an article, or its source label when none is known."""
    escape = escape_table_cell if cell else escape_inline
    names = [name for name in map(escape, article.outlets) if name]
    return ", ".join(names) or escape(article.source) or "unknown outlet"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
