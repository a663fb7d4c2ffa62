"""OpenAITransport with the real OpenAI SDK against httpx2.MockTransport (in process).

Retries go through LLMClient's retry layer with an injected sleep: nothing really waits.
"""

from __future__ import annotations

import email.utils
import logging
import time
import traceback
from pathlib import Path
from typing import Any

import httpx2
import pytest
from factsum.errors import (
    PermanentLLMError,
    RefusalError,
    RetriesExhaustedError,
    TransientLLMError,
    TruncatedOutputError,
)
from factsum.llm import LLMClient, OpenAITransport
from factsum.llm.ledger import Ledger
from factsum.llm.transport import parse_retry_after
from support.llm import (
    FAKE_KEY,
    FakeClock,
    MockServer,
    SleepRecorder,
    Step,
    completion_body,
    error_body,
    make_settings,
    raise_connect_error,
    raise_disconnect,
    raise_timeout,
    request,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _client(tmp_path: Path, server: MockServer, **overrides: Any
            ) -> tuple[LLMClient, SleepRecorder]:
    settings = make_settings(tmp_path, use_cache=False, **overrides)
    sleeper = SleepRecorder()
    transport = OpenAITransport(settings.llm, http_client=server.client())
    client = LLMClient(settings.llm, transport, ledger=Ledger.from_config(settings.llm),
                       sleep=sleeper, clock=FakeClock(sleeper))
    return client, sleeper


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(status, json=body, headers=headers)


async def test_success_converts_response_and_sends_credentials_once(tmp_path: Path) -> None:
    server = MockServer([_json(200, completion_body('{"name": "a", "count": 2}'))])
    settings = make_settings(tmp_path)
    transport = OpenAITransport(settings.llm, http_client=server.client())
    result = await transport.chat({"model": "gpt-4o-mini", "messages": [
        {"role": "user", "content": "hi"}]})
    await transport.aclose()
    assert result.content == '{"name": "a", "count": 2}'
    assert result.finish_reason == "stop"
    assert (result.prompt_tokens, result.completion_tokens) == (12, 5)
    assert result.model == "gpt-4o-mini-2024-07-18"
    (req,) = server.requests
    assert str(req.url) == "http://llm.test/v1/chat/completions"
    assert req.headers["authorization"] == f"Bearer {FAKE_KEY}"


async def test_placeholder_key_when_none_configured(tmp_path: Path) -> None:
    server = MockServer([_json(200, completion_body())])
    settings = make_settings(tmp_path, api_key=None)
    transport = OpenAITransport(settings.llm, http_client=server.client())
    await transport.chat({"model": "local", "messages": [{"role": "user", "content": "hi"}]})
    assert server.requests[0].headers["authorization"] == "Bearer not-needed"


async def test_azure_endpoint_uses_deployment_url_and_api_key_header(tmp_path: Path) -> None:
    server = MockServer([_json(200, completion_body())])
    settings = make_settings(tmp_path, base_url=None, azure_endpoint="https://az.test",
                             azure_api_version="2024-10-21", model="my-deploy")
    transport = OpenAITransport(settings.llm, http_client=server.client())
    await transport.chat({"model": "my-deploy", "messages": [{"role": "user", "content": "x"}]})
    (req,) = server.requests
    assert req.url.path == "/openai/deployments/my-deploy/chat/completions"
    assert req.url.params["api-version"] == "2024-10-21"
    assert req.headers["api-key"] == FAKE_KEY


async def test_azure_entra_id_token_is_sent_as_bearer_and_no_key_header(
        tmp_path: Path) -> None:
    server = MockServer([_json(200, completion_body())])
    settings = make_settings(tmp_path, base_url=None, api_key=None,
                             azure_endpoint="https://az.test", azure_api_version="2024-10-21",
                             azure_ad_token="entra-token-123", model="my-deploy")
    transport = OpenAITransport(settings.llm, http_client=server.client())
    await transport.chat({"model": "my-deploy", "messages": [{"role": "user", "content": "x"}]})
    (req,) = server.requests
    assert req.headers["authorization"] == "Bearer entra-token-123"
    assert "api-key" not in req.headers


async def test_an_azure_token_is_redacted_from_errors(tmp_path: Path) -> None:
    server = MockServer([_json(400, error_body("bad token entra-token-123 given"))])
    settings = make_settings(tmp_path, base_url=None, api_key=None,
                             azure_endpoint="https://az.test", azure_api_version="2024-10-21",
                             azure_ad_token="entra-token-123", model="my-deploy")
    transport = OpenAITransport(settings.llm, http_client=server.client())
    with pytest.raises(PermanentLLMError) as info:
        await transport.chat({"model": "my-deploy", "messages": []})
    assert "entra-token-123" not in str(info.value)


async def test_sdk_does_not_retry_by_itself(tmp_path: Path) -> None:
    server = MockServer([_json(503, error_body("overloaded"))])
    transport = OpenAITransport(make_settings(tmp_path).llm, http_client=server.client())
    with pytest.raises(TransientLLMError) as info:
        await transport.chat({"model": "m", "messages": []})
    assert info.value.status == 503
    assert len(server.requests) == 1


TRANSIENT_STEPS: dict[str, Step] = {
    "429": _json(429, error_body("Rate limit reached", code="rate_limit_exceeded")),
    "408": _json(408, error_body("Request timeout")),
    "409": _json(409, error_body("Conflict")),
    "500": _json(500, error_body("The server had an error")),
    "502": httpx2.Response(502, text="<html>Bad gateway</html>"),
    "503": _json(503, error_body("Service unavailable")),
    "timeout": raise_timeout,
    "dropped-connection": raise_disconnect,
    "connect-refused": raise_connect_error,
}


@pytest.mark.parametrize("kind", list(TRANSIENT_STEPS))
async def test_transient_failure_then_success(tmp_path: Path, kind: str) -> None:
    server = MockServer([TRANSIENT_STEPS[kind], _json(200, completion_body())])
    client, sleeper = _client(tmp_path, server)
    done = await client.complete(request())
    assert done.value.model_dump() == {"name": "x", "count": 1}
    assert len(server.requests) == 2
    # A retry resends the identical payload: nothing appended to the prompt.
    assert server.bodies()[0] == server.bodies()[1]
    assert len(sleeper.waits) == 1
    usage = client.ledger.usage()
    assert (usage.requests, usage.retries, usage.reasks) == (1, 1, 0)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "600"}, 60.0),  # capped
    ],
)
async def test_retry_after_headers_are_honoured(
    tmp_path: Path, headers: dict[str, str], expected: float
) -> None:
    server = MockServer([_json(429, error_body("slow down"), headers),
                         _json(200, completion_body())])
    client, sleeper = _client(tmp_path, server, max_retry_time_s=1000.0)
    await client.complete(request())
    assert sleeper.waits == [pytest.approx(expected)]


