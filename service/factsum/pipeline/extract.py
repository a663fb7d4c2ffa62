"""Extract: each candidate sentence in the summary language, one small model task each.

One request per sentence: the model gets one sentence of an article and returns it
translated into the summary language (``{"t": "..."}``). It restates; it never picks,
merges, numbers or quotes, so it cannot cite a sentence that does not exist, and a
restatement cannot drift onto the next sentence (measured: asked for twelve numbered
sentences at once, the embedded 1.5B model merged neighbours and shifted the rest by
two). The sentence's id is the code's bookkeeping, not the model's. An article already
in the summary language needs no model call: its sentences are their own statements.

Requests share one instruction prefix, sent first, so the server's prompt cache reuses
it; only the sentence is new in each. ``max_tokens`` follows the sentence's length, so a
model that loops is cut off early instead of running to the server's limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from factsum.llm.base import CallTag, StructuredLLM, StructuredRequest
from factsum.llm.tokens import estimate_tokens
from factsum.models import Article, ExtractionResult
from factsum.pipeline.sentences import Sentence
from factsum.prompt_templates import PromptTemplate, data_tag, language_name, load_prompt
from factsum.settings import Settings

ANSWER_TOKENS = 16
"""Answer budget beyond twice the sentence's own length (the key, quotes, slack)."""


@dataclass
class Restatements:
    """The model's statements for one article, by sentence number."""

    article: Article
    by_number: dict[int, str] = field(default_factory=dict)


def build_messages(template: PromptTemplate, article: Article, sentence: Sentence, *,
                   language: str) -> list[dict[str, str]]:
    """The chat messages for one sentence: the instructions first (a prefix the server
    caches across calls), the sentence last, between markers it cannot forge."""
    text = " ".join(sentence.text.split())
    return template.render(
        tag=data_tag(article.id, sentence.id, text),
        language_name=language_name(language),
        article_language=language_name(article.language),
        text=text,
    )


def _problems(result: ExtractionResult) -> list[str]:
    return [] if result.t.strip() else ["t is empty; give the sentence translated"]


def extraction_requests(article: Article, sentences: Sequence[Sentence], *, settings: Settings,
                        language: str, event_id: str = "",
                        template: PromptTemplate | None = None
                        ) -> list[StructuredRequest[Any]]:
    """The model requests that restate ``sentences`` of ``article``, one per sentence
    (none when the article is already in ``language``). The Batch API path sends the
    same requests; ``template`` replaces the shipped prompt (``bench.prompt_compare``)."""
    if article.language == language:
        return []
    template = template or load_prompt("extract")
    return [
        StructuredRequest(
            messages=build_messages(template, article, sentence, language=language),
            response_model=ExtractionResult,
            prompt_version=template.version,
            tag=CallTag("extract", event_id, article.id),
            max_tokens=min(settings.max_tokens,
                           2 * estimate_tokens(sentence.text) + ANSWER_TOKENS),
        )
        for sentence in sentences
    ]


async def restate_article(
    article: Article,
    sentences: Sequence[Sentence],
    *,
    llm: StructuredLLM,
    settings: Settings,
    language: str,
    event_id: str = "",
    on_answer: Callable[[], None] | None = None,
) -> Restatements:
    """Each candidate sentence of ``article`` in ``language`` (requests run
    concurrently; ``on_answer`` is called as each answer arrives, for progress)."""
    out = Restatements(article)
    if article.language == language:
        out.by_number = {s.number: " ".join(s.text.split()) for s in sentences}
        return out
    requests = extraction_requests(article, sentences, settings=settings, language=language,
                                   event_id=event_id)

    async def one(request: StructuredRequest[Any]) -> str:
        completion = await llm.complete(request, _problems)
        if on_answer is not None:
            on_answer()
        answer: ExtractionResult = completion.value
        return " ".join(answer.t.split())

    answers = await asyncio.gather(*(one(r) for r in requests))
    out.by_number = {s.number: a for s, a in zip(sentences, answers, strict=True) if a}
    return out
