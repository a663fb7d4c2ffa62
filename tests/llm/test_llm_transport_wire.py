"""OpenAITransport's fast path puts the same request on the wire as the SDK's
``chat.completions.create`` (method, URL, headers, body bytes), and reads the answer the
same way; cassettes and caches depend on it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest
from support.llm import MockServer, completion_body, make_settings

from factsum.errors import PermanentLLMError
from factsum.llm import OpenAITransport
from factsum.llm.client import build_payload, chat_payload
from factsum.models import ExtractionResult, ReconcileResult
from factsum.settings import Settings, StructuredMode

pytestmark = pytest.mark.anyio

# Headers that differ between two requests whatever sends them.
_VOLATILE = {"x-stainless-retry-count", "x-stainless-read-timeout"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _messages() -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "Extract « claims » — with “quotes”, ß, 中文, é\u0301."},
        {"role": "user", "content": "<article id='a1'>Text &amp; more\nlines\t</article>"},
    ]


def _payloads(settings: Settings) -> list[dict[str, Any]]:
    out = []
    for mode in StructuredMode:
        conf = settings.model_copy(update={"structured_mode": mode})
        for model in (ExtractionResult, ReconcileResult):
            out.append(build_payload(conf, _messages(), model))
    reask = [*_messages(), {"role": "assistant", "content": '{"claims": []}'},
             {"role": "user", "content": "Your answer had these problems:\n- x"}]
    out.append(chat_payload(settings.model_copy(update={"seed": None}), reask,
                            {"type": "json_object"}, 512))
    return out


def _request_view(req: httpx2.Request) -> tuple[str, str, dict[str, str], bytes]:
    headers = {k: v for k, v in req.headers.items() if k not in _VOLATILE}
    return req.method, str(req.url), headers, req.content


@pytest.mark.parametrize("azure", [False, True])
async def test_fast_path_sends_the_bytes_create_sends(tmp_path: Path, azure: bool) -> None:
    extra: dict[str, Any] = ({"base_url": None, "azure_endpoint": "https://az.test",
                              "azure_api_version": "2024-10-21", "model": "dep"}
                             if azure else {})
    settings = make_settings(tmp_path, **extra)
    payloads = _payloads(settings)
    ours, sdk = (MockServer([httpx2.Response(200, json=completion_body())] * len(payloads))
                 for _ in range(2))
    fast = OpenAITransport(settings.llm, http_client=ours.client())
    reference = OpenAITransport(settings.llm, http_client=sdk.client())
    for payload in payloads:
        await fast.chat(payload)
        await reference._client.chat.completions.create(**payload)
    await fast.aclose()
    await reference.aclose()
    assert [_request_view(r) for r in ours.requests] == [
        _request_view(r) for r in sdk.requests]


async def test_unknown_field_goes_through_create(tmp_path: Path) -> None:
    server = MockServer([httpx2.Response(200, json=completion_body())])
    transport = OpenAITransport(make_settings(tmp_path).llm, http_client=server.client())
    result = await transport.chat({"model": "m", "messages": _messages(), "stop": ["\n"]})
    await transport.aclose()
    assert result.finish_reason == "stop"
    assert server.bodies()[0]["stop"] == ["\n"]


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b'{"choices": []}', b'{"choices": [{"finish_reason": "stop"}]}',
    b'{"choices": [{"message": null}]}', b'{"choices": [{"message": {}}], "usage": 3}',
])
async def test_malformed_bodies_are_permanent_errors(tmp_path: Path, body: bytes) -> None:
    server = MockServer([httpx2.Response(200, content=body,
                                         headers={"content-type": "application/json"})])
    transport = OpenAITransport(make_settings(tmp_path).llm, http_client=server.client())
    with pytest.raises(PermanentLLMError, match="malformed"):
        await transport.chat({"model": "m", "messages": _messages()})
    await transport.aclose()


async def test_missing_usage_and_refusal(tmp_path: Path) -> None:
    body = {"model": "m1", "choices": [{"finish_reason": "stop", "message": {
        "role": "assistant", "content": None, "refusal": "no"}}]}
    server = MockServer([httpx2.Response(200, json=body)])
    transport = OpenAITransport(make_settings(tmp_path).llm, http_client=server.client())
    result = await transport.chat({"model": "m", "messages": _messages()})
    await transport.aclose()
    assert (result.content, result.refusal, result.prompt_tokens, result.model) == (
        None, "no", 0, "m1")