def test_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now=lambda: now) == pytest.approx(30.0)
    assert parse_retry_after({"retry-after": "soon"}) is None
    assert parse_retry_after({}) is None


async def test_retry_after_date_reaches_the_sleep(tmp_path: Path) -> None:
    date = email.utils.formatdate(time.time() + 20, usegmt=True)
    server = MockServer([_json(503, error_body("busy"), {"retry-after": date}),
                         _json(200, completion_body())])
    client, sleeper = _client(tmp_path, server)
    await client.complete(request())
    assert 17.0 <= sleeper.waits[0] <= 21.0


PERMANENT_STEPS = {
    400: _json(400, error_body("Invalid schema for response_format", code="invalid_value")),
    401: _json(401, error_body("Invalid authentication", code="invalid_api_key")),
    403: _json(403, error_body("Country not supported")),
    404: _json(404, error_body("The model `gpt-9` does not exist", code="model_not_found")),
    422: _json(422, error_body("Unprocessable")),
}


@pytest.mark.parametrize("status", list(PERMANENT_STEPS))
async def test_permanent_errors_are_not_retried(tmp_path: Path, status: int) -> None:
    server = MockServer([PERMANENT_STEPS[status]])
    client, sleeper = _client(tmp_path, server)
    with pytest.raises(PermanentLLMError) as info:
        await client.complete(request())
    assert info.value.status == status
    assert f"HTTP {status}" in str(info.value)
    assert "\n" not in str(info.value)
    assert len(server.requests) == 1
    assert sleeper.waits == []
    assert client.ledger.records[-1].failed


