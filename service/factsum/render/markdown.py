"""Render a Summary as GitHub-flavoured Markdown for a reviewer.

Top to bottom: headline and counts; the key points, best corroborated first, each with
a footnote per citing outlet; the disputes as one table; further facts; the statements
that failed a check (listed, never as fact); the sources, syndicated copies grouped;
the footnotes (the outlet, the sentence in its own words, the link); a footer with
provenance. Offsets and scores stay in the JSON: the reader gets words and links.

Each article is named by one short label, unique within the summary
(``factsum.ingest.labels``): its outlet when known, else a readable name such as
"Article 2". Its file name appears once, in the Sources list, to trace it.

Every piece of article- or model-derived text goes through ``factsum.render.escape``;
only the fixed template text below is written raw. The output is a pure function of
the Summary: same Summary, same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable

from factsum.ingest.labels import source_labels
from factsum.models import ArticleRef, Dispute, Point, Summary, Unverified
from factsum.render.escape import escape_inline, escape_table_cell, safe_url

__all__ = ["render_markdown"]

_LABELS = {
    "en": {
        "key": "Key points", "disputes": "Disputes", "further": "Further facts",
        "unverified": "Not verified", "sources": "Sources", "what": "What",
        "position": "Position", "who": "Who says it", "cites": "Sources",
        "article": "article", "articles": "articles",
        "independent source": "independent source",
        "independent sources": "independent sources",
        "point": "key point", "points": "key points", "dispute": "dispute",
        "disputes n": "disputes", "statement": "statement", "statements": "statements",
        "single": "single source", "no points": "No statement passed the checks.",
        "no disputes": "The sources do not contradict each other on any figure or date "
                       "found.",
        "unverified intro": "These restatements failed a check against their sentence and "
                            "are never stated as fact. One whose only faults are a "
                            "dropped speaker, a changed hedge, an untranslated word or a "
                            "name no article gives may still give a figure or a day in a "
                            "dispute, where its sentence says who gives it and how "
                            "exactly:",
        "syndicated": "Copies of one text (count once)", "not verified": "not verified",
        "calendar": "calendar check", "published": "published",
        "untitled event": "Untitled event",
        "skipped": "Not used:",
        "sentences read": "sentences read", "verified": "verified",
        "model": "model", "prompts": "prompts",
    },
    "fr": {
        "key": "Points clés", "disputes": "Désaccords", "further": "Autres faits",
        "unverified": "Non vérifié", "sources": "Sources", "what": "Quoi",
        "position": "Position", "who": "Qui le dit", "cites": "Sources",
        "article": "article", "articles": "articles",
        "independent source": "source indépendante",
        "independent sources": "sources indépendantes",
        "point": "point clé", "points": "points clés", "dispute": "désaccord",
        "disputes n": "désaccords", "statement": "énoncé", "statements": "énoncés",
        "single": "source unique", "no points": "Aucun énoncé n'a passé les vérifications.",
        "no disputes": "Les sources ne se contredisent sur aucun chiffre ni aucune date "
                       "relevés.",
        "unverified intro": "Ces reformulations n'ont pas passé une vérification contre "
                            "leur phrase et ne sont jamais données comme des faits. Celle "
                            "dont les seuls défauts sont d'avoir perdu qui parle, changé "
                            "une approximation, laissé un mot non traduit ou donné un nom "
                            "qu'aucun article ne donne peut encore donner un chiffre ou "
                            "un jour dans un désaccord, où sa phrase dit qui le donne et "
                            "avec quelle précision :",
        "syndicated": "Copies d'un même texte (comptent une fois)",
        "not verified": "non vérifiés",
        "calendar": "vérification du calendrier", "published": "publié",
        "untitled event": "Événement sans titre",
        "skipped": "Non utilisés :",
        "sentences read": "phrases lues", "verified": "vérifiés",
        "model": "modèle", "prompts": "consignes",
    },
}


def labels(language: str) -> dict[str, str]:
    """The template's words in the summary language (English when there is no table)."""
    return _LABELS.get(language, _LABELS["en"])


