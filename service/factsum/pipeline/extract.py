"""Extract: each cited sentence in the summary language, one small model task each.

The model gets an article's candidate sentences, numbered, and returns each one
translated into the summary language, tied to its number: it restates, it never picks,
merges or quotes. An article already in the summary language needs no model call: its
sentences are their own statements. The answer's shape is fixed per passage (one item
per sentence, the sentence numbers as the only allowed values), so a server that
enforces the schema as a grammar cannot return an unknown id; any other server's answer
is checked in code and sent back once with the problems.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, create_model

from factsum.llm.base import CallTag, StructuredLLM, StructuredRequest
from factsum.llm.tokens import estimate_tokens
from factsum.models import Article, ExtractionResult, Restated
from factsum.pipeline.sentences import Sentence
from factsum.prompt_templates import PromptTemplate, data_tag, language_name, load_prompt
from factsum.settings import Settings

PASSAGE_SENTENCES = 12
"""At most this many sentences per call: enough to amortise the instructions (the
server reuses their cached prefix), few enough that a 1.5B model keeps count."""
PASSAGE_CHARS = 2000
TOKENS_PER_SENTENCE = 24
"""Answer budget per sentence beyond the sentence's own length (keys, quotes, slack);
a model that loops is cut off at the budget instead of running to the server's limit."""


@dataclass
class Restatements:
    """The model's statements for one article, by sentence number."""

    article: Article
    by_number: dict[int, str] = field(default_factory=dict)
    returned: int = 0
    unknown_ids: int = 0


def passages(sentences: Sequence[Sentence], *, max_sentences: int = PASSAGE_SENTENCES,
             max_chars: int = PASSAGE_CHARS) -> list[list[Sentence]]:
    """Consecutive runs of sentences, each within both bounds."""
    out: list[list[Sentence]] = []
    chars = 0
    for sentence in sentences:
        size = len(sentence.text)
        if out and len(out[-1]) < max_sentences and chars + size <= max_chars:
            out[-1].append(sentence)
            chars += size
        else:
            out.append([sentence])
            chars = size
    return out


@functools.lru_cache(maxsize=256)
def answer_model(numbers: tuple[int, ...]) -> type[ExtractionResult]:
    """``ExtractionResult`` for exactly these sentence numbers, one item each."""
    item = create_model(
        "Restated", __base__=Restated,
        i=(Literal[numbers], Field(description="The sentence number.")),  # type: ignore[arg-type]
    )
    model: type[ExtractionResult] = create_model(
        "ExtractionResult", __base__=ExtractionResult,
        s=(list[item], Field(  # type: ignore[valid-type]
            min_length=len(numbers), max_length=len(numbers),
            description="One item per numbered sentence, in order.")),
    )
    return model


def numbered(passage: Sequence[Sentence]) -> str:
    """The passage as the model reads it: one "[n] sentence" line each."""
    return "\n".join(f"[{s.number}] {' '.join(s.text.split())}" for s in passage)


def build_messages(template: PromptTemplate, article: Article, passage: Sequence[Sentence],
                   *, part: tuple[int, int], language: str) -> list[dict[str, str]]:
    """The chat messages for one passage: the instructions first (a prefix the server
    caches across calls), the sentences last."""
    index, total = part
    text = numbered(passage)
    return template.render(
        tag=data_tag(article.id, str(index), text),
        language_name=language_name(language),
        article_language=language_name(article.language),
        part_note=f", part {index} of {total}" if total > 1 else "",
        text=text,
    )


def _problems(numbers: Sequence[int]) -> Callable[[ExtractionResult], list[str]]:
    """Validator: every sentence restated once, no other number, no empty statement."""
    expected = set(numbers)

    def validate(result: ExtractionResult) -> list[str]:
        problems = []
        seen: set[int] = set()
        for item in result.s:
            if item.i not in expected:
                problems.append(f"sentence {item.i} is not in this passage; use only "
                                f"{min(expected)} to {max(expected)}")
            elif item.i in seen:
                problems.append(f"sentence {item.i} appears twice; give each sentence once")
            elif not item.t.strip():
                problems.append(f"sentence {item.i} has an empty translation")
            seen.add(item.i)
        missing = sorted(expected - seen)
        if missing:
            problems.append(f"sentences {missing} are missing; translate every sentence")
        return problems

    return validate


def passage_count(article: Article, sentences: Sequence[Sentence], language: str) -> int:
    """How many model calls ``restate_article`` makes for this article."""
    return 0 if article.language == language else len(passages(sentences))


def extraction_requests(article: Article, sentences: Sequence[Sentence], *, settings: Settings,
                        language: str, event_id: str = "") -> list[StructuredRequest[Any]]:
    """The model requests that restate ``sentences`` of ``article`` (none when the article
    is already in ``language``). The Batch API path builds the same requests."""
    return [request for _numbers, request in _plan(article, sentences, settings=settings,
                                                   language=language, event_id=event_id)]


def _plan(article: Article, sentences: Sequence[Sentence], *, settings: Settings,
          language: str, event_id: str) -> list[tuple[tuple[int, ...], StructuredRequest[Any]]]:
    if article.language == language or not sentences:
        return []
    template = load_prompt("extract")
    runs = passages(sentences)
    requests: list[tuple[tuple[int, ...], StructuredRequest[Any]]] = []
    for index, passage in enumerate(runs, start=1):
        numbers = tuple(s.number for s in passage)
        budget = sum(estimate_tokens(s.text) + TOKENS_PER_SENTENCE for s in passage)
        requests.append((numbers, StructuredRequest(
            messages=build_messages(template, article, passage, part=(index, len(runs)),
                                    language=language),
            response_model=answer_model(numbers),
            prompt_version=template.version,
            tag=CallTag("extract", event_id, article.id),
            max_tokens=min(settings.max_tokens, 2 * budget),
        )))
    return requests


async def restate_article(
    article: Article,
    sentences: Sequence[Sentence],
    *,
    llm: StructuredLLM,
    settings: Settings,
    language: str,
    event_id: str = "",
    on_passage: Callable[[], None] | None = None,
) -> Restatements:
    """Each candidate sentence of ``article`` in ``language`` (passages run concurrently);
    ``on_passage`` is called as each passage's answer arrives (progress)."""
    out = Restatements(article)
    if article.language == language:
        out.by_number = {s.number: " ".join(s.text.split()) for s in sentences}
        return out
    plan = _plan(article, sentences, settings=settings, language=language, event_id=event_id)

    async def one(numbers: tuple[int, ...], request: StructuredRequest[Any]) -> list[Restated]:
        completion = await llm.complete(request, _problems(numbers))
        if on_passage is not None:
            on_passage()
        return list(completion.value.s)

    answers = await asyncio.gather(*(one(n, r) for n, r in plan))
    known = {s.number for s in sentences}
    for item in (x for batch in answers for x in batch):
        out.returned += 1
        if item.i not in known:
            out.unknown_ids += 1
        elif item.t.strip() and item.i not in out.by_number:
            out.by_number[item.i] = " ".join(item.t.split())
    return out
