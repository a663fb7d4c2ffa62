"""OpenAITransport on the wire: what ``chat.completions.create`` sends for factsum's
payloads, and how odd answers are read. Every body here is a hand-written fixture."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest
from factsum.errors import PermanentLLMError
from factsum.llm import OpenAITransport
from factsum.llm.client import build_payload
from support.llm import MockServer, Pair, completion_body, make_settings

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _messages() -> list[dict[str, str]]:
    return [
        {"role": "system", "content": "Extract « claims » — with “quotes”, ß, 中文, é\u0301."},
        {"role": "user", "content": "<article id='a1'>Text &amp; more\nlines\t</article>"},
    ]


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


@pytest.mark.parametrize(("model", "sent", "left_out"), [
    ("gpt-4o-mini", {"temperature": 0.0, "max_tokens": 2048, "seed": 0},
     {"max_completion_tokens"}),
    ("o4-mini", {"max_completion_tokens": 2048, "seed": 0}, {"temperature", "max_tokens"}),
])
async def test_the_body_on_the_wire_is_the_payload(
        tmp_path: Path, model: str, sent: dict[str, object], left_out: set[str]) -> None:
    settings = make_settings(tmp_path, model=model)
    payload = build_payload(settings.llm, _messages(), Pair)
    server = MockServer([httpx2.Response(200, json=completion_body())])
    transport = OpenAITransport(settings.llm, http_client=server.client())
    await transport.chat(payload)
    await transport.aclose()
    [body] = server.bodies()
    assert body == payload
    assert sent.items() <= body.items() and not left_out & body.keys()
