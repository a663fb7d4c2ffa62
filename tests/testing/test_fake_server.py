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
from factsum.llm import LLMClient, OpenAITransport, StructuredRequest
from factsum.models import Article, Summary
from factsum.pipeline.extract import extraction_requests
from factsum.pipeline.run import asummarize_event
from factsum.pipeline.sentences import candidates, split_sentences
from factsum.settings import Settings
from factsum.testing.fake_server import INVENTED_NUMBER, FakeServer, FaultConfig, main
from support.llm import SleepRecorder

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])

# In French: a summary in English asks the model to restate it (a request per sentence).
TEXT = (
    "La tempête a atteint Port Halden mardi soir et a inondé la ville basse.\n\n"
    "Le maire a déclaré que 340 personnes avaient été évacuées du port avant l'aube. "
    "Les secours ont trouvé 12 personnes bloquées dans leurs voitures sur la côte.\n\n"
    "Les autorités ont indiqué que 4 ponts étaient fermés et 2000 foyers sans courant."
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


def extract_request(article: Article, settings: Settings) -> StructuredRequest[Any]:
    """The pipeline's restatement request for the article's first sentence."""
    return extraction_requests(article, candidates(split_sentences(article)),
                               settings=settings, language="en", event_id="ev")[0]


def complete(settings: Settings, article: Article, sleeps: SleepRecorder | None = None
             ) -> tuple[LLMClient, int]:
    """One extraction request through the real client; returns it and the re-asks."""
    async def run() -> tuple[LLMClient, int]:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm),
                        sleep=sleeps or SleepRecorder())
        try:
            done = await llm.complete(extract_request(article, settings))
        finally:
            await llm.aclose()
        assert done.value.t
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


def summarize_one(settings: Settings, article: Article) -> tuple[Summary, int]:
    """The article summarised through the real client; the summary and the re-asks."""
    async def run() -> tuple[Summary, int]:
        llm = LLMClient(settings.llm, OpenAITransport(settings.llm), sleep=SleepRecorder())
        try:
            result = await asummarize_event([article.text], llm=llm, settings=settings,
                                            ledger=llm.ledger, created="2020-01-08")
        finally:
            await llm.aclose()
        return result.summary, llm.ledger.usage().reasks
    return asyncio.run(run())


def test_an_empty_statement_is_reasked(serve: Any, tmp_path: Path, article: Article) -> None:
    server = serve(FaultConfig(cycle=("empty",) + ("ok",) * 9))
    summary, reasks = summarize_one(settings_for(server, tmp_path), article)
    stats = server.stats()
    assert reasks == 1 and stats.faults == {"empty": 1} and stats.reask_requests == 1
    assert summary.claims and not summary.unverified


def test_an_invented_number_is_listed_as_not_verified(serve: Any, tmp_path: Path,
                                                      article: Article) -> None:
    # The first sentence asked gets the invented number, the others are answered well.
    server = serve(FaultConfig(cycle=("invented_number",) + ("ok",) * 9))
    summary, reasks = summarize_one(settings_for(server, tmp_path), article)
    assert server.stats().faults == {"invented_number": 1} and reasks == 0
    invented = INVENTED_NUMBER.strip()
    assert [u.statement.endswith(invented) for u in summary.unverified] == [True]
    assert summary.claims and all("9999" not in c.statement for c in summary.claims)


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
    for fault in ("invented_number", "empty"):
        assert FaultConfig(script=(fault,)).choose("b", 1, "unknown", False) == "ok"
        assert FaultConfig(script=(fault,)).choose("b", 1, "extract", False) == fault


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
            request = extract_request(article, settings)
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
