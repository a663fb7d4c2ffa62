"""The fake OpenAI-compatible server: each fault behaves as configured, seen through the
real OpenAITransport and LLMClient over loopback HTTP.

Every answer here comes from factsum.testing.fake_answers: test fixtures, not model output.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factsum.errors import RetriesExhaustedError
from factsum.ingest.readers import load_articles
from factsum.llm import CallTag, LLMClient, OpenAITransport, StructuredRequest
from factsum.models import Article, ExtractionResult
from factsum.pipeline.extract import extract_article
from factsum.pipeline.reconcile import reconcile
from factsum.settings import Settings
from factsum.testing.fake_server import (
    HALLUCINATED_QUOTE,
    UNKNOWN_CLAIM_ID,
    FakeServer,
    FaultConfig,
    main,
)
from support.llm import SleepRecorder

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

TEXT = (
    "The storm reached Port Halden on Tuesday night and flooded the lower town.\n\n"
    "The mayor said that 340 people were evacuated from the harbour district by dawn. "
    "Rescue teams found 12 people trapped in cars on the coast road.\n\n"
    "Officials reported that 4 bridges were closed and 2,000 homes lost power."
)


def settings_for(server: FakeServer, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "model": "fake-model", "base_url": server.base_url, "api_key": "test-key",
        "cache_dir": tmp_path / "cache", "use_cache": False, "use_local_model": False,
        "request_timeout_s": 5.0,
    }
    values.update(overrides)
    return Settings.model_validate(values)


@pytest.fixture
def article() -> Article:
    articles, errors = load_articles([{"text": TEXT, "outlet": "Coast Herald"}])
    assert not errors
    return articles[0]


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start fake servers for a test; all are stopped at its end."""
    started: list[FakeServer] = []

    def start(faults: FaultConfig | None = None, **kwargs: Any) -> FakeServer:
        server = FakeServer(faults, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def extract_request(article: Article) -> StructuredRequest[ExtractionResult]:
    return StructuredRequest(
        messages=[
            {"role": "system", "content": "Extract claims as JSON."},
            {"role": "user", "content": f"<<<ARTICLE t1>>>\n{article.text}\n<<<END t1>>>"},
        ],
        response_model=ExtractionResult,
        prompt_version="test@1",
        tag=CallTag("extract", "ev", article.id),
    )


def complete(settings: Settings, article: Article, sleeps: SleepRecorder | None = None
             ) -> tuple[LLMClient, int]:
    """One extraction request through the real client; returns it and the re-asks."""
    async def run() -> tuple[LLMClient, int]:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm),
                        sleep=sleeps or SleepRecorder())
        try:
            done = await llm.complete(extract_request(article))
        finally:
            await llm.aclose()
        assert done.value.claims
        return llm, done.reasks
    return asyncio.run(run())


# --------------------------------------------------------------------------- transport faults


def test_429_retry_after_is_honoured_then_the_retry_succeeds(serve: Any, tmp_path: Path,
                                                            article: Article) -> None:
    server = serve(FaultConfig(script=("429",), retry_after_s=1.5))
    sleeps = SleepRecorder()
    llm, reasks = complete(settings_for(server, tmp_path), article, sleeps)
    assert sleeps.waits == [1.5]  # from retry-after-ms, not the backoff
    assert llm.ledger.usage().retries == 1 and reasks == 0
    stats = server.stats()
    assert stats.faults == {"429": 1} and stats.chat_requests == 2 and stats.ok == 1


@pytest.mark.parametrize("status", ["500", "503"])
def test_server_errors_are_retried(serve: Any, tmp_path: Path, article: Article,
                                   status: str) -> None:
    server = serve(FaultConfig(script=(status, status)))
    llm, _ = complete(settings_for(server, tmp_path), article)
    assert llm.ledger.usage().retries == 2
    assert server.stats().faults == {status: 2}


def test_dropped_connection_is_retried(serve: Any, tmp_path: Path, article: Article) -> None:
    server = serve(FaultConfig(script=("drop",)))
    llm, _ = complete(settings_for(server, tmp_path), article)
    assert llm.ledger.usage().retries == 1
    assert server.stats().faults == {"drop": 1}


