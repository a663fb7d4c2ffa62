"""``factsum batch --via-batch-api``: end to end from cassettes, plus the edge cases.

The cassettes in ``cassettes/batch_api/`` were recorded from ``FakeServer``
(factsum.testing.fake_server), a fake OpenAI-compatible server on loopback started by
these tests, NOT from OpenAI; its answers are test fixtures built from the prompt. The
upload is matched part by part (``multipart_body``, tests/support/cassettes.py): its
boundary is random. CI replays them:

    .venv/bin/pytest tests/batch/test_batch_api.py --record-mode=none --block-network

Re-record (after a change to the prompts, the payloads or the fake server):

    rm cassettes/batch_api/*.yaml
    .venv/bin/pytest tests/batch/test_batch_api.py --record-mode=once
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx2
import pytest
from factsum.batch.api import (
    BatchApiConfig,
    JobStatus,
    OpenAIBatchBackend,
    extraction_requests,
    with_batch_prices,
)
from factsum.batch.api_requests import BATCH_MODEL_PREFIX
from factsum.batch.command import BatchOptions, run_batch
from factsum.batch.progress import PlainProgress
from factsum.errors import ConfigError, PermanentLLMError
from factsum.llm import LLMClient
from factsum.llm.ledger import Ledger
from factsum.testing.fake_answers import answer_for, request_kind
from factsum.testing.fake_server import FakeServer, FaultConfig
from factsum.testing.scripted import ScriptedTransport
from rich.console import Console
from support.batch import (
    EVENTS,
    batch_settings,
    client_factory,
    no_sleep,
    tree,
    write_events,
)
from support.cassettes import MATCHER_NAME

CREATED = "2024-01-08"
REQUESTS = 18  # one extraction request per sentence: 6 articles x 3 sentences
UNREACHABLE = "http://127.0.0.1:9/v1"  # replay never connects


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict[str, Any]) -> dict[str, Any]:
    """The shared settings (tests/conftest.py), matching uploads part by part."""
    return {**vcr_config, "match_on": ["method", "path", MATCHER_NAME]}


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(Path(__file__).resolve().parents[2] / "cassettes" / "batch_api")


@pytest.fixture
def fake_batch_server(record_mode: str) -> Iterator[FakeServer | None]:
    """The fake server while recording; None on replay (nothing is contacted)."""
    if record_mode == "none":
        yield None
        return
    with FakeServer() as server:
        yield server


def base_url(server: FakeServer | None) -> str:
    return server.base_url if server is not None else UNREACHABLE


def quiet() -> PlainProgress:
    return PlainProgress(Console(file=io.StringIO(), width=200))


class Sink:
    """Keeps the clients a factory opened, to look at their ledgers afterwards."""

    def __init__(self, transport: Any) -> None:
        self.clients: list[LLMClient] = []
        self.inner = client_factory(transport)

    def __call__(self, settings: Any) -> Any:
        inner = self.inner(settings)
        sink = self.clients

        class Ctx:
            async def __aenter__(self) -> LLMClient:
                client = await inner.__aenter__()
                sink.append(client)
                return client

            async def __aexit__(self, *exc: Any) -> None:
                await inner.__aexit__(*exc)

        return Ctx()


def report(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "run-report.json").read_text())
    return data


def run_via_batch(tmp_path: Path, url: str, transport: Any, **config: Any) -> Any:
    src = write_events(tmp_path / "in")
    settings = batch_settings(tmp_path, base_url=url)
    return run_batch(
        BatchOptions(src, tmp_path / "out", created=CREATED, via_batch_api=True), settings,
        llm_factory=transport if isinstance(transport, Sink) else client_factory(transport),
        progress=quiet(),
        batch_api=BatchApiConfig(**{"poll_initial_s": 1.0, "sleep": no_sleep, **config}),
    )


# --------------------------------------------------------------------------- cassettes


@pytest.mark.vcr
def test_batch_api_end_to_end(tmp_path: Path, fake_batch_server: FakeServer | None
                              ) -> None:
    transport = ScriptedTransport()
    sink = Sink(transport)
    outcome = run_via_batch(tmp_path, base_url(fake_batch_server), sink)
    assert outcome.exit_status == 0
    # The pipeline made no extraction call: the Batch API answered every one. Only the
    # comparisons of statements from different sources, which need the answers, follow.
    assert {request_kind(p) for p in transport.payloads} <= {"shared"}
    rep = report(tmp_path / "out")
    batch = rep["batch_api"]
    assert batch["requests"] == batch["submitted"] == batch["succeeded"] == REQUESTS
    assert batch["failed"] == 0
    assert [(j["batch_id"], j["status"], j["resumed"]) for j in batch["jobs"]] == [
        ("batch_fake_1", "completed", False)]
    assert not (tmp_path / "out" / ".factsum" / "batch.json").exists()
    for event in rep["event_list"]:
        # Every extraction of the event was served from the cache the batch filled.
        assert event["usage"]["cache_hits"] == REQUESTS // 3
    # The rest are the comparisons, made after the answers, in real time.
    compared = sum(request_kind(p) == "shared" for p in transport.payloads)
    assert sum(e["usage"]["requests"] - e["usage"]["cache_hits"]
               for e in rep["event_list"]) == compared

    # Batch answers are priced at half the model's price, real-time ones in full.
    records = sink.clients[0].ledger.records
    batch_records = [r for r in records if r.model.startswith(BATCH_MODEL_PREFIX)]
    assert len(batch_records) == REQUESTS
    for r in batch_records:
        full = (r.prompt_tokens * 0.15 + r.completion_tokens * 0.60) / 1e6
        assert r.cost_usd == pytest.approx(full / 2)
    assert rep["unpriced_models"] == []

    # Same summaries, byte for byte, as a run without the Batch API.
    normal = tmp_path / "normal"
    run_batch(BatchOptions(tmp_path / "in", normal, created=CREATED),
              batch_settings(tmp_path / "n"),
              llm_factory=client_factory(ScriptedTransport()), progress=quiet())
    ref, got = tree(normal), tree(tmp_path / "out")
    for name in EVENTS:
        assert got[f"{name}/summary.json"] == ref[f"{name}/summary.json"]
        assert got[f"{name}/summary.md"] == ref[f"{name}/summary.md"]


@pytest.fixture
def failing_batch_server(record_mode: str) -> Iterator[FakeServer | None]:
    """While recording: a fake server that fails the batch's first line with a 500."""
    if record_mode == "none":
        yield None
        return
    with FakeServer(FaultConfig(cycle=("500",) + ("ok",) * REQUESTS)) as server:
        yield server