def render_markdown(summary: Summary) -> str:
    """Return the Summary as GitHub-flavoured Markdown with ``[^n]`` footnote citations.

    Raises ValueError when a point or dispute cites a claim id, or a claim an article id,
    that the Summary does not contain: an untraceable citation is a pipeline bug.
    """
    words = labels(summary.language)
    notes = _Footnotes(summary)
    key = [p for p in summary.points if p.key]
    further = [p for p in summary.points if not p.key]
    blocks: list[str] = [
        f"# {escape_inline(summary.headline) or words['untitled event']}",
        _overview(summary, words),
        f"## {words['key']}",
        _points(key, notes, words) if key else words["no points"],
        f"## {words['disputes']}",
        _disputes(summary.disputes, notes, words),
    ]
    if further:
        blocks += [f"## {words['further']}", _points(further, notes, words)]
    if summary.unverified:
        blocks += [f"## {words['unverified']}", _unverified(summary.unverified, notes, words)]
    blocks += [f"## {words['sources']}", _sources(summary.articles, notes, words)]
    if summary.skipped:
        blocks.append(_skipped(summary, words))
    if notes.numbers:
        blocks.append(notes.definitions())
    blocks += ["---", _footer(summary, words)]
    # One blank line between blocks, so no block can run into (or lazily continue) the
    # one before it; e.g. "---" right under a paragraph would make it a heading.
    return "\n\n".join(blocks) + "\n"


class _Footnotes:
    """Cited sentence -> footnote number, numbered in order of first citation."""

    def __init__(self, summary: Summary) -> None:
        self.claims = {c.id: c for c in summary.claims}
        self.articles = {a.id: a for a in summary.articles}
        self.labels = {a.id: label for a, label in zip(
            summary.articles, source_labels(summary.articles, summary.language), strict=True)}
        self.numbers: dict[str, int] = {}
        self.quotes: dict[str, tuple[str, str]] = {}  # unverified id -> (article, quote)

    def ref(self, claim_id: str) -> str:
        """Return ``[^n]`` for a claim, giving it the next number on first use."""
        if claim_id not in self.claims and claim_id not in self.quotes:
            raise ValueError(f"citation of unknown claim id {claim_id!r}")
        number = self.numbers.setdefault(claim_id, len(self.numbers) + 1)
        return f"[^{number}]"

    def article(self, article_id: str) -> ArticleRef:
        """Return the article a claim was taken from."""
        try:
            return self.articles[article_id]
        except KeyError:
            raise ValueError(f"a claim cites unknown article id {article_id!r}") from None

    def label(self, article: ArticleRef, *, cell: bool = False) -> str:
        """The article's label, escaped for a line (or a table cell)."""
        escape = escape_table_cell if cell else escape_inline
        return escape(self.labels[article.id])

    def definitions(self) -> str:
        """Return one ``[^n]: ...`` line per cited sentence, in number order."""
        lines = []
        for claim_id, number in sorted(self.numbers.items(), key=lambda item: item[1]):
            if claim_id in self.claims:
                claim = self.claims[claim_id]
                article_id, quote = claim.article_id, claim.quote
            else:
                article_id, quote = self.quotes[claim_id]
            article = self.article(article_id)
            text = f"{self.label(article)}: “{escape_inline(quote)}”"
            url = safe_url(article.url)
            lines.append(f"[^{number}]: {text} <{url}>" if url else f"[^{number}]: {text}")
        return "\n".join(lines)


def _overview(summary: Summary, words: dict[str, str]) -> str:
    stats = summary.stats
    sources = _count(stats.independent_sources, words, "independent source",
                     "independent sources")
    parts = [
        f"{_count(stats.articles, words, 'article', 'articles')} · {sources}",
        _count(stats.key_points, words, "point", "points"),
        _count(stats.disputes, words, "dispute", "disputes n"),
    ]
    if stats.claims_unverified:
        parts.append(f"{_count(stats.claims_unverified, words, 'statement', 'statements')} "
                     f"{words['not verified']}")
    return " · ".join(parts)


def _points(points: list[Point], notes: _Footnotes, words: dict[str, str]) -> str:
    lines = []
    for point in points:
        sources = _count(point.independent_sources, words, "independent source",
                         "independent sources")
        marker = f"*({words['single']})*" if point.single_source else f"*({sources})*"
        refs = "".join(notes.ref(cid) for cid in _unique(point.claim_ids))
        lines.append(f"- {escape_inline(point.statement)}{refs} {marker}")
    return "\n".join(lines)