def test_a_held_connection_times_out_and_is_retried(serve: Any, tmp_path: Path,
                                                    article: Article) -> None:
    server = serve(FaultConfig(script=("timeout",), hold_s=30.0))
    llm, _ = complete(settings_for(server, tmp_path, request_timeout_s=0.5), article)
    assert llm.ledger.usage().retries == 1
    stats = server.stats()
    # The client closed the held connection itself: the server never answered it.
    assert stats.faults == {"timeout": 1} and stats.abandoned == 1 and stats.ok == 1


def test_retries_stop_at_max_attempts(serve: Any, tmp_path: Path, article: Article) -> None:
    server = serve(FaultConfig(script=("503",) * 5))
    with pytest.raises(RetriesExhaustedError):
        complete(settings_for(server, tmp_path, max_attempts=3), article)
    assert server.stats().chat_requests == 3


# --------------------------------------------------------------------------- content faults


@pytest.mark.parametrize("fault", ["malformed", "schema"])
def test_invalid_answers_are_reasked(serve: Any, tmp_path: Path, article: Article,
                                     fault: str) -> None:
    server = serve(FaultConfig(script=(fault,)))
    llm, reasks = complete(settings_for(server, tmp_path), article)
    usage = llm.ledger.usage()
    assert reasks == 1 and usage.reasks == 1 and usage.retries == 0
    stats = server.stats()
    assert stats.faults == {fault: 1} and stats.reask_requests == 1


def test_a_hallucinated_quote_is_reasked_and_fixed(serve: Any, tmp_path: Path,
                                                  article: Article) -> None:
    server = serve(FaultConfig(script=("bad_quote",)))
    settings = settings_for(server, tmp_path)
    result = asyncio.run(_extract(settings, article))
    assert not result.dropped
    assert all(c.quote != HALLUCINATED_QUOTE for c in result.claims)
    assert server.stats().reask_requests == 1


def test_a_hallucinated_quote_that_persists_is_dropped_by_verification(
        serve: Any, tmp_path: Path, article: Article) -> None:
    server = serve(FaultConfig(script=("bad_quote", "bad_quote"), fault_reasks=True))
    settings = settings_for(server, tmp_path, max_reasks=1)
    result = asyncio.run(_extract(settings, article))
    assert [d.quote for d in result.dropped] == [HALLUCINATED_QUOTE]
    assert result.claims and all(HALLUCINATED_QUOTE not in c.quote for c in result.claims)
    for claim in result.claims:  # what survives is located in the article
        assert article.text[claim.span.start:claim.span.end] == claim.quote


async def _extract(settings: Settings, article: Article) -> Any:
    llm = LLMClient(settings.llm, OpenAITransport(settings.llm), sleep=SleepRecorder())
    try:
        return await extract_article(article, llm=llm, settings=settings, language="en",
                                     event_id="ev")
    finally:
        await llm.aclose()


def _reconcile(settings: Settings, article: Article) -> Any:
    async def run() -> Any:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm), sleep=SleepRecorder())
        try:
            extraction = await extract_article(article, llm=llm, settings=settings,
                                               language="en", event_id="ev")
            rec = await reconcile(extraction.claims, {article.id: article},
                                  {article.id: article.id}, llm=llm, settings=settings,
                                  language="en", event_id="ev")
            return rec, llm.ledger.usage()
        finally:
            await llm.aclose()
    return asyncio.run(run())


def test_an_unknown_claim_id_is_reasked(serve: Any, tmp_path: Path, article: Article) -> None:
    server = serve(FaultConfig(script=("unknown_id",)))
    rec, usage = _reconcile(settings_for(server, tmp_path), article)
    assert usage.reasks == 1 and rec.unknown_ids_dropped == 0
    assert server.stats().faults == {"unknown_id": 1}  # extraction requests are not hit