@pytest.mark.vcr
def test_batch_api_failed_request_falls_back_to_normal_path(
        tmp_path: Path, failing_batch_server: FakeServer | None) -> None:
    transport = ScriptedTransport()
    outcome = run_via_batch(tmp_path, base_url(failing_batch_server), transport)
    assert outcome.exit_status == 0
    kinds = [request_kind(p) for p in transport.payloads]
    # The failed line, asked in real time, then the comparisons.
    assert kinds.count("extract") == 1 and set(kinds) == {"extract", "shared"}
    batch = report(tmp_path / "out")["batch_api"]
    assert batch["succeeded"] == REQUESTS - 1 and batch["failed"] == 1
    assert any("HTTP 500" in e and "fake server failed" in e for e in batch["errors"])
    assert report(tmp_path / "out")["failed_requests"] == 1


class SimulatedKill(BaseException):
    """Stands for the process dying while it waits for the batch."""


async def die(_seconds: float) -> None:
    raise SimulatedKill


@pytest.mark.vcr
def test_batch_api_resumes_the_stored_batch_after_the_process_died(
        tmp_path: Path, fake_batch_server: FakeServer | None) -> None:
    url = base_url(fake_batch_server)
    first = ScriptedTransport()
    with pytest.raises(SimulatedKill):
        run_via_batch(tmp_path, url, first, sleep=die)
    job = json.loads((tmp_path / "out" / ".factsum" / "batch.json").read_text())
    assert job["batch_id"] == "batch_fake_1" and len(job["requests"]) == REQUESTS
    assert first.payloads == []

    second = ScriptedTransport()
    assert run_via_batch(tmp_path, url, second).exit_status == 0
    batch = report(tmp_path / "out")["batch_api"]
    assert batch["submitted"] == 0  # no second upload: the stored batch was polled
    assert [(j["batch_id"], j["resumed"]) for j in batch["jobs"]] == [("batch_fake_1", True)]
    assert batch["already_cached"] == REQUESTS
    assert {request_kind(p) for p in second.payloads} <= {"shared"}
    if fake_batch_server is not None:
        assert len(fake_batch_server.batch.batches) == 1


# --------------------------------------------------------------------------- offline


