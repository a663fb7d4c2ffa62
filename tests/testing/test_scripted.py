"""The one scripted transport: a list of canned answers, or a function of the payload.

Every answer here is a test fixture, not model output.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any

import pytest
from factsum.errors import TransientLLMError
from factsum.llm.base import ChatResult
from factsum.testing.fake_answers import answer_for, payload_prompt_tokens
from factsum.testing.scripted import ScriptedTransport

PAYLOAD: dict[str, Any] = {
    "model": "m",
    "messages": [{"role": "system", "content": "Answer in JSON."},
                 {"role": "user", "content": "<<<SENTENCE t1>>>\nLe maire a déclaré que "
                                             "40 logements ont été évacués.\n<<<END t1>>>"}],
    "response_format": {"type": "json_object"},
}


def chat(transport: ScriptedTransport, payload: Mapping[str, Any] = PAYLOAD) -> ChatResult:
    return asyncio.run(transport.chat(payload))


def test_a_script_is_played_in_order_then_an_extra_call_fails() -> None:
    truncated = ChatResult(content='{"a"', finish_reason="length", model="x")
    transport = ScriptedTransport(['{"n": 1}', truncated, TransientLLMError("busy", status=503)])
    first = chat(transport)
    assert (first.content, first.finish_reason, first.model) == ('{"n": 1}', "stop", "scripted")
    assert chat(transport) is truncated
    with pytest.raises(TransientLLMError, match="busy"):
        chat(transport)
    assert transport.remaining == 0
    with pytest.raises(AssertionError, match="unexpected call 4"):
        chat(transport)
    assert len(transport.payloads) == 4


def test_a_handler_builds_each_answer_from_the_payload() -> None:
    transport = ScriptedTransport(lambda p: json.dumps({"model": p["model"]}), model="fn")
    result = chat(transport, {**PAYLOAD, "model": "other"})
    assert result.content == '{"model": "other"}' and result.model == "fn"
    assert transport.remaining is None


def test_the_default_answers_are_the_fake_answers_with_fake_usage() -> None:
    result = chat(ScriptedTransport())
    assert result.content == answer_for(PAYLOAD) != "{}"
    # The same token count as the fake server reports (schema included).
    assert result.prompt_tokens == payload_prompt_tokens(PAYLOAD) > 0
    assert result.completion_tokens == len(result.content.split())


def test_payloads_are_recorded_as_they_were_when_sent() -> None:
    transport = ScriptedTransport(["{}", "{}"])
    payload: dict[str, Any] = {"model": "m", "messages": [{"role": "user", "content": "q"}]}
    chat(transport, payload)
    payload["messages"].append({"role": "assistant", "content": "{}"})  # a re-ask grows it
    chat(transport, payload)
    assert [len(p["messages"]) for p in transport.payloads] == [1, 2]


def test_closing_is_recorded() -> None:
    transport = ScriptedTransport([])
    asyncio.run(transport.aclose())
    assert transport.closed
