"""The LLM-bound ideal of a batch: the requests it made, scheduled as a client that costs
nothing would schedule them.

Each event's requests come in phases: its extraction requests (all at once), then each
reconcile round (a round starts when the previous phase has finished). A re-ask or a
retry follows the request it answers. ``simulated_wall_s`` plays that out with every
request taking the server's latency and at most ``concurrency`` in flight, first come
first served like ``LLMClient``'s semaphore: the requests' latency spread over the
concurrency limit, along the critical path of each event.
"""

from __future__ import annotations

import contextvars
import heapq
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from factsum.llm import ChatResult, ChatTransport

EVENT: contextvars.ContextVar[str] = contextvars.ContextVar("bench_event", default="")
"""Set by the bench around each event's run; the requests it makes inherit it."""

_ROUND_MARKER = "(merge round "
_CLAIMS_MARKER = "<<<CLAIMS "  # the reconcile prompt's data marker


@dataclass(frozen=True, slots=True)
class Scheduled:
    """One request as the schedule sees it."""

    event: str
    phase: int  # 0: extraction, n: reconcile round n
    chain: int  # requests of one chain (first ask, retries, re-asks) run one after another


class ScheduleRecorder:
    """Wraps a transport; records which event, phase and chain each request belongs to."""

    def __init__(self, inner: ChatTransport) -> None:
        self.inner = inner
        self.sent: list[Scheduled] = []

    async def chat(self, payload: Mapping[str, Any]) -> ChatResult:
        """Record the request, then send it through the inner transport."""
        messages = payload.get("messages", [])
        # A re-ask repeats the first two messages (instructions, data) and adds to them.
        first = tuple(str(m.get("content", "")) for m in messages[:2])
        data = first[-1] if first else ""
        phase = _round(data) if _CLAIMS_MARKER in data else 0
        self.sent.append(Scheduled(EVENT.get(), phase, hash(first)))
        return await self.inner.chat(payload)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self.inner.aclose()


def _round(text: str) -> int:
    at = text.find(_ROUND_MARKER)
    if at < 0:
        return 1
    digits = text[at + len(_ROUND_MARKER):].split(":", 1)[0].split(")", 1)[0]
    return int(digits) if digits.isdigit() else 1


@dataclass
class _Chain:
    event: str
    phase: int
    left: int


@dataclass
class _Event:
    phases: dict[int, list[_Chain]] = field(default_factory=dict)
    pending: int = 0


def simulated_wall_s(sent: Sequence[Scheduled], *, latency_s: float, concurrency: int) -> float:
    """Wall time of ``sent`` with a client that costs nothing (see the module docstring)."""
    events: dict[str, _Event] = {}
    chains: dict[tuple[str, int, int], _Chain] = {}
    for s in sent:
        chain = chains.get((s.event, s.phase, s.chain))
        if chain is None:
            chain = chains[(s.event, s.phase, s.chain)] = _Chain(s.event, s.phase, 0)
            events.setdefault(s.event, _Event()).phases.setdefault(s.phase, []).append(chain)
        chain.left += 1
    queue: deque[_Chain] = deque()

    def start_next_phase(ev: _Event) -> None:
        if ev.phases:
            batch = ev.phases.pop(min(ev.phases))
            ev.pending = len(batch)
            queue.extend(batch)

    for ev in events.values():
        start_next_phase(ev)
    running: list[tuple[float, int, _Chain]] = []
    now, order = 0.0, 0
    while queue or running:
        while queue and len(running) < concurrency:
            order += 1
            heapq.heappush(running, (now + latency_s, order, queue.popleft()))
        now, _, chain = heapq.heappop(running)
        chain.left -= 1
        if chain.left:
            queue.append(chain)
            continue
        ev = events[chain.event]
        ev.pending -= 1
        if ev.pending == 0:
            start_next_phase(ev)
    return now


def lower_bound_s(sent: Sequence[Scheduled], *, latency_s: float, concurrency: int) -> float:
    """The looser bound: all latency over the slots, or the longest event's chain of
    phases (its longest chain per phase, one phase after another), whichever is longer."""
    longest: dict[tuple[str, int], int] = {}
    per_chain: dict[tuple[str, int, int], int] = {}
    for s in sent:
        key = (s.event, s.phase, s.chain)
        per_chain[key] = per_chain.get(key, 0) + 1
    for (event, phase, _chain), n in per_chain.items():
        longest[(event, phase)] = max(longest.get((event, phase), 0), n)
    paths: dict[str, int] = {}
    for (event, _phase), n in longest.items():
        paths[event] = paths.get(event, 0) + n
    critical = max(paths.values(), default=0) * latency_s
    return max(len(sent) * latency_s / concurrency, critical)
