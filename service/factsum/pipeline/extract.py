"""Extract: one structured LLM call per article (per chunk for long ones) -> located claims.

Quotes are checked in code while the answer is validated: a quote that cannot be located
in the article is sent back to the model once, naming it; what still fails is dropped
and counted, never shown as fact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from factsum.ingest.readers import split_paragraph_chunks
from factsum.llm.base import CallTag, StructuredLLM, StructuredRequest
from factsum.models import Article, Claim, DroppedQuote, ExtractedClaim, ExtractionResult
from factsum.prompt_templates import PromptTemplate, data_tag, language_name, load_prompt
from factsum.settings import Settings
from factsum.pipeline.verify import QuoteLocator, unsupported_numbers, verify_claims


@dataclass
class ArticleExtraction:
    """Located claims of one article, and the claims dropped for unlocatable quotes."""

    article: Article
    claims: list[Claim] = field(default_factory=list)
    dropped: list[DroppedQuote] = field(default_factory=list)
    extracted: int = 0


def _quote_problems(
    locator: QuoteLocator, article_id: str
) -> Callable[[ExtractionResult], list[str]]:
    """Validator for the LLM layer: one problem per quote not found in the article, or
    whose words do not give the figures its statement states."""

    def validate(result: ExtractionResult) -> list[str]:
        problems = []
        for i, claim in enumerate(result.claims, start=1):
            located = locator.locate(claim.quote)
            if located is None:
                snippet = claim.quote[:80].replace("\n", " ")
                problems.append(
                    f'claims[{i}].quote is not in article {article_id}: "{snippet}". '
                    "Copy the exact words from the article, in its own language, "
                    "or remove the claim."
                )
            elif missing := unsupported_numbers(claim.statement, located.text):
                problems.append(
                    f"claims[{i}].statement gives {', '.join(missing)} but its quote does "
                    "not. Quote the article's words that state the fact, or remove the claim."
                )
        return problems

    return validate


def build_extract_messages(
    template: PromptTemplate,
    article: Article,
    chunk: str,
    *,
    part: tuple[int, int],
    language: str,
    settings: Settings,
) -> list[dict[str, str]]:
    """The chat messages for one article chunk."""
    index, total = part
    return template.render(
        tag=data_tag(article.id, str(index)),
        max_claims=settings.max_claims_per_chunk,
        language_name=language_name(language),
        article_id=article.id,
        article_language=article.language,
        part_note=f", part {index} of {total}" if total > 1 else "",
        text=chunk,
    )


async def extract_article(
    article: Article,
    *,
    llm: StructuredLLM,
    settings: Settings,
    language: str,
    event_id: str = "",
) -> ArticleExtraction:
    """Extract and locate the claims of one article (chunks run concurrently)."""
    template = load_prompt("extract")
    chunks = article_chunks(article, settings)
    locator = QuoteLocator(article.text)
    validate = _quote_problems(locator, article.id)

    async def one_chunk(index: int, chunk: str) -> list[ExtractedClaim]:
        request = StructuredRequest(
            messages=build_extract_messages(
                template, article, chunk, part=(index, len(chunks)),
                language=language, settings=settings,
            ),
            response_model=ExtractionResult,
            prompt_version=template.version,
            tag=CallTag("extract", event_id, article.id),
        )
        completion = await llm.complete(request, validate)
        return completion.value.claims

    per_chunk = await asyncio.gather(
        *(one_chunk(i, text) for i, (_offset, text) in enumerate(chunks, start=1))
    )
    extracted = [c for claims in per_chunk for c in claims]
    claims, failures = verify_claims(article, _dedupe(extracted), start_index=1, locator=locator)
    dropped = [
        DroppedQuote(
            article_id=article.id, statement=c.statement, quote=c.quote, reason=reason
        )
        for c, reason in failures
    ]
    return ArticleExtraction(article, claims, dropped, extracted=len(extracted))


def article_chunks(article: Article, settings: Settings) -> list[tuple[int, str]]:
    """The passages (offset, text) an article is sent to the model in."""
    return _merge_short_tail(split_paragraph_chunks(article.text, settings.chunk_chars))


def _merge_short_tail(chunks: list[tuple[int, str]], min_chars: int = 300
                      ) -> list[tuple[int, str]]:
    """Fold a short last passage (a byline, a closing line) into the one before it: a
    call of its own would cost a whole prompt for next to no facts."""
    if len(chunks) < 2 or len(chunks[-1][1]) >= min_chars:
        return chunks
    (offset, previous), (tail_offset, tail) = chunks[-2], chunks[-1]
    gap = " " * (tail_offset - offset - len(previous))  # keep the text's own spacing
    return [*chunks[:-2], (offset, previous + gap + tail)]


def _dedupe(claims: list[ExtractedClaim]) -> list[ExtractedClaim]:
    """Drop repeated (statement, quote) pairs, which chunk overlaps and re-asks produce."""
    seen: set[tuple[str, str]] = set()
    out = []
    for claim in claims:
        key = (claim.statement.strip().casefold(), claim.quote.strip().casefold())
        if key not in seen:
            seen.add(key)
            out.append(claim)
    return out
