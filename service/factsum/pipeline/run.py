"""The pipeline: ingest -> sentences -> extract (the model) -> verify, reconcile and
disputes (code, factsum.pipeline.assemble) -> Summary.

``asummarize`` is the async core used by the CLI and the batch job; ``summarize`` is
the simple synchronous entry point for Python callers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import datetime as dt
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from factsum.errors import (
    BudgetEstimateError,
    BudgetExceededError,
    ConfigError,
    InputError,
    LLMError,
    NoUsableInputError,
)
from factsum.ingest.readers import check_language_code, load_articles
from factsum.llm.base import CallTag, ProgressFn, StructuredLLM
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient, build_payload
from factsum.llm.ledger import Ledger, Usage
from factsum.llm.tokens import estimate_prompt_tokens
from factsum.models import (
    Article,
    ArticleRef,
    Point,
    RunInfo,
    Skipped,
    Summary,
    SummaryStats,
)
from factsum.pipeline.assemble import Draft, draft, finish
from factsum.pipeline.corroborate import ask_shared_facts, candidate_pairs, merge_shared
from factsum.pipeline.event_cache import load_event, save_event
from factsum.pipeline.extract import Restatements, extraction_requests, restate_article
from factsum.pipeline.fingerprint import event_cache_key
from factsum.pipeline.reconcile import Fact
from factsum.pipeline.sentences import Sentence, split_sentences
from factsum.prompt_templates import language_name, load_prompt
from factsum.settings import Settings
from factsum.version import __version__

ArticleInput = str | bytes | os.PathLike[str] | Mapping[str, object]
"""One article: a ``str`` is its text, a ``Path`` a file or folder of articles, ``bytes``
a file's content, a mapping a record with ``text`` and optional ``title``, ``outlet``,
``url``, ``published`` (objects with a ``text`` attribute are accepted too)."""

THREAD_SWITCH_S = 0.001
"""The interpreter's thread switch interval while many events run in one process."""