def _disputes(disputes: list[Dispute], notes: _Footnotes, words: dict[str, str]) -> str:
    if not disputes:
        return words["no disputes"]
    rows = [f"| {words['what']} | {words['position']} | {words['who']} | {words['cites']} |",
            "| --- | --- | --- | --- |"]
    for dispute in disputes:
        what = escape_table_cell(dispute.topic)
        if dispute.origin == "calendar":
            what += f" *({words['calendar']})*"
        for position in dispute.positions:
            claim_ids = _unique(position.claim_ids)
            refs = [notes.ref(cid) for cid in claim_ids]  # ref() rejects unknown ids
            cited = [notes.article(notes.claims[cid].article_id) for cid in claim_ids]
            # Speakers are told apart before escaping: two names may escape alike.
            who = ([escape_table_cell(w) for w in _unique(position.asserted_by)]
                   if position.asserted_by else _unique(notes.label(a, cell=True)
                                                        for a in cited))
            sources = ", ".join(notes.label(a, cell=True) + ref
                                for a, ref in zip(cited, refs, strict=True))
            cells = [what, escape_table_cell(position.statement), ", ".join(who), sources]
            rows.append("| " + " | ".join(cells) + " |")
            what = ""  # the topic is shown once, on the dispute's first row
    return "\n".join(rows)


def _unverified(items: list[Unverified], notes: _Footnotes, words: dict[str, str]) -> str:
    lines = [words["unverified intro"], ""]
    for item in items:
        notes.quotes[item.id] = (item.article_id, item.quote)
        ref = notes.ref(item.id)
        lines.append(f"- {escape_inline(item.statement)}{ref} "
                     f"*({escape_inline(item.reason)})*")
    return "\n".join(lines)


def _sources(articles: list[ArticleRef], notes: _Footnotes, words: dict[str, str]) -> str:
    groups: dict[str, list[ArticleRef]] = {}
    for article in articles:
        groups.setdefault(article.independence_group, []).append(article)
    lines = []
    for members in groups.values():
        if len(members) == 1:
            lines.append(f"- {_article_line(members[0], notes, words)}")
            continue
        lines.append(f"- {words['syndicated']}:")
        # Four spaces: enough to nest under "- " in CommonMark and on GitHub alike.
        lines.extend(f"    - {_article_line(a, notes, words)}" for a in members)
    return "\n".join(lines)


def _skipped(summary: Summary, words: dict[str, str]) -> str:
    lines = [words["skipped"], ""]
    lines += [f"- {escape_inline(s.source)}: {escape_inline(s.problem)}"
              for s in summary.skipped]
    return "\n".join(lines)


def _article_line(article: ArticleRef, notes: _Footnotes, words: dict[str, str]) -> str:
    """The label, the title (when the article has one) and the details, the file name
    among them: the one place where the label is tied to the file it names."""
    label = notes.label(article)
    details = [escape_inline(article.language)]
    source = escape_inline(article.source)
    if source and source != label:
        details.append(source)
    if article.published:
        details.append(f"{words['published']} {escape_inline(article.published)}")
    title = escape_inline(article.title) if article.title else ""
    line = f"{label}: “{title}” ({', '.join(details)})" if title else \
        f"{label} ({', '.join(details)})"
    url = safe_url(article.url)
    return f"{line} <{url}>" if url else line


def _footer(summary: Summary, words: dict[str, str]) -> str:
    run, stats = summary.run, summary.stats
    prompts = ", ".join(escape_inline(v) for _name, v in sorted(run.prompt_versions.items()))
    return (
        f"factsum {escape_inline(run.factsum_version)} · {words['model']} "
        f"{escape_inline(run.model)} · {words['prompts']} {prompts or '-'} · "
        f"{escape_inline(run.created)} · {stats.sentences_read} {words['sentences read']}, "
        f"{_count(stats.claims_verified, words, 'statement', 'statements')} "
        f"{words['verified']}, {stats.claims_unverified} {words['not verified']}"
    )


def _count(n: int, words: dict[str, str], singular: str, plural: str) -> str:
    return f"{n} {words[singular] if n == 1 else words[plural]}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))

