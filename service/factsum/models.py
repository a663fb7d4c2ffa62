"""Pydantic models: the single source of truth for LLM outputs and for the JSON output.

Two families live here:

* The LLM-facing models (``ExtractionResult``, ``SharedFact``). Their JSON Schema is
  sent to the model server as the structured-output contract, so every field is required
  (OpenAI strict mode) and field descriptions are written for the model. The extraction
  key is short on purpose: it is generated once per sentence.
* Output models (``Summary`` and its parts). Their schema in ``schemas/summary.json`` is
  the contract for consumers of ``--format json``.

``schemas/*.json`` are generated from these classes (``python -m factsum.schema_export``);
a test keeps them in sync.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from factsum.llm.ledger import Usage as Usage  # re-exported: Summary.usage


class _Strict(BaseModel):
    """Base for LLM-facing models: unknown keys are rejected, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- LLM-facing

Hedge = Literal["exact", "about", "nearly", "at least", "more than", "at most", "less than"]
"""How a statement hedges a number ("about 20", "at least 12")."""

Kind = Literal[
    "killed", "injured", "missing", "evacuated", "arrested", "affected", "count", "money",
    "weight", "distance", "duration", "time", "date", "percent", "other",
]
"""What kind of quantity a number is (factsum.pipeline.quantities)."""


class ExtractionResult(_Strict):
    """The model's answer for one sentence: the sentence in the summary language."""

    t: str = Field(description="The sentence in the summary language, complete and faithful.")


class SharedFact(_Strict):
    """The model's answer for two statements of different sources: the first one
    shortened to what the second also reports (empty when it reports none of it)."""

    fact: str = Field(description="Sentence A shortened to the fact Sentence B also reports.")


# --------------------------------------------------------------------------- output


class Span(BaseModel):
    """Character offsets ``[start, end)`` into an article's cleaned text."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ArticleRef(BaseModel):
    """What a summary says about one source article."""

    id: str = Field(description="Stable id derived from the cleaned text.")
    outlets: list[str] = Field(description="Outlets that published this exact text.")
    title: str | None = None
    url: str | None = Field(default=None, description="http(s) URL, when known.")
    published: str | None = Field(default=None, description="Publication time as given.")
    language: str = Field(description="ISO 639-1 code detected from the text.")
    source: str = Field(description="File name or label the article came from.")
    independence_group: str = Field(
        description="Articles that copy one another (wire copy, also translated) share a "
        "group; each group counts as one independent source."
    )
    chars: int = Field(ge=0, description="Length of the cleaned text.")


class Quantity(BaseModel):
    """A number a claim states, as an interval a position can be compared on."""

    text: str = Field(description="The number as labelled ('12', '17:30').")
    value: float | None = Field(description="The number; None for times and dates.")
    low: float | None = Field(description="Lower bound implied by the hedge (None: open).")
    high: float | None = Field(description="Upper bound implied by the hedge (None: open).")
    hedge: Hedge
    kind: Kind
    unit: str = Field(description="What is counted, a plural noun.")
    asserted_by: str = Field(description="Who gives it; '' for the outlet itself.")


class Claim(BaseModel):
    """One cited sentence: the model's restatement checked against the sentence."""

    id: str = Field(description="'<article id>:s<n>': the cited sentence's id.")
    article_id: str
    sentence: int = Field(ge=1, description="Sentence number in the article.")
    statement: str = Field(description="The sentence in the summary language.")
    quote: str = Field(description="The article's own sentence, at ``span`` (verbatim).")
    span: Span
    translated: bool = Field(description="The statement is a translation of the quote.")
    quantities: list[Quantity]
    origin: Literal["model", "date_reader", "figure_only"] = Field(
        default="model",
        description="'model': restated by the LLM and checked in code; 'date_reader': a "
        "date given with its weekday, read in code from the quoted sentence; "
        "'figure_only': a restatement whose only faults leave its figures alone (a dropped "
        "attribution, a changed hedge, an untranslated word, a name no article gives), "
        "kept for its figures as a dispute position (the quote says who gives them), "
        "never a point.",
    )


class Skipped(BaseModel):
    """An input that could not be used (unreadable, empty, a duplicate), an article
    whose extraction failed, or the sentences of an article that speak to an AI reader
    (injected instructions), and why: they contribute nothing."""

    source: str = Field(description="The input's file name, record id or item-N.")
    problem: str


class Unverified(BaseModel):
    """A restatement that failed a check: counted and listed, never shown as fact."""

    id: str
    article_id: str
    statement: str
    quote: str
    span: Span
    reason: str


class Point(BaseModel):
    """A statement of the summary, cited to the sentences that state it."""

    id: str
    statement: str
    claim_ids: list[str] = Field(min_length=1)
    independent_sources: int = Field(
        ge=1, description="Independence groups among the cited articles."
    )
    single_source: bool
    key: bool = Field(description="Among the key points (the rest are further facts).")
    shared: bool = Field(
        default=False,
        description="The statement is the fact that reports from different sources share, "
                    "written by the model from their statements and checked by code against "
                    "every cited sentence; otherwise it is one cited claim's own statement.")


class Position(BaseModel):
    """One side of a dispute with who says it."""

    statement: str
    claim_ids: list[str] = Field(min_length=1)
    asserted_by: list[str]


class Dispute(BaseModel):
    """A question on which sources disagree; every side is shown."""

    id: str
    topic: str
    positions: list[Position] = Field(min_length=2)
    origin: Literal["figures", "calendar"] = Field(
        description="'figures': numbers labelled in the sentences whose ranges cannot "
        "all be true, found in code; 'calendar': a date given a weekday that the other "
        "articles' dates rule out, found in code."
    )


class RunInfo(BaseModel):
    """Provenance printed in the summary footer."""

    model: str
    prompt_versions: dict[str, str]
    created: str = Field(description="ISO date of the run.")
    factsum_version: str


class SummaryStats(BaseModel):
    """Counts a reviewer wants at a glance."""

    articles: int
    independent_sources: int
    sentences_read: int = Field(description="Candidate sentences shown to the model.")
    sentences_cut: int = Field(
        default=0, description="Candidate sentences past max_sentences_per_article, unread.")
    claims_extracted: int = Field(description="Restatements the model returned.")
    claims_verified: int
    claims_unverified: int
    points: int
    key_points: int
    disputes: int


class Summary(BaseModel):
    """A cited summary of one event: the JSON output of factsum."""

    headline: str
    language: str
    articles: list[ArticleRef]
    claims: list[Claim]
    points: list[Point]
    disputes: list[Dispute]
    unverified: list[Unverified]
    skipped: list[Skipped] = Field(
        default_factory=list, description="Inputs that could not be used, and why.")
    stats: SummaryStats
    run: RunInfo
    usage: Usage = Field(default_factory=Usage, exclude=True)

    def to_json(self) -> str:
        """JSON that validates against schemas/summary.json."""
        return self.model_dump_json(indent=2)


# --------------------------------------------------------------------------- internal


class Article(BaseModel):
    """One ingested article: cleaned text plus metadata. Offsets refer to ``text``."""

    id: str = Field(description="Stable id: a prefix of the sha256 of the cleaned text.")
    text: str
    source: str = Field(description="File name (never a full path) or caller's label.")
    outlets: list[str] = Field(default_factory=list)
    title: str | None = None
    url: str | None = None
    published: str | None = None
    language: str = "und"
