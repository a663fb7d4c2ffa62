"""Helpers for the model-layer tests (no network: in-process only).

The scripted transport is ``factsum.testing.scripted.ScriptedTransport``. ``MockServer``
stays a test helper: it scripts raw HTTP responses and connection errors under the real
OpenAI SDK (``httpx2.MockTransport``), which the transport's wire tests need and a
loopback server cannot produce without really waiting.

Every "model answer" in these helpers and in tests/llm/ is a hand-written test fixture,
not the output of a real model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx2
from factsum.llm.base import CallTag, ChatResult, StructuredRequest
from factsum.settings import Settings, StructuredMode
from pydantic import BaseModel, ConfigDict, Field

FAKE_KEY = "sk-test-SECRET123"
BASE_URL = "http://llm.test/v1"


class Pair(BaseModel):
    """A tiny strict answer model for client tests."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="A name.")
    count: int = Field(description="A count.")


def make_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings pointing at a fake endpoint, with a private temporary cache dir."""
    values: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "base_url": BASE_URL,
        "api_key": FAKE_KEY,
        "cache_dir": tmp_path / "cache",
        "structured_mode": StructuredMode.JSON_SCHEMA,
        "max_attempts": 6,
        "max_retry_time_s": 300.0,
        "max_reasks": 2,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def request(
    prompt: str = "Give me a pair.",
    *,
    model: type[BaseModel] = Pair,
    version: str = "pair@1",
    tag: CallTag | None = None,
) -> StructuredRequest[Any]:
    """A structured request with a system and a user message."""
    return StructuredRequest(
        messages=[
            {"role": "system", "content": "You answer in JSON."},
            {"role": "user", "content": prompt},
        ],
        response_model=model,
        prompt_version=version,
        tag=tag or CallTag(purpose="extract", event_id="ev1", article_id="a1"),
    )


def ok(content: str, *, prompt_tokens: int = 100, completion_tokens: int = 20,
       model: str = "gpt-4o-mini-2024-07-18") -> ChatResult:
    """A successful chat result (a test fixture, not a real model answer)."""
    return ChatResult(content=content, finish_reason="stop", prompt_tokens=prompt_tokens,
                      completion_tokens=completion_tokens, model=model)


class SleepRecorder:
    """An injected ``sleep`` that records the waits and returns at once."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class FakeClock:
    """A monotonic clock advanced by the recorded sleeps."""

    def __init__(self, sleeper: SleepRecorder) -> None:
        self.sleeper = sleeper

    def __call__(self) -> float:
        return sum(self.sleeper.waits)


def completion_body(content: str | None = '{"name": "x", "count": 1}', *,
                    finish_reason: str = "stop", refusal: str | None = None,
                    model: str = "gpt-4o-mini-2024-07-18") -> dict[str, Any]:
    """An OpenAI chat.completion JSON body (a test fixture)."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [{
            "index": 0,
            "finish_reason": finish_reason,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
        }],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17},
    }


def error_body(message: str, *, code: str | None = None, type_: str = "error"
               ) -> dict[str, Any]:
    """An OpenAI error JSON body."""
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


Step = httpx2.Response | Callable[[httpx2.Request], httpx2.Response]


class MockServer:
    """Scripted HTTP responses for the real OpenAI SDK via ``httpx2.MockTransport``."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self.steps = list(steps)
        self.requests: list[httpx2.Request] = []

    def handler(self, req: httpx2.Request) -> httpx2.Response:
        self.requests.append(req)
        if not self.steps:
            raise AssertionError("mock server: unexpected extra request")
        step = self.steps.pop(0)
        return step(req) if callable(step) else step

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]


def raise_timeout(req: httpx2.Request) -> httpx2.Response:
    raise httpx2.ReadTimeout("read timed out", request=req)


def raise_disconnect(req: httpx2.Request) -> httpx2.Response:
    raise httpx2.RemoteProtocolError("Server disconnected without sending a response.",
                                     request=req)


def raise_connect_error(req: httpx2.Request) -> httpx2.Response:
    raise httpx2.ConnectError("Connection refused", request=req)
