"""An in-process ``ChatTransport`` whose answers come from a script (a test double).

Two ways to script it, one class:

* a list of canned answers, played in order (``ScriptedTransport([ok(...), error])``);
  a call past the end fails the test;
* a function that builds each answer from the payload
  (``ScriptedTransport(handler)``); the default, ``fake_answers.answer_for``, answers
  extraction and reconcile prompts with schema-valid test fixtures.

Either way an answer is JSON text, a full ``ChatResult`` (to script ``finish_reason``,
``refusal`` or token counts) or an exception instance, which is raised (to script
transport failures). Every payload is recorded, as sent, in ``payloads``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias

from factsum.llm.base import ChatResult
from factsum.testing.fake_answers import answer_for, count_tokens, payload_prompt_tokens

Answer: TypeAlias = "str | ChatResult | BaseException"
"""What a script step or a handler gives: JSON text, a full result, or an error to raise."""

Handler: TypeAlias = Callable[[Mapping[str, Any]], Answer]
"""Builds the answer to one payload."""


class ScriptedTransport:
    """A ``ChatTransport`` answering from a list of answers or from a handler function.

    ``answers``: a sequence (played in order, then ``AssertionError`` on an extra call),
    a handler ``payload -> answer``, or None for ``fake_answers.answer_for``. ``model``
    is the model name reported with answers given as text.
    """

    def __init__(self, answers: Sequence[Answer] | Handler | None = None, *,
                 model: str = "scripted") -> None:
        self.model = model
        self.payloads: list[dict[str, Any]] = []
        """Every payload received, deep-copied when it arrived."""
        self.closed = False
        self._script: list[Answer] | None = None
        self._handler: Handler = answer_for
        if callable(answers):
            self._handler = answers
        elif answers is not None:
            self._script = list(answers)

    @property
    def remaining(self) -> int | None:
        """Script steps not yet played (None for a handler)."""
        return None if self._script is None else len(self._script)

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Record the payload and return (or raise) its scripted answer."""
        # A copy: the client may extend the same message list for a re-ask.
        self.payloads.append(copy.deepcopy(dict(payload)))
        answer = self._next(payload)
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, ChatResult):
            return answer
        return ChatResult(
            content=answer, finish_reason="stop", prompt_tokens=payload_prompt_tokens(payload),
            completion_tokens=count_tokens(answer), model=self.model,
        )

    def _next(self, payload: Mapping[str, Any]) -> Answer:
        if self._script is None:
            return self._handler(payload)
        if not self._script:
            raise AssertionError(
                f"scripted transport: unexpected call {len(self.payloads)} (script exhausted)")
        return self._script.pop(0)

    async def aclose(self) -> None:
        """Mark the transport closed (there is nothing to release)."""
        self.closed = True
