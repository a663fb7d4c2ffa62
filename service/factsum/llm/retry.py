"""The ONE retry layer (tenacity): transient failures only, bounded, jittered, testable.

Tenacity makes every attempt, the first one included. Only ``TransientLLMError`` is
retried. The wait is exponential backoff with full jitter, or the server's Retry-After
when it gave one (capped). Attempts are bounded by ``LLMConfig.max_attempts`` and by
``LLMConfig.max_retry_time_s`` (a wait that would end past the deadline is not started).
``sleep``, ``clock`` and ``rng`` are injected so tests never really sleep. The callable
is re-invoked unchanged: retries resend the identical payload.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import NoReturn, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.stop import stop_base
from tenacity.wait import wait_base

from factsum.errors import RetriesExhaustedError, TransientLLMError
from factsum.llm.config import LLMConfig

R = TypeVar("R")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
OnRetry = Callable[[int, TransientLLMError, float], None]
"""Called before each retry with (attempt that failed, its error, seconds to wait)."""

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds and backoff shape of the retry layer."""

    max_attempts: int = 6
    max_time_s: float = 300.0
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    max_retry_after_s: float = 60.0  # a server asking for longer is treated as this

    @classmethod
    def from_config(cls, config: LLMConfig) -> RetryPolicy:
        """The policy bounded by ``config.max_attempts`` and ``max_retry_time_s``."""
        return cls(max_attempts=config.max_attempts, max_time_s=config.max_retry_time_s)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(max_delay, base * 2**(attempt-1))]."""
        ceiling = min(self.max_delay_s, self.base_delay_s * 2 ** (attempt - 1))
        return rng.uniform(0.0, ceiling)


class _Wait(wait_base):
    """The server's Retry-After when it gave one (capped), else full-jitter backoff."""

    def __init__(self, policy: RetryPolicy, rng: random.Random) -> None:
        self.policy, self.rng = policy, rng

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, TransientLLMError) and exc.retry_after is not None:
            return min(max(exc.retry_after, 0.0), self.policy.max_retry_after_s)
        return self.policy.backoff(retry_state.attempt_number, self.rng)


class _Stop(stop_base):
    """Stop at max attempts, or when the coming wait would end past the deadline."""

    def __init__(self, policy: RetryPolicy, clock: Clock, started: float) -> None:
        self.policy, self.clock, self.started = policy, clock, started

    def __call__(self, retry_state: RetryCallState) -> bool:
        if retry_state.attempt_number >= self.policy.max_attempts:
            return True
        elapsed = self.clock() - self.started
        return elapsed + retry_state.upcoming_sleep > self.policy.max_time_s


async def call_with_retries(
    fn: Callable[[], Awaitable[R]],
    *,
    policy: RetryPolicy,
    sleep: Sleep | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
    on_retry: OnRetry | None = None,
) -> R:
    """Await ``fn()`` until it succeeds, retrying ``TransientLLMError`` within the policy.

    Raises ``RetriesExhaustedError`` (chained to the last transient error) when the
    bounds are reached; any other exception propagates at once.
    """
    clock = clock or time.monotonic
    started = clock()

    def before_sleep(state: RetryCallState) -> None:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        assert isinstance(exc, TransientLLMError)  # only these are retried
        log.warning(
            "transient model error (attempt %d/%d), retrying in %.1fs: %s",
            state.attempt_number, policy.max_attempts, state.upcoming_sleep, exc,
        )
        if on_retry is not None:
            on_retry(state.attempt_number, exc, state.upcoming_sleep)

    def give_up(state: RetryCallState) -> NoReturn:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        elapsed = clock() - started
        raise RetriesExhaustedError(
            f"gave up after {state.attempt_number} attempts in {elapsed:.1f}s: {exc}",
            attempts=state.attempt_number,
        ) from exc

    retrying = AsyncRetrying(
        sleep=sleep or asyncio.sleep,
        stop=_Stop(policy, clock, started),
        wait=_Wait(policy, rng or random.Random()),
        retry=retry_if_exception_type(TransientLLMError),
        before_sleep=before_sleep,
        retry_error_callback=give_up,
    )
    # Every attempt, the first included, is made by tenacity: one code path for all.
    result: R = await retrying(fn)
    return result
