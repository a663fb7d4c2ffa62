"""The LLM-bound ideal of a batch: the requests it made, scheduled as a client that costs
nothing would schedule them.

An event sends all its requests at once (one per passage of each article that is not in
the summary language); a re-ask or a retry follows the request it answers, so each
first ask and what follows it form a chain. ``simulated_wall_s`` plays that out with
every request taking the server's latency and at most ``concurrency`` in flight, first
come first served like ``LLMClient``'s semaphore: the requests' latency spread over the
concurrency limit, and no shorter than the longest chain.
"""

from __future__ import annotations

import contextvars
import heapq
from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from factsum.llm import ChatResult, ChatTransport

EVENT: contextvars.ContextVar[str] = contextvars.ContextVar("bench_event", default="")
"""Set by the bench around each event's run; the requests it makes inherit it."""


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One request as the schedule sees it."""

    event: str
    chain: int  # requests of one chain (first ask, retries, re-asks) run one after another


class ScheduleRecorder:
    """Wraps a transport; records which event and chain each request belongs to."""

    def __init__(self, inner: ChatTransport) -> None:
        self.inner = inner
        self.sent: list[Scheduled] = []

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Record the request, then send it through the inner transport."""
        messages = payload.get("messages", [])
        # A re-ask repeats the first two messages (instructions, data) and adds to them.
        first = tuple(str(m.get("content", "")) for m in messages[:2])
        self.sent.append(Scheduled(EVENT.get(), hash(first)))
        return await self.inner.chat(payload)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


def simulated_wall_s(sent: Sequence[Scheduled], *, latency_s: float, concurrency: int) -> float:
    """Wall time of ``sent`` with a client that costs nothing (see the module docstring)."""
    # (chain, requests left in it), in the order each chain's first request was sent
    queue: deque[tuple[Scheduled, int]] = deque(Counter(sent).items())
    running: list[tuple[float, int, Scheduled, int]] = []
    now, order = 0.0, 0
    while queue or running:
        while queue and len(running) < concurrency:
            order += 1
            chain, left = queue.popleft()
            heapq.heappush(running, (now + latency_s, order, chain, left))
        now, _, chain, left = heapq.heappop(running)
        if left > 1:  # its retry or re-ask joins the back of the queue
            queue.append((chain, left - 1))
    return now


def lower_bound_s(sent: Sequence[Scheduled], *, latency_s: float, concurrency: int) -> float:
    """The looser bound: all latency over the slots, or the longest chain, whichever is
    longer."""
    longest = max(Counter(sent).values(), default=0)
    return max(len(sent) * latency_s / concurrency, longest * latency_s)
