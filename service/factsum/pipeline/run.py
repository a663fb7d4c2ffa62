"""The pipeline: ingest -> extract -> verify -> reconcile -> Summary.

``asummarize`` is the async core used by the CLI and the batch job; ``summarize`` is
the simple synchronous entry point for Python callers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from factsum.version import __version__
from factsum.errors import InputError, LLMError, NoUsableInputError
from factsum.pipeline.event_cache import load_event, save_event
from factsum.pipeline.extract import ArticleExtraction, extract_article
from factsum.pipeline.figures import figure_claims
from factsum.pipeline.fingerprint import event_cache_key
from factsum.pipeline.independence import independence_groups
from factsum.ingest.readers import load_articles
from factsum.llm.base import CallTag, ProgressFn, StructuredLLM
from factsum.llm.cache import ResponseCache
from factsum.llm.client import LLMClient
from factsum.llm.ledger import Ledger
from factsum.models import (
    Article,
    ArticleRef,
    Claim,
    Dispute,
    RunInfo,
    Summary,
    SummaryStats,
    Usage,
)
from factsum.prompt_templates import load_prompt
from factsum.pipeline.reconcile import reconcile
from factsum.settings import Settings
from factsum.pipeline.weekdays import weekday_disputes

ArticleInput = object  # a path, raw text, or a dict/object with "text" (see ingest)

INLINE_READ_CHARS = 20_000
"""Events with more text than this are read for counts and dates on a worker thread
(about 0.1 ms per 1,000 characters); smaller ones on the loop, as the thread hop alone
costs about 0.1 ms."""


@dataclass
class EventResult:
    """A summary plus what went wrong along the way (for reports, not for the JSON)."""

    summary: Summary
    input_errors: list[InputError] = field(default_factory=list)
    article_errors: dict[str, str] = field(default_factory=dict)


def prompt_versions() -> dict[str, str]:
    """Versions of every prompt the pipeline uses (part of settings fingerprints)."""
    return {name: load_prompt(name).version for name in ("extract", "reconcile")}


async def asummarize_event(
    items: Sequence[ArticleInput],
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
    created = created or dt.date.today().isoformat()
    versions = prompt_versions()
    key = (event_cache_key(items, settings=settings, language=language, created=created,
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
    items: Sequence[ArticleInput], *, llm: StructuredLLM, settings: Settings, language: str,
    event_id: str, created: str, note: ProgressFn, versions: dict[str, str],
    ledger: Ledger | None,
) -> EventResult:
    articles, input_errors = load_articles(items)
    if not articles:
        raise NoUsableInputError(input_errors)
    for problem in input_errors:  # now, not after minutes of model calls
        note(f"skipped {problem}")

    async def one(article: Article) -> ArticleExtraction | str:
        try:
            result = await extract_article(
                article, llm=llm, settings=settings, language=language, event_id=event_id
            )
        except LLMError as exc:
            note(f"{article.source}: extraction failed: {exc}")
            return str(exc)
        note(f"{article.source}: {len(result.claims)} claims located, "
             f"{len(result.dropped)} dropped")
        return result

    outcomes = await asyncio.gather(*(one(a) for a in articles))
    extractions = [o for o in outcomes if isinstance(o, ArticleExtraction)]
    article_errors = {
        a.id: o for a, o in zip(articles, outcomes, strict=True) if isinstance(o, str)
    }
    if not extractions:
        raise LLMError(f"every article failed extraction ({next(iter(article_errors.values()))})")

    by_id = {a.id: a for a in articles}
    claims = [c for e in extractions for c in e.claims]
    dropped = [d for e in extractions for d in e.dropped]
    # Counts and dates are read in code from the articles that were extracted (a failed
    # article contributes nothing); only those a dispute cites are kept in the summary.
    # For a large event these whole-event passes run on a worker thread: the event loop
    # stays free to hand other events' finished requests their next one (the GIL
    # switches every few ms). See INLINE_READ_CHARS.
    extracted = [a for a in articles if a.id not in article_errors]

    def read_event() -> tuple[dict[str, str], list[Claim],
                              tuple[list[Claim], list[Dispute]]]:
        return (independence_groups(articles), figure_claims(extracted),
                weekday_disputes(extracted))

    if sum(len(a.text) for a in articles) > INLINE_READ_CHARS:
        groups, figures, (date_claims, date_disputes) = await asyncio.to_thread(read_event)
    else:  # a millisecond or two: cheaper here than the hop to a thread and back
        groups, figures, (date_claims, date_disputes) = read_event()
    note(f"reconciling {len(claims)} claims from {len(extractions)} articles")
    rec = await reconcile(
        claims, by_id, groups, llm=llm, settings=settings, language=language,
        event_id=event_id, figures=figures,
    )
    cited = {i for d in rec.disputes for p in d.positions for i in p.claim_ids}
    figures = [f for f in figures if f.id in cited]
    disputes = [
        d.model_copy(update={"id": f"d{n}"})
        for n, d in enumerate([*rec.disputes, *date_disputes], start=1)
    ]
    refs = [
        ArticleRef(
            id=a.id, outlets=a.outlets, title=a.title, url=a.url, published=a.published,
            language=a.language, source=a.source, independence_group=groups[a.id],
            chars=len(a.text),
        )
        for a in articles
    ]
    summary = Summary(
        headline=rec.headline or "Summary",
        language=language,
        articles=refs,
        claims=[*claims, *figures, *date_claims],
        points=rec.points,
        disputes=disputes,
        dropped=dropped,
        stats=SummaryStats(
            articles=len(articles),
            independent_sources=len(set(groups.values())),
            claims_extracted=sum(e.extracted for e in extractions),
            claims_verified=len(claims),
            quotes_dropped=len(dropped),
            points=len(rec.points),
            disputes=len(disputes),
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

    ``articles`` are paths, raw strings, or dicts/objects with ``text`` and optional
    ``title``, ``outlet``, ``url``, ``published``. Without ``llm``, the endpoint comes
    from ``settings`` (default: the environment), or the embedded local model.

    Works from synchronous code and from inside a running event loop (Jupyter, an async
    web handler): there the work runs on a thread of its own with its own loop.
    """
    work = asummarize(articles, language=language, settings=settings, llm=llm,
                      created=created, progress=progress)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work).result()
