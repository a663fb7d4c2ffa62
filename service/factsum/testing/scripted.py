"""An in-process ChatTransport whose answers come from a script (a test double)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from factsum.llm.base import ChatResult
from factsum.testing.fake_answers import answer_for, count_tokens

Handler = Callable[[Mapping[str, Any]], "str | ChatResult | Exception"]


class ScriptedTransport:
    """Answers each payload with ``handler(payload)``; records every payload.

    A handler may return JSON text, a full ChatResult (to script finish_reason or
    refusal), or an exception instance to raise (to script transport failures).
    """

    def __init__(self, handler: Handler | None = None, *, model: str = "scripted") -> None:
        self.handler: Handler = handler or answer_for
        self.model = model
        self.payloads: list[Mapping[str, Any]] = []

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Record the payload and return the scripted answer."""
        self.payloads.append(payload)
        answer = self.handler(payload)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, ChatResult):
            return answer
        prompt = sum(count_tokens(str(m.get("content", ""))) for m in payload["messages"])
        return ChatResult(
            content=answer, finish_reason="stop", prompt_tokens=prompt,
            completion_tokens=count_tokens(answer), model=self.model,
        )

    async def aclose(self) -> None:
        """Nothing to close."""