async def test_insufficient_quota_429_is_permanent(tmp_path: Path) -> None:
    server = MockServer([_json(429, error_body(
        "You exceeded your current quota", code="insufficient_quota",
        type_="insufficient_quota"), {"retry-after": "1"})])
    client, sleeper = _client(tmp_path, server)
    with pytest.raises(PermanentLLMError, match="quota") as info:
        await client.complete(request())
    assert info.value.status == 429
    assert len(server.requests) == 1 and sleeper.waits == []


async def test_llama_cpp_json_schema_500_is_permanent(tmp_path: Path) -> None:
    server = MockServer([_json(500, error_body(
        "1 validation error for CreateChatCompletionRequest response_format ..."))])
    client, _ = _client(tmp_path, server)
    with pytest.raises(PermanentLLMError, match="json_object_schema"):
        await client.complete(request())
    assert len(server.requests) == 1


async def test_retries_exhausted_after_max_attempts(tmp_path: Path) -> None:
    server = MockServer([_json(503, error_body("busy"))] * 4)
    client, sleeper = _client(tmp_path, server, max_attempts=4)
    with pytest.raises(RetriesExhaustedError) as info:
        await client.complete(request())
    assert info.value.attempts == 4
    assert len(server.requests) == 4 and len(sleeper.waits) == 3
    record = client.ledger.records[-1]
    assert record.failed and record.retries == 3


async def test_retry_time_bound_stops_before_a_long_wait(tmp_path: Path) -> None:
    server = MockServer([_json(429, error_body("slow"), {"retry-after": "30"})])
    client, sleeper = _client(tmp_path, server, max_retry_time_s=10.0)
    with pytest.raises(RetriesExhaustedError) as info:
        await client.complete(request())
    assert info.value.attempts == 1 and sleeper.waits == []


async def test_truncation_and_refusal_through_the_sdk(tmp_path: Path) -> None:
    truncated = _json(200, completion_body('{"name": "x", "co', finish_reason="length"))
    server = MockServer([  # cut off on the first ask and on both re-asks (max_reasks=2)
        truncated, truncated, truncated,
        _json(200, completion_body(None, refusal="I can't help with that.")),
    ])
    client, _ = _client(tmp_path, server)
    with pytest.raises(TruncatedOutputError):
        await client.complete(request())
    with pytest.raises(RefusalError) as info:
        await client.complete(request())
    assert info.value.refusal == "I can't help with that."


async def test_api_key_never_in_errors_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"Incorrect API key provided: {FAKE_KEY}. Authorization: Bearer {FAKE_KEY}"
    server = MockServer([
        _json(503, error_body(f"upstream rejected {FAKE_KEY}")),
        _json(401, error_body(echo, code="invalid_api_key")),
    ])
    client, _ = _client(tmp_path, server)
    with pytest.raises(PermanentLLMError) as info:
        await client.complete(request())
    logging.getLogger("test").error("run failed", exc_info=info.value)
    rendered = "".join(traceback.format_exception(info.value))
    assert FAKE_KEY not in str(info.value)
    assert FAKE_KEY not in rendered
    assert "SECRET123" not in caplog.text
    for rec in caplog.records:
        assert FAKE_KEY not in rec.getMessage()
    assert "[redacted]" in str(info.value)
    # The SDK exception (request + Authorization header) is not kept on the chain.
    assert info.value.__cause__ is None and info.value.__context__ is None