def test_extraction_requests_are_what_the_pipeline_sends(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")
    settings = batch_settings(tmp_path)
    transport = ScriptedTransport()
    run_batch(BatchOptions(src, tmp_path / "out", created=CREATED), settings,
              llm_factory=client_factory(transport), progress=quiet())
    sent = [json.dumps(p, sort_keys=True) for p in transport.payloads
            if request_kind(p) == "extract"]
    built = extraction_requests([(e, [src / e], "en") for e in EVENTS], settings)
    assert sorted(json.dumps(r.payload, sort_keys=True) for r in built) == sorted(sent)
    assert len({r.custom_id for r in built}) == REQUESTS
    assert all(len(r.custom_id) <= 64 for r in built)


def test_batch_prices_are_half_price() -> None:
    settings = with_batch_prices(batch_settings(Path("/tmp")))
    ledger = Ledger(settings.prices)
    usd, priced = ledger.cost(["batch:gpt-4o-mini"], 1_000_000, 1_000_000)
    assert priced and usd == pytest.approx((0.15 + 0.60) / 2)
    assert ledger.cost(["batch:gpt-4o-mini-2024-07-18"], 1_000_000, 0)[0] == pytest.approx(0.075)
    assert with_batch_prices(settings).prices == settings.prices  # idempotent


class MemoryBackend:
    """An in-memory BatchBackend (test double) with a scripted sequence of statuses."""

    def __init__(self, statuses: list[JobStatus | Exception], files: Mapping[str, str]) -> None:
        self.statuses = statuses
        self.files = dict(files)
        self.submitted: list[bytes] = []

    async def submit(self, jsonl: bytes, metadata: Mapping[str, str]) -> str:
        self.submitted.append(jsonl)
        return "batch_mem_1"

    async def status(self, batch_id: str) -> JobStatus:
        step = self.statuses.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    async def download(self, file_id: str) -> str:
        return self.files[file_id]

    async def aclose(self) -> None:
        pass


def test_failed_batch_fails_the_events_with_the_reason(tmp_path: Path) -> None:
    backend = MemoryBackend([JobStatus("batch_mem_1", "failed",
                                       errors=["invalid_request: bad line 3"])], {})
    transport = ScriptedTransport()
    outcome = run_via_batch(tmp_path, UNREACHABLE, transport,
                            backend_factory=lambda _s: backend)
    assert outcome.exit_status == 1
    rep = report(tmp_path / "out")
    assert rep["events"]["failed"] == 3
    assert all("Batch API job batch_mem_1 failed: invalid_request: bad line 3" in f["reason"]
               for f in rep["failures"])
    assert transport.payloads == []  # no silent fallback to full-price calls
    assert not (tmp_path / "out" / ".factsum" / "batch.json").exists()


def test_unfinished_batch_keeps_its_id_for_the_next_run(tmp_path: Path) -> None:
    running = JobStatus("batch_mem_1", "in_progress")
    backend = MemoryBackend([running] * 3, {})
    outcome = run_via_batch(tmp_path, UNREACHABLE, ScriptedTransport(),
                            backend_factory=lambda _s: backend, max_wait_s=2.0)
    assert outcome.exit_status == 1
    assert "re-run the same command to resume it" in report(tmp_path / "out")["failures"][0][
        "reason"]
    job = json.loads((tmp_path / "out" / ".factsum" / "batch.json").read_text())
    assert job["batch_id"] == "batch_mem_1"
    assert (tmp_path / "out" / ".factsum" / "batch.json").stat().st_mode & 0o777 == 0o600


def test_expired_batch_uses_what_finished_and_asks_the_rest(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")
    built = extraction_requests([(e, [src / e], "en") for e in EVENTS],
                                batch_settings(tmp_path))
    first = built[0]
    line = {"custom_id": first.custom_id, "response": {"status_code": 200, "body": {
        "model": "gpt-4o-mini-2024-07-18", "usage": {"prompt_tokens": 10, "completion_tokens": 5},
        "choices": [{"finish_reason": "stop", "message": {
            "content": answer_for(first.payload)}}]}}}
    backend = MemoryBackend([JobStatus("batch_mem_1", "expired", output_file_id="out")],
                            {"out": json.dumps(line) + "\n"})
    transport = ScriptedTransport()
    outcome = run_via_batch(tmp_path, UNREACHABLE, transport,
                            backend_factory=lambda _s: backend)
    assert outcome.exit_status == 0
    assert [request_kind(p) for p in transport.payloads].count("extract") == REQUESTS - 1
    batch = report(tmp_path / "out")["batch_api"]
    assert batch["succeeded"] == 1 and batch["failed"] == REQUESTS - 1


def test_batch_mode_needs_the_cache_and_an_endpoint(tmp_path: Path) -> None:
    src = write_events(tmp_path / "in")
    with pytest.raises(ConfigError, match="needs the response cache"):
        run_batch(BatchOptions(src, tmp_path / "out", via_batch_api=True),
                  batch_settings(tmp_path, use_cache=False),
                  llm_factory=client_factory(ScriptedTransport()), progress=quiet())
    rep = report(tmp_path / "out")
    assert rep["status"] == "interrupted" and "needs the response cache" in rep["fatal_error"]
    with pytest.raises(ConfigError, match="Azure"):
        OpenAIBatchBackend(batch_settings(tmp_path, azure_endpoint="https://x.example"))


def test_batch_creation_is_not_retried_after_a_server_error(tmp_path: Path) -> None:
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/files"):
            return httpx2.Response(200, json={
                "id": "file-1", "object": "file", "bytes": 3, "created_at": 1,
                "filename": "x.jsonl", "purpose": "batch", "status": "processed"})
        return httpx2.Response(502, json={"error": {"message": "bad gateway"}})

    async def submit() -> None:
        backend = OpenAIBatchBackend(
            batch_settings(tmp_path), http_client=httpx2.AsyncClient(
                transport=httpx2.MockTransport(handler)), sleep=no_sleep)
        try:
            await backend.submit(b"{}\n", {})
        finally:
            await backend.aclose()

    with pytest.raises(PermanentLLMError, match="not retried: the batch may exist"):
        asyncio.run(submit())
    assert seen == ["POST /v1/files", "POST /v1/batches"]