@contextlib.contextmanager
def responsive_event_loop() -> Iterator[None]:
    """While many events run concurrently, switch threads every millisecond instead of
    Python's default 5 ms, then restore the previous interval.

    One event's CPU work (assembling, writing its outputs) runs on a worker thread while
    the event loop sends the other events' requests. Both need the GIL: with the default
    interval, each time the loop wakes for a request it can wait up to 5 ms for the
    worker, and with 16 requests in flight those waits add up (measured on the bench's
    200-article batch at 0.2 s per request: efficiency 0.83 at 5 ms, 0.88 to 0.90 at
    1 ms). The CPU work itself is not slowed measurably.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, THREAD_SWITCH_S))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@dataclass
class EventResult:
    """A summary plus what went wrong along the way (for reports, not for the JSON)."""

    summary: Summary
    input_errors: list[InputError] = field(default_factory=list)
    article_errors: dict[str, str] = field(default_factory=dict)


def prompt_versions() -> dict[str, str]:
    """Versions of every prompt the pipeline uses (part of settings fingerprints)."""
    return {name: load_prompt(name).version for name in ("extract", "shared")}


async def asummarize_event(
    items: Sequence[object],
    *,
    llm: StructuredLLM,
    settings: Settings,
    language: str = "en",
    event_id: str = "",
    created: str | None = None,
    progress: ProgressFn | None = None,
    cache: ResponseCache | None = None,
    ledger: Ledger | None = None,
) -> EventResult:
    """Summarise one event; article-level failures are reported, not fatal.

    With a ``cache`` (the CLI and the batch job pass the client's), an event whose
    inputs, settings, prompts, language and date are unchanged is served whole from it
    (factsum.pipeline.event_cache). The ``ledger`` gives the summary its usage figures.
    """
    note = progress or (lambda _msg: None)
    try:
        language = check_language_code(language)
    except ValueError as exc:
        raise ConfigError(f"language={language!r}: {exc}") from None
    created = created or dt.date.today().isoformat()
    versions = prompt_versions()
    # The key names the model the client really calls (a base URL's server may have
    # chosen it), not the one the caller's settings name.
    keyed = settings.model_copy(update={"model": llm.model_name})
    key = (event_cache_key(items, settings=keyed, language=language, created=created,
                           prompt_versions=versions)
           if cache is not None else None)
    hit = load_event(cache, key) if cache is not None and key else None
    if hit is not None:
        summary, input_errors, calls = hit
        for problem in input_errors:
            note(f"skipped {problem}")
        note("inputs, settings and prompts unchanged: summary served from the cache")
        if ledger is not None:  # every call the event took counts as a cache hit
            for _ in range(calls):
                ledger.record(CallTag(purpose="event", event_id=event_id),
                              model=llm.model_name, cached=True)
        summary.usage = _usage(ledger, event_id)
        return EventResult(summary, input_errors)
    result = await _summarize_event(items, llm=llm, settings=settings, language=language,
                                    event_id=event_id, created=created, note=note,
                                    versions=versions, ledger=ledger)
    if cache is not None and key is not None and not result.article_errors:
        save_event(cache, key, result.summary, result.input_errors)
    return result


async def _summarize_event(
    items: Sequence[object], *, llm: StructuredLLM, settings: Settings, language: str,
    event_id: str, created: str, note: ProgressFn, versions: dict[str, str],
    ledger: Ledger | None,
) -> EventResult:
    articles, input_errors = load_articles(items)
    if not articles:
        raise NoUsableInputError(input_errors)
    for problem in input_errors:  # now, not after minutes of model calls
        note(f"skipped {problem}")
    sentences = {a.id: split_sentences(a) for a in articles}
    instructions = [
        _skipped(a.source, f"{n} sentence{'s' if n > 1 else ''} speaking to an AI reader "
                           "(an injected instruction) left out")
        for a in articles
        if (n := sum(s.addressed_to_model for s in sentences[a.id]))]
    for left_out in instructions:
        note(f"{left_out.source}: {left_out.problem}")
    candidates = {}
    cut = 0
    for a in articles:
        shown = [s for s in sentences[a.id] if s.candidate]
        if len(shown) > settings.max_sentences_per_article:
            cut += len(shown) - settings.max_sentences_per_article
            note(f"{a.source}: {len(shown)} sentences; only the first "
                 f"{settings.max_sentences_per_article} are read (max_sentences_per_article)")
            shown = shown[:settings.max_sentences_per_article]
        candidates[a.id] = shown
    _check_estimate(articles, candidates, settings=settings, language=language,
                    ledger=ledger, model=llm.model_name)
    progress = Progress(
        sum(len(candidates[a.id]) for a in articles if a.language != language), note, ledger)
    if progress.total:
        note(f"restating {progress.total} sentences in {language_name(language)}, one model "
             "call each")

    async def one(article: Article) -> Restatements | str:
        try:
            return await restate_article(article, candidates[article.id], llm=llm,
                                         settings=settings, language=language,
                                         event_id=event_id,
                                         on_answer=lambda: progress.done(article.source))
        except BudgetExceededError:
            raise  # the run stops cleanly: no article is to blame
        except LLMError as exc:
            note(f"{article.source}: extraction failed: {exc}")
            return str(exc)

    outcomes = await asyncio.gather(*(one(a) for a in articles))
    restated = {a.id: o for a, o in zip(articles, outcomes, strict=True)
                if isinstance(o, Restatements)}
    article_errors = {a.id: o for a, o in zip(articles, outcomes, strict=True)
                      if isinstance(o, str)}
    if not restated:
        raise LLMError(f"every article failed extraction ({next(iter(article_errors.values()))})")
    # Assembling is the pipeline's one long stretch of CPU work (a second or so for a
    # large event): on a worker thread, the event loop keeps sending other events'
    # requests meanwhile instead of leaving the model server idle.
    made = await asyncio.to_thread(
        draft, articles, sentences, {aid: r.by_number for aid, r in restated.items()},
        language=language)
    facts = await _corroborate(made, llm=llm, settings=settings, event_id=event_id,
                               note=note)
    built = await asyncio.to_thread(finish, made, facts)
    refs = [
        ArticleRef(
            id=a.id, outlets=a.outlets, title=a.title, url=a.url, published=a.published,
            language=a.language, source=a.source, independence_group=built.groups[a.id],
            chars=len(a.text),
        )
        for a in articles
    ]
    model_claims = [c for c in built.claims if c.origin == "model"]
    summary = Summary(
        headline=headline(articles, built.points, language),
        language=language,
        articles=refs,
        claims=built.claims,
        points=built.points,
        disputes=built.disputes,
        unverified=built.unverified,
        skipped=[*(_skipped(e.source, e.problem) for e in input_errors),
                 *(_skipped(a.source, f"extraction failed: {article_errors[a.id]}")
                   for a in articles if a.id in article_errors),
                 *instructions],
        stats=SummaryStats(
            articles=len(articles),
            independent_sources=len(set(built.groups.values())),
            sentences_read=sum(len(candidates[aid]) for aid in restated),
            sentences_cut=cut,
            claims_extracted=sum(len(r.by_number) for r in restated.values()),
            claims_verified=len(model_claims),
            claims_unverified=len(built.unverified),
            points=len(built.points),
            key_points=sum(p.key for p in built.points),
            disputes=len(built.disputes),
        ),
        run=RunInfo(
            model=llm.model_name,
            prompt_versions=versions,
            created=created,
            factsum_version=__version__,
        ),
        usage=_usage(ledger, event_id),
    )
    return EventResult(summary, input_errors, article_errors)


async def _corroborate(made: Draft, *, llm: StructuredLLM, settings: Settings,
                       event_id: str, note: ProgressFn) -> list[Fact]:
    """The draft's facts, with those that the model finds two sources share merged
    (factsum.pipeline.corroborate); one model call per candidate pair."""
    pairs = candidate_pairs(made.facts, made.claims, made.scores, made.groups,
                            made.speakers, language=made.language)
    if not pairs:
        return made.facts
    note(f"comparing {len(pairs)} pairs of statements from different sources, one model "
         "call each")
    answers = await ask_shared_facts(pairs, made.facts, llm=llm, settings=settings,
                                     language=made.language, event_id=event_id, note=note)
    return merge_shared(made.facts, pairs, answers, made.claims, made.backs,
                        language=made.language)


def _skipped(source: str, problem: str) -> Skipped:
    # The file's name, not the path it was given by: a summary reads the same wherever
    # the event was summarised from.
    return Skipped(source=os.path.basename(source) or source, problem=problem)


def _check_estimate(articles: Sequence[Article], candidates: dict[str, list[Sentence]], *,
                    settings: Settings, language: str, ledger: Ledger | None,
                    model: str) -> None:
    """Refuse to start a run whose worst-case cost exceeds the budget, unless allowed.

    The estimate is the one the budget's reservations use (prompt tokens estimated high,
    every answer at its ``max_tokens``), summed over every extraction request. The
    comparisons of ``_corroborate`` depend on the answers, so they are not in it; they
    are short (at most two per point) and each is held to the budget as it is made.
    """
    if settings.budget_usd is None or settings.allow_over_budget or ledger is None:
        return
    requests = [r for a in articles for r in extraction_requests(
        a, candidates[a.id], settings=settings, language=language)]
    conf = settings.llm
    estimate = sum(
        ledger.cost([model], estimate_prompt_tokens(
            build_payload(conf, r.messages, r.response_model, r.max_tokens)),
            r.max_tokens or settings.max_tokens)[0]
        for r in requests)
    if estimate > settings.budget_usd:
        raise BudgetEstimateError(estimate, settings.budget_usd, calls=len(requests))


class Progress:
    """One progress line per answered sentence: n/N, tokens per second, time left."""

    def __init__(self, total: int, note: ProgressFn, ledger: Ledger | None) -> None:
        self.total, self.note, self.ledger = total, note, ledger
        self.finished = 0
        self.started = time.monotonic()

    def done(self, source: str) -> None:
        """Record one answered sentence of ``source`` and print where the run stands."""
        self.finished += 1
        elapsed = time.monotonic() - self.started
        left = elapsed / self.finished * (self.total - self.finished)
        rate = ""
        if self.ledger is not None:
            generated = self.ledger.usage().completion_tokens
            rate = f", {generated / elapsed:.1f} tokens/s" if elapsed > 0 and generated else ""
        self.note(f"[{self.finished}/{self.total}] {source}{rate}, about "
                  f"{int(left // 60)}:{int(left % 60):02d} left")


def headline(articles: Sequence[Article], points: Sequence[Point], language: str) -> str:
    """A title in the summary language when an article has one, else the first point."""
    for article in articles:
        if article.language == language and article.title:
            return article.title
    return points[0].statement if points else "Summary"


def _usage(ledger: Ledger | None, event_id: str) -> Usage:
    return Usage() if ledger is None else ledger.usage(event_id=event_id)


async def asummarize(
    articles: Sequence[ArticleInput],
    *,
    language: str = "en",
    settings: Settings | None = None,
    llm: StructuredLLM | None = None,
    created: str | None = None,
    progress: ProgressFn | None = None,
) -> Summary:
    """Async :func:`summarize`: the same arguments and defaults."""
    from factsum.backend import open_llm

    conf = settings or Settings.from_env()
    if llm is not None:
        cache = llm.cache if isinstance(llm, LLMClient) else None
        ledger = llm.ledger if isinstance(llm, LLMClient) else None
        result = await asummarize_event(
            articles, llm=llm, settings=conf, language=language, created=created,
            progress=progress, cache=cache, ledger=ledger,
        )
        return result.summary
    async with open_llm(conf, progress=progress) as client:
        result = await asummarize_event(
            articles, llm=client, settings=conf, language=language, created=created,
            progress=progress, cache=client.cache, ledger=client.ledger,
        )
    return result.summary


def summarize(
    articles: Sequence[ArticleInput],
    *,
    language: str = "en",
    settings: Settings | None = None,
    llm: StructuredLLM | None = None,
    created: str | None = None,
    progress: ProgressFn | None = None,
) -> Summary:
    """Summarise the articles of one event into a cited Summary.

    ``articles``: see ``ArticleInput`` (a ``str`` is article text, a ``pathlib.Path`` a
    file or folder). Without ``llm``, the endpoint comes from ``settings`` (default: the
    environment), or the embedded local model.

    Works from synchronous code and from inside a running event loop (Jupyter, an async
    web handler): there the work runs on a thread of its own with its own loop.
    """
    work = asummarize(articles, language=language, settings=settings, llm=llm,
                      created=created, progress=progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        in_loop = False
    else:
        in_loop = True
    if not in_loop:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