def test_an_unknown_claim_id_that_persists_is_rejected(serve: Any, tmp_path: Path,
                                                       article: Article) -> None:
    server = serve(FaultConfig(script=("unknown_id",)))
    rec, _ = _reconcile(settings_for(server, tmp_path, max_reasks=0), article)
    assert rec.unknown_ids_dropped == 1
    cited = {i for p in rec.points for i in p.claim_ids}
    assert cited and UNKNOWN_CLAIM_ID not in cited


# --------------------------------------------------------------------------- the server itself


def test_fault_draws_are_deterministic_and_keyed_by_body_and_attempt() -> None:
    faults = FaultConfig(rates={"429": 0.5}, seed=7, faulty_attempts=1)
    draws = [faults.choose(f"body{n}", 1, "extract", False) for n in range(400)]
    assert draws == [faults.choose(f"body{n}", 1, "extract", False) for n in range(400)]
    assert 150 < draws.count("429") < 250
    assert all(faults.choose(f"body{n}", 2, "extract", False) == "ok" for n in range(400))
    other = FaultConfig(rates={"429": 0.5}, seed=8)
    assert draws != [other.choose(f"body{n}", 1, "extract", False) for n in range(400)]


def test_content_faults_spare_reasks_and_other_kinds() -> None:
    faults = FaultConfig(script=("malformed",))
    assert faults.choose("b", 1, "extract", reask=True) == "ok"
    assert faults.choose("b", 1, "extract", reask=False) == "malformed"
    assert FaultConfig(script=("bad_quote",)).choose("b", 1, "reconcile", False) == "ok"
    assert FaultConfig(script=("unknown_id",)).choose("b", 1, "extract", False) == "ok"


def test_fault_specs_are_parsed_and_checked() -> None:
    faults = FaultConfig.parse("429=0.2,5xx=0.1,timeout=0.02")
    assert faults.rates == pytest.approx({"429": 0.2, "500": 0.05, "503": 0.05,
                                          "timeout": 0.02})
    with pytest.raises(ValueError, match="unknown fault"):
        FaultConfig.parse("teapot=0.1")
    with pytest.raises(ValueError, match="sum to at most 1"):
        FaultConfig.parse("429=0.7,500=0.7")


def test_sixteen_concurrent_requests_are_served_in_parallel(serve: Any, tmp_path: Path,
                                                            article: Article) -> None:
    # Each answer takes 1 s, so the 16 requests sent together are all in flight at once
    # unless the server answers one at a time (max_in_flight would then be 1).
    server = serve(FaultConfig(latency_s=1.0))
    settings = settings_for(server, tmp_path, max_concurrency=16)

    async def run() -> None:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm))
        requests = []
        for n in range(16):  # distinct bodies
            request = extract_request(article)
            request.messages[0]["content"] += f" #{n}"
            requests.append(request)
        try:
            await asyncio.gather(*(llm.complete(r) for r in requests))
        finally:
            await llm.aclose()

    asyncio.run(run())
    stats = server.stats()
    assert stats.max_in_flight == 16 and stats.ok == 16 and stats.latency_s == pytest.approx(16)


def test_usage_models_and_stats_endpoints(serve: Any, tmp_path: Path,
                                          article: Article) -> None:
    server = serve(model="fake-x")
    llm, _ = complete(settings_for(server, tmp_path), article)
    usage = llm.ledger.usage()
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    root = server.base_url.removesuffix("/v1")
    with urllib.request.urlopen(f"{server.base_url}/models", timeout=5) as resp:
        assert json.load(resp)["data"][0]["id"] == "fake-x"
    with urllib.request.urlopen(f"{root}/_stats", timeout=5) as resp:
        stats = json.load(resp)
    assert stats["chat_requests"] == 1 and stats["prompt_tokens"] == usage.prompt_tokens


def test_command_line_prints_the_url_then_the_stats(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    assert main(["--faults", "429=0.1", "--max-seconds", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["base_url"].startswith("http://127.0.0.1:")
    assert json.loads(lines[1])["stats"]["chat_requests"] == 0
