"""The fake server's Batch API and request holding, seen through the real Batch API
backend (``OpenAIBatchBackend``) and transport over loopback HTTP.

Every answer here comes from factsum.testing.fake_answers: test fixtures, not model output.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factsum.batch.api import OpenAIBatchBackend
from factsum.errors import PermanentLLMError, TransientLLMError
from factsum.llm import OpenAITransport
from factsum.settings import Settings
from factsum.testing.fake_answers import answer_for
from factsum.testing.fake_server import FakeServer, FaultConfig
from support.llm import SleepRecorder

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1"])


def payload(n: int) -> dict[str, Any]:
    """An extraction-shaped chat payload (distinct per ``n``)."""
    text = f"Les autorités ont indiqué que {n + 2} ponts étaient fermés lundi."
    return {"model": "gpt-4o-mini", "messages": [
        {"role": "system", "content": "Restate the sentence in English, as JSON."},
        {"role": "user", "content": f"<<<SENTENCE t{n}>>>\n{text}\n<<<END t{n}>>>"}]}


def request_file(count: int) -> bytes:
    lines = [json.dumps({"custom_id": f"req-{n}", "method": "POST",
                         "url": "/v1/chat/completions", "body": payload(n)})
             for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def settings_for(server: FakeServer, tmp_path: Path) -> Settings:
    return Settings.model_validate({
        "model": "gpt-4o-mini", "base_url": server.base_url, "api_key": "sk-test",
        "cache_dir": tmp_path / "cache", "use_local_model": False, "max_attempts": 2,
        "request_timeout_s": 5.0,
    })


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[FakeServer]:
    """A fake server; ``@pytest.mark.parametrize("server", [FaultConfig], indirect=True)``
    gives it faults."""
    with FakeServer(getattr(request, "param", None), polls_before_done=1) as fake:
        yield fake


def run_batch(server: FakeServer, tmp_path: Path, count: int
              ) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Submit ``count`` requests, poll until completed; the statuses seen and every
    result line (output and error files) by custom id."""
    async def go() -> tuple[list[str], dict[str, dict[str, Any]]]:
        backend = OpenAIBatchBackend(settings_for(server, tmp_path), sleep=SleepRecorder())
        try:
            batch_id = await backend.submit(request_file(count), {"by": "test"})
            seen = [await backend.status(batch_id) for _ in range(2)]
            lines: dict[str, dict[str, Any]] = {}
            for file_id in (seen[-1].output_file_id, seen[-1].error_file_id):
                if file_id:
                    for line in (await backend.download(file_id)).splitlines():
                        record = json.loads(line)
                        lines[record["custom_id"]] = record
            return [s.status for s in seen], lines
        finally:
            await backend.aclose()
    return asyncio.run(go())


def test_a_batch_is_uploaded_run_polled_and_downloaded(server: FakeServer,
                                                       tmp_path: Path) -> None:
    statuses, lines = run_batch(server, tmp_path, 3)
    assert statuses == ["in_progress", "completed"]
    assert sorted(lines) == ["req-0", "req-1", "req-2"]
    for n in range(3):
        response = lines[f"req-{n}"]["response"]
        assert response["status_code"] == 200
        assert response["body"]["choices"][0]["message"]["content"] == answer_for(payload(n))
    stats = server.stats()
    assert (stats.batches, stats.batch_requests, stats.ok, stats.chat_requests) == (1, 3, 3, 0)
    assert server.batch.files["file-in-1"] == request_file(3)  # the upload, byte for byte


@pytest.mark.parametrize("server", [FaultConfig(cycle=("429", "ok", "503", "timeout"))],
                         indirect=True)
def test_faults_on_batch_lines_become_error_lines(server: FakeServer, tmp_path: Path) -> None:
    _, lines = run_batch(server, tmp_path, 4)
    codes = [lines[f"req-{n}"]["response"]["status_code"] for n in range(4)]
    assert codes == [429, 200, 503, 500]
    assert server.stats().faults == {"429": 1, "503": 1, "timeout": 1}


def test_a_retried_request_is_the_next_attempt_of_the_same_body(tmp_path: Path) -> None:
    # A line that failed in the batch, sent again in real time, is its attempt 2.
    with FakeServer(FaultConfig(script=("500",))) as server:
        _, lines = run_batch(server, tmp_path, 1)
        assert lines["req-0"]["response"]["status_code"] == 500
        transport = OpenAITransport(settings_for(server, tmp_path).llm)

        async def again() -> str | None:
            try:
                return (await transport.chat(payload(0))).content
            finally:
                await transport.aclose()
        assert asyncio.run(again()) == answer_for(payload(0))


def test_an_unknown_batch_is_a_permanent_404(server: FakeServer, tmp_path: Path) -> None:
    async def poll() -> None:
        backend = OpenAIBatchBackend(settings_for(server, tmp_path), sleep=SleepRecorder())
        try:
            await backend.status("batch_nope")
        finally:
            await backend.aclose()

    with pytest.raises(PermanentLLMError) as info:
        asyncio.run(poll())
    assert info.value.status == 404


def test_hold_after_answers_then_holds_until_stopped(tmp_path: Path) -> None:
    server = FakeServer(hold_after=1).start()
    transport = OpenAITransport(settings_for(server, tmp_path).llm)

    async def go() -> None:
        try:
            assert (await transport.chat(payload(0))).content == answer_for(payload(0))
            held = asyncio.create_task(transport.chat(payload(1)))
            assert await asyncio.to_thread(server.held.wait, 30)
            assert not held.done()
            await asyncio.to_thread(server.stop)  # cuts the held connection
            with pytest.raises(TransientLLMError):
                await held
        finally:
            await transport.aclose()

    try:
        asyncio.run(go())
    finally:
        server.stop()
    assert [p["messages"][1]["content"] for p in server.payloads] == [
        payload(0)["messages"][1]["content"]]
    assert server.stats().chat_requests == 2 and server.stats().ok == 1
