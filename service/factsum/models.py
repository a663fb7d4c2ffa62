"""Pydantic models: the single source of truth for LLM outputs and for the JSON output.

Two families live here:

* LLM-facing models (``ExtractionResult``, ``ReconcileResult`` and their parts). Their
  JSON Schemas are sent to the model server as the structured-output contract, so every
  field is required (OpenAI strict mode) and field descriptions are written for the model.
* Output models (``Summary`` and its parts). Their schema in ``schemas/summary.json`` is
  the contract for consumers of ``--format json``.

``schemas/*.json`` are generated from these classes (``python -m factsum.schema_export``); a
test keeps them in sync.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from factsum.llm.ledger import Usage


class _Strict(BaseModel):
    """Base for LLM-facing models: unknown keys are rejected, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- LLM-facing


class Qualifier(StrEnum):
    """How a reported number is hedged by the source."""

    EXACT = "exact"
    ABOUT = "about"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    UP_TO = "up_to"
    LESS_THAN = "less_than"


class Quantity(_Strict):
    """A number stated in a claim, with its hedge."""

    value: float = Field(
        description="The number as stated (for a range, its lower bound). "
        "'une douzaine'/'a dozen' is 12, 'une vingtaine' is 20, 'dozens' is 24 with "
        "qualifier at_least, 'no victims' is 0."
    )
    high: float | None = Field(
        description="Upper bound when the source gives a range ('10 to 15'), else null."
    )
    unit: str = Field(
        description="What is counted, as a short plural English noun: 'missiles', "
        "'deaths', 'bases', 'waves', 'soldiers'."
    )
    qualifier: Qualifier = Field(
        description="exact, about ('une dizaine', 'around'), at_least ('au moins', "
        "'pas moins de'), more_than ('plus de', 'more than'), up_to, less_than."
    )


class ExtractedClaim(_Strict):
    """One atomic statement of fact found in an article."""

    statement: str = Field(
        description="The fact, as one short sentence in the summary language."
    )
    quote: str = Field(
        description="The exact words of the article that support the fact, copied "
        "character for character in the article's own language (never translated)."
    )
    asserted_by: str = Field(
        description="Who asserts it: the person or body the article attributes it to "
        "('Pentagon', 'Revolutionary Guards', 'Iraqi army'), or 'the article' when the "
        "outlet states it in its own voice."
    )
    quantities: list[Quantity] = Field(
        description="Every number in the fact (counts, casualties); empty if none."
    )


class ExtractionResult(_Strict):
    """The model's answer for one article (or one chunk of a long article)."""

    claims: list[ExtractedClaim] = Field(
        description="The article's atomic factual claims, most important first."
    )


class ProposedPoint(_Strict):
    """A group of claims that say the same thing, proposed by the model."""

    statement: str = Field(
        description="One sentence in the summary language that all cited claims support."
    )
    claim_ids: list[str] = Field(
        description="Ids of the claims (from the list given) that support this statement."
    )


class ProposedPosition(_Strict):
    """One side of a disagreement."""

    statement: str = Field(description="What this side says, one sentence.")
    claim_ids: list[str] = Field(description="Ids of the claims that take this side.")


class ProposedDispute(_Strict):
    """Claims that contradict each other on one question."""

    topic: str = Field(
        description="The question the sources disagree on, e.g. 'Number of missiles fired'."
    )
    positions: list[ProposedPosition] = Field(
        description="Each distinct answer given by the sources, at least two."
    )


class ReconcileResult(_Strict):
    """The model's grouping of one batch of claims."""

    headline: str = Field(
        description="A neutral headline for the event, in the summary language."
    )
    points: list[ProposedPoint] = Field(
        description="Groups of claims that agree; every claim id should appear in one."
    )
    disputes: list[ProposedDispute] = Field(
        description="Questions on which the claims contradict each other."
    )


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
        description="Articles sharing long verbatim passages (wire copy) share a group."
    )
    chars: int = Field(ge=0, description="Length of the cleaned text.")


class Claim(BaseModel):
    """An extracted claim whose quote was located in its article."""

    id: str = Field(description="'<article id>:c<n>'.")
    article_id: str
    statement: str
    quote: str = Field(description="The article's own words at ``span`` (verbatim).")
    span: Span
    match_score: float = Field(ge=0, le=100, description="100 = exact after normalising.")
    asserted_by: str
    quantities: list[Quantity]
    origin: Literal["model", "figure_reader", "date_reader"] = Field(
        default="model",
        description="'model': extracted by the LLM, quote located in code; "
        "'figure_reader': a count read in code from the quoted sentence; "
        "'date_reader': a weekday-and-date read in code from the quoted sentence.",
    )


class Point(BaseModel):
    """A statement of the summary, cited to claims."""

    id: str
    statement: str
    claim_ids: list[str] = Field(min_length=1)
    independent_sources: int = Field(
        ge=1, description="Independence groups among the cited articles."
    )
    single_source: bool


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
    origin: str = Field(
        description="'model' (proposed by the LLM), 'quantities' (counts that cannot "
        "all be true, found in code) or 'weekday' (a date given a weekday the other "
        "articles' dates rule out, found in code)."
    )


class DroppedQuote(BaseModel):
    """A claim whose quote could not be located: counted, never shown as fact."""

    article_id: str
    statement: str
    quote: str
    reason: str


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
    claims_extracted: int
    claims_verified: int
    quotes_dropped: int
    points: int
    disputes: int


class Summary(BaseModel):
    """A cited summary of one event: the JSON output of factsum."""

    headline: str
    language: str
    articles: list[ArticleRef]
    claims: list[Claim]
    points: list[Point]
    disputes: list[Dispute]
    dropped: list[DroppedQuote]
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
