"""The contract between the pipeline and the model layer.

The pipeline only sees ``StructuredLLM.complete``. Below it, ``ChatTransport`` is the one
place that talks HTTP (the OpenAI SDK); tests and benchmarks inject a scripted transport
or point the real one at a fake server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel

T = TypeVar("T", bound=BaseModel)

Message = dict[str, str]
"""A chat message: ``{"role": "system"|"user"|"assistant", "content": "..."}``."""


@dataclass(frozen=True)
class ChatResult:
    """What one chat-completion call returned, reduced to what factsum needs."""

    content: str | None
    finish_reason: str | None
    refusal: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    model: str = ""


def chat_result_from_json(body: Any) -> ChatResult:
    """``ChatResult`` from a chat-completion JSON body (a real-time answer or one line of
    a Batch API output file). Raises KeyError, IndexError, TypeError, ValueError or
    AttributeError when the body is not one: the callers decide what that means."""
    choice = body["choices"][0]
    message = choice["message"]
    usage = body.get("usage") or {}
    return ChatResult(
        content=message.get("content"),
        finish_reason=choice.get("finish_reason"),
        refusal=message.get("refusal"),
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        model=str(body.get("model") or ""),
    )


class ChatTransport(Protocol):
    """Sends one chat-completion payload; raises Transient/PermanentLLMError on failure.

    Implementations must not retry: the one retry layer lives in the client.
    """

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class CallTag:
    """Who a call is for, so the ledger can roll usage up per article/event/run."""

    purpose: str  # "extract" | "shared"
    event_id: str = ""
    article_id: str = ""


Validator = Callable[[T], list[str]]
"""Checks a parsed answer in code; returns problems to send back on a re-ask (empty = ok)."""

ProgressFn = Callable[[str], None]
"""Receives one-line progress notes (model server start, per-article results); the CLI
prints them, library callers may pass None."""


@dataclass(frozen=True)
class StructuredRequest(Generic[T]):
    """One structured call: messages plus the pydantic model the answer must match."""

    messages: list[Message]
    response_model: type[T]
    prompt_version: str  # e.g. "extract@3": part of the cache key
    tag: CallTag
    max_tokens: int | None = None  # None = settings.max_tokens


@dataclass
class Completion(Generic[T]):
    """A validated answer. ``problems`` are what the validator still reports after the
    bounded re-asks: the caller drops the affected items and counts them."""

    value: T
    problems: list[str] = field(default_factory=list)
    reasks: int = 0


class StructuredLLM(Protocol):
    """What the pipeline stages depend on."""

    @property
    def model_name(self) -> str: ...

    async def complete(
        self, request: StructuredRequest[T], validate: Validator[T] | None = None
    ) -> Completion[T]: ...
