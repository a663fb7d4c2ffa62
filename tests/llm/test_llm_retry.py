"""The retry layer on its own: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from factsum.errors import PermanentLLMError, RetriesExhaustedError, TransientLLMError
from factsum.llm import retry as retry_module
from factsum.llm.retry import RetryPolicy, call_with_retries
from support.llm import FakeClock, SleepRecorder
from tenacity import AsyncRetrying

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Flaky:
    """Fails with the given errors, then returns "done"; counts calls."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def test_backoff_is_full_jitter_within_exponential_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=4.0)
    rng = random.Random(1)
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        waits = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0.0 <= w <= ceiling for w in waits)
        assert max(waits) > ceiling * 0.8  # spread over the whole range, not fixed


async def test_retries_transient_then_returns() -> None:
    sleeper = SleepRecorder()
    seen: list[tuple[int, float]] = []
    fn = Flaky(TransientLLMError("a", status=503), TransientLLMError("b", status=429))
    result = await call_with_retries(
        fn, policy=RetryPolicy(), sleep=sleeper, clock=FakeClock(sleeper),
        rng=random.Random(0), on_retry=lambda n, exc, wait: seen.append((n, wait)),
    )
    assert result == "done" and fn.calls == 3
    assert [n for n, _ in seen] == [1, 2]
    assert sleeper.waits == [w for _, w in seen]


async def test_retry_after_is_used_and_capped() -> None:
    sleeper = SleepRecorder()
    fn = Flaky(TransientLLMError("a", retry_after=3.0), TransientLLMError("b", retry_after=999))
    await call_with_retries(fn, policy=RetryPolicy(max_retry_after_s=60.0, max_time_s=1e4),
                            sleep=sleeper, clock=FakeClock(sleeper))
    assert sleeper.waits == [3.0, 60.0]


async def test_permanent_error_propagates_without_retry() -> None:
    sleeper = SleepRecorder()
    fn = Flaky(PermanentLLMError("bad request", status=400))
    with pytest.raises(PermanentLLMError):
        await call_with_retries(fn, policy=RetryPolicy(), sleep=sleeper)
    assert fn.calls == 1 and sleeper.waits == []


async def test_exhausted_attempts_raise_with_count_and_cause() -> None:
    sleeper = SleepRecorder()
    fn = Flaky(*[TransientLLMError(f"e{i}", status=500) for i in range(5)])
    with pytest.raises(RetriesExhaustedError) as info:
        await call_with_retries(fn, policy=RetryPolicy(max_attempts=3), sleep=sleeper,
                                clock=FakeClock(sleeper))
    assert info.value.attempts == 3 and fn.calls == 3
    assert isinstance(info.value.__cause__, TransientLLMError)
    assert "e2" in str(info.value)


async def test_time_bound_counts_the_coming_wait() -> None:
    sleeper = SleepRecorder()
    errors = [TransientLLMError("x", retry_after=4.0) for _ in range(10)]
    fn = Flaky(*errors)
    with pytest.raises(RetriesExhaustedError) as info:
        await call_with_retries(fn, policy=RetryPolicy(max_attempts=10, max_time_s=10.0),
                                sleep=sleeper, clock=FakeClock(sleeper))
    # 4 + 4 = 8 fits in 10 s; a third wait would end at 12 s.
    assert sleeper.waits == [4.0, 4.0]
    assert info.value.attempts == 3


async def test_single_attempt_policy_gives_up_after_the_first_failure() -> None:
    sleeper = SleepRecorder()
    fn = Flaky(TransientLLMError("once", status=503))
    with pytest.raises(RetriesExhaustedError) as info:
        await call_with_retries(fn, policy=RetryPolicy(max_attempts=1), sleep=sleeper,
                                clock=FakeClock(sleeper))
    assert info.value.attempts == 1 and fn.calls == 1 and sleeper.waits == []
    assert "once" in str(info.value)


async def test_tenacity_makes_every_attempt_the_first_included(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One code path: no first attempt awaited outside tenacity."""
    made: list[int] = []

    class Recording(AsyncRetrying):
        async def __call__(self, fn: Callable[..., Awaitable[Any]], *args: Any,
                           **kwargs: Any) -> Any:
            async def counted() -> Any:
                made.append(1)
                return await fn()
            return await super().__call__(counted)

    monkeypatch.setattr(retry_module, "AsyncRetrying", Recording)
    first_time = Flaky()
    assert await call_with_retries(first_time, policy=RetryPolicy()) == "done"
    assert made == [1] and first_time.calls == 1
    sleeper = SleepRecorder()
    once_busy = Flaky(TransientLLMError("busy", status=503))
    await call_with_retries(once_busy, policy=RetryPolicy(), sleep=sleeper,
                            clock=FakeClock(sleeper))
    assert len(made) == 3 and once_busy.calls == 2
