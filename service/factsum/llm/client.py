"""``LLMClient``: the ``StructuredLLM`` the pipeline uses.

One call = cache lookup -> retry layer around the transport (each attempt under a
concurrency semaphore; the first one reserves the call's worst-case cost in the ledger
before it is sent) -> truncation/refusal checks -> parse + validate -> bounded re-asks
with the specific problems. Transport retries resend the identical payload;
only re-asks (answer problems) extend the conversation, and they are counted apart.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from factsum.errors import (
    AnswerError,
    BudgetExceededError,
    InvalidOutputError,
    LLMError,
    RefusalError,
    TruncatedOutputError,
)
from factsum.llm.base import ChatResult, ChatTransport, Completion, Message, StructuredRequest
from factsum.llm.base import Validator as ValidatorT
from factsum.llm.cache import ResponseCache, cache_key, is_cacheable
from factsum.llm.config import LLMConfig
from factsum.llm.ledger import Ledger, Reservation
from factsum.llm.retry import Clock, RetryPolicy, Sleep, call_with_retries
from factsum.llm.structured import (
    parse_answer,
    prepare_messages,
    reask_message,
    response_format,
    response_format_digest,
    truncation_message,
)
from factsum.llm.tokens import estimate_prompt_tokens

T = TypeVar("T", bound=BaseModel)

log = logging.getLogger(__name__)


# o1, o3-mini, o4-mini-2025-04-16, gpt-5, gpt-5-mini, gpt-5.1 ... (not gpt-50, omni).
_REASONING_MODEL = re.compile(r"(o\d+|gpt-5)($|[-.])")


def is_reasoning_model(model: str) -> bool:
    """Whether ``model`` is an OpenAI reasoning model (o-series, gpt-5 and its versions).

    Those refuse ``max_tokens`` (they take ``max_completion_tokens``, which also bounds
    their reasoning tokens) and any ``temperature`` but their default. A router prefix
    ("openai/o3-mini") is ignored; an Azure deployment is judged by its own name.
    """
    name = model.rsplit("/", 1)[-1].lower()
    return _REASONING_MODEL.match(name) is not None


def chat_payload(settings: LLMConfig, messages: Sequence[Message], fmt: dict[str, Any],
                 max_tokens: int) -> dict[str, Any]:
    """The chat-completion body for already prepared messages (its hash is the cache key)."""
    payload: dict[str, Any] = {
        "model": settings.model,
        "messages": [dict(m) for m in messages],
    }
    if is_reasoning_model(settings.model):
        payload["max_completion_tokens"] = max_tokens
    else:  # the historical shape, key order included: recorded cassettes match it
        payload["temperature"] = settings.temperature
        payload["max_tokens"] = max_tokens
    payload["response_format"] = fmt
    if settings.seed is not None:
        payload["seed"] = settings.seed
    return payload


def build_payload(settings: LLMConfig, messages: Sequence[Message],
                  response_model: type[BaseModel], max_tokens: int | None = None
                  ) -> dict[str, Any]:
    """The first body ``LLMClient.complete`` sends for these messages (before re-asks).

    Callers that send requests another way (the Batch API) use it so that the answers
    they put into the cache sit under the key ``complete`` looks up.
    """
    mode = settings.structured_mode
    return chat_payload(settings, prepare_messages(messages, mode, response_model),
                        response_format(mode, response_model),
                        max_tokens or settings.max_tokens)


class LLMClient:
    """Structured calls with one retry layer, re-asks, an optional cache and a ledger."""

    def __init__(
        self,
        settings: LLMConfig,
        transport: ChatTransport,
        *,
        cache: ResponseCache | None = None,
        ledger: Ledger | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.cache = cache
        self.ledger = ledger if ledger is not None else Ledger.from_config(settings)
        self.policy = RetryPolicy.from_config(settings)
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._sem: asyncio.Semaphore | None = None
        self._sem_loop: asyncio.AbstractEventLoop | None = None

    @property
    def model_name(self) -> str:
        """The model name sent to the server."""
        return self.settings.model

    async def complete(
        self, request: StructuredRequest[T], validate: ValidatorT[T] | None = None
    ) -> Completion[T]:
        """Ask for a ``request.response_model`` answer; re-ask on problems (bounded)."""
        model = request.response_model
        mode = self.settings.structured_mode
        messages = prepare_messages(request.messages, mode, model)
        fmt = response_format(mode, model)
        max_tokens = request.max_tokens or self.settings.max_tokens
        reasks = 0
        while True:
            payload = self._payload(messages, fmt, max_tokens)
            result = await self._send(payload, request, max_tokens, reask=reasks > 0)
            if result.finish_reason == "length" and reasks < self.settings.max_reasks:
                # A small model can loop until max_tokens on one passage; asking once
                # more for a shorter answer saves the article. The cut-off text is not
                # sent back: it is the longest and least useful part of the exchange.
                reasks += 1
                log.info("%s: answer cut off at max_tokens=%d; re-ask %d/%d for a shorter "
                         "one", _where(request), max_tokens, reasks, self.settings.max_reasks)
                messages = [*messages, truncation_message(max_tokens)]
                continue
            self._check_finish(result, request, max_tokens)
            value: T | None = None
            try:
                value = parse_answer(result.content, model)
            except AnswerError as exc:
                problems = exc.problems
            else:
                problems = list(validate(value)) if validate is not None else []
                if not problems:
                    return Completion(value=value, problems=[], reasks=reasks)
            if reasks >= self.settings.max_reasks:
                if value is None:
                    raise InvalidOutputError(
                        f"{_where(request)}: answer invalid after {reasks} re-asks: "
                        f"{problems[0]}",
                        problems=problems,
                    )
                return Completion(value=value, problems=problems, reasks=reasks)
            reasks += 1
            log.info("%s: re-ask %d/%d for %d problem(s)", _where(request), reasks,
                     self.settings.max_reasks, len(problems))
            messages = [
                *messages,
                {"role": "assistant", "content": result.content or ""},
                reask_message(problems),
            ]

    async def aclose(self) -> None:
        """Close the transport (and the cache's database connections)."""
        await self.transport.aclose()
        if self.cache is not None:
            self.cache.close()

    # ------------------------------------------------------------------ internals

    def _payload(
        self, messages: Sequence[Message], fmt: dict[str, Any], max_tokens: int
    ) -> dict[str, Any]:
        return chat_payload(self.settings, messages, fmt, max_tokens)

    def _semaphore(self) -> asyncio.Semaphore:
        # One per event loop: a client reused across asyncio.run() calls must not wait
        # on a semaphore bound to a loop that is gone.
        loop = asyncio.get_running_loop()
        if self._sem is None or self._sem_loop is not loop:
            self._sem = asyncio.Semaphore(self.settings.max_concurrency)
            self._sem_loop = loop
        return self._sem

    async def _send(self, payload: dict[str, Any], request: StructuredRequest[Any],
                    max_tokens: int, *, reask: bool) -> ChatResult:
        tag = request.tag
        model_name = self.settings.model
        key = None
        if self.cache is not None:
            model: type[BaseModel] = request.response_model
            digest = response_format_digest(self.settings.structured_mode, model)
            key = cache_key(payload, request.prompt_version, format_digest=digest)
            # Read and written on the event loop: a lookup or a commit costs well under a
            # millisecond, against seconds for the model call it saves.
            hit = self.cache.get(key)
            if hit is not None:
                self.ledger.record(tag, model=model_name, response_model=hit.model,
                                   prompt_tokens=hit.prompt_tokens,
                                   completion_tokens=hit.completion_tokens,
                                   cached=True, reask=reask)
                return hit

        retries = 0
        hold: Reservation | None = None

        def on_retry(attempt: int, exc: LLMError, wait: float) -> None:
            nonlocal retries
            retries += 1

        async def attempt() -> ChatResult:
            nonlocal hold
            async with self._semaphore():
                if hold is None:
                    # Reserved under the semaphore, right before sending: only the calls
                    # really in flight hold budget, and each sees the others' holds.
                    hold = self.ledger.reserve(
                        model_name, prompt_tokens=estimate_prompt_tokens(payload),
                        completion_tokens=max_tokens)
                return await self.transport.chat(payload)

        try:
            result = await call_with_retries(
                attempt, policy=self.policy, sleep=self._sleep, clock=self._clock,
                rng=self._rng, on_retry=on_retry,
            )
        except BudgetExceededError:
            raise  # refused before sending: no call to record
        except LLMError:
            self.ledger.record(tag, model=model_name, retries=retries, reask=reask,
                               failed=True, reservation=hold)
            raise
        else:
            self.ledger.record(tag, model=model_name, response_model=result.model,
                               prompt_tokens=result.prompt_tokens,
                               completion_tokens=result.completion_tokens,
                               retries=retries, reask=reask, reservation=hold)
        finally:
            if hold is not None:  # a cancelled call: give its hold back (no-op otherwise)
                self.ledger.release(hold)
        if key is not None and self.cache is not None and is_cacheable(result):
            self.cache.set(key, result)
        return result

    @staticmethod
    def _check_finish(result: ChatResult, request: StructuredRequest[Any], max_tokens: int
                      ) -> None:
        if result.finish_reason == "length":
            raise TruncatedOutputError(
                f"{_where(request)}: answer truncated at max_tokens={max_tokens}"
            )
        if result.refusal:
            raise RefusalError(result.refusal)
        if result.finish_reason == "content_filter":
            raise RefusalError("the server's content filter blocked the answer")


def _where(request: StructuredRequest[Any]) -> str:
    tag = request.tag
    parts = [tag.purpose, tag.event_id, tag.article_id]
    return " ".join(p for p in parts if p) or "model call"
