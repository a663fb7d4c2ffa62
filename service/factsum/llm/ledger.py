"""The ledger: every model call, its tokens and cost, rolled up per article, event and run.

Costs use ``LLMConfig.prices`` (USD per 1M tokens), looked up by exact model name, then by
the longest known prefix ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"). An unknown model
costs 0 and is flagged in the report.

The budget is a cap, held by reservations. Before a request is sent, the client reserves
its worst-case cost (estimated prompt tokens plus ``max_tokens``, at the model's price);
a reservation that would take spent plus reserved past the budget raises
``BudgetReservationError`` and the request is not sent. When the answer (or the failure)
comes back, the call's real cost is recorded and its reservation released. A call cannot
produce more than ``max_tokens`` completion tokens, so the overshoot is bounded by the
prompt-token estimation error of the calls in flight: at most the sum, over those calls,
of (real prompt tokens - estimated prompt tokens) x the prompt price. The estimate
(``tokens.estimate_prompt_tokens``) is meant to be high, so for ordinary text that sum is
zero or negative and spend never passes the budget.

Limits of the cap: a model with no known price reserves nothing (its cost counts as 0);
an Azure deployment name is priced by the model the server reported for it, so the calls
sent before its first answer reserve nothing unless the deployment name is in the price
table; a request that timed out may still be billed by the server, unseen here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from factsum.errors import BudgetReservationError
from factsum.llm.base import CallTag
from factsum.llm.config import DEFAULT_PRICES, LLMConfig, Price

log = logging.getLogger(__name__)


class Usage(BaseModel):
    """Token and call accounting for a run, an event or an article."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    reasks: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class CallRecord:
    """One logical model call (a cache hit, a request, or a failed request)."""

    tag: CallTag
    model: str  # as requested (for Azure, the deployment name)
    response_model: str = ""  # as reported by the server
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached: bool = False
    retries: int = 0
    reask: bool = False
    cost_usd: float = 0.0
    priced: bool = True
    failed: bool = False


@dataclass
class Reservation:
    """A call's worst-case cost, held against the budget until the call is recorded."""

    usd: float
    released: bool = False


def find_price(prices: Mapping[str, Price], model: str) -> Price | None:
    """Exact match first, then the longest table key that ``model`` starts with."""
    if not model:
        return None
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(name)]
    return prices[max(matches, key=len)] if matches else None


def _add(usage: Usage, r: CallRecord) -> None:
    """Count one record into ``usage``; cache hits cost nothing and add no tokens."""
    if r.cached:
        usage.cache_hits += 1
        return
    usage.requests += 1
    usage.retries += r.retries
    usage.reasks += int(r.reask)
    usage.prompt_tokens += r.prompt_tokens
    usage.completion_tokens += r.completion_tokens
    usage.cost_usd += r.cost_usd


def summarize(records: Iterable[CallRecord]) -> Usage:
    """Roll records up into a ``Usage``."""
    usage = Usage()
    for r in records:
        _add(usage, r)
    usage.cost_usd = round(usage.cost_usd, 8)
    return usage


class Ledger:
    """Thread- and task-safe record of every call of a run."""

    def __init__(
        self, prices: Mapping[str, Price] | None = None, budget_usd: float | None = None
    ) -> None:
        self.prices: Mapping[str, Price] = dict(DEFAULT_PRICES if prices is None else prices)
        self.budget_usd = budget_usd
        self._records: list[CallRecord] = []
        # Each event asks for its own usage: an index keeps that independent of how many
        # calls the run has made (a nightly run of thousands of events).
        self._by_event: dict[str, list[CallRecord]] = {}
        # The whole run's usage, kept as calls are recorded: progress asks for it after
        # every answer, and summing thousands of records each time made a long batch
        # quadratic. Its cost is what the budget counts as spent.
        self._total = Usage()
        self._unpriced: set[str] = set()
        # Requested model -> the model the server said answered (an Azure deployment ->
        # gpt-4o-mini-2024-07-18): later reservations are priced by it.
        self._served: dict[str, str] = {}
        self._reserved = 0.0
        self._holds = 0
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: LLMConfig) -> Ledger:
        """A ledger with the configuration's price table and budget."""
        return cls(config.prices, config.budget_usd)

    def cost(self, models: Iterable[str], prompt_tokens: int, completion_tokens: int
             ) -> tuple[float, bool]:
        """Cost of the tokens for the first of ``models`` with a price; (0, False) if none."""
        for model in models:
            price = find_price(self.prices, model)
            if price is not None:
                usd = (prompt_tokens * price.prompt + completion_tokens * price.completion) / 1e6
                return usd, True
        return 0.0, False

    def record(
        self,
        tag: CallTag,
        *,
        model: str,
        response_model: str = "",
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
        cached: bool = False,
        retries: int = 0,
        reask: bool = False,
        failed: bool = False,
        reservation: Reservation | None = None,
    ) -> CallRecord:
        """Record one call and release its ``reservation`` (in one step, so the cost is
        never counted twice nor missing). Priced by the requested model, then the
        server-reported one (an Azure deployment name is unknown, the model behind it
        is not)."""
        cost, priced = self.cost([model, response_model], prompt_tokens, completion_tokens)
        if cached:
            cost = 0.0
        rec = CallRecord(
            tag=tag, model=model, response_model=response_model, prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens, cached=cached, retries=retries, reask=reask,
            cost_usd=cost, priced=priced, failed=failed,
        )
        with self._lock:
            self._records.append(rec)
            self._by_event.setdefault(tag.event_id, []).append(rec)
            _add(self._total, rec)  # also what is spent: a cache hit costs 0
            if reservation is not None:
                self._release(reservation)
            if response_model:
                self._served[model] = response_model
            new_unpriced = not priced and not failed and model not in self._unpriced
            if new_unpriced:
                self._unpriced.add(model)
        if new_unpriced:
            log.warning("ledger: no price known for model %r; its cost is counted as 0", model)
        return rec

    def reserve(self, model: str, *, prompt_tokens: int, completion_tokens: int
                ) -> Reservation:
        """Hold the cost of a call of at most these tokens against the budget.

        Raises ``BudgetReservationError`` (and holds nothing) when spent plus reserved
        plus this call would exceed the budget. Without a budget nothing is refused.
        """
        with self._lock:
            served = self._served.get(model, "")
            usd = self.cost([model, served], prompt_tokens, completion_tokens)[0]
            if (self.budget_usd is not None
                    and self._total.cost_usd + self._reserved + usd > self.budget_usd):
                raise BudgetReservationError(self._total.cost_usd, self.budget_usd,
                                             held_usd=self._reserved, call_usd=usd)
            self._reserved += usd
            self._holds += 1
        return Reservation(usd)

    def release(self, reservation: Reservation) -> None:
        """Give a reservation back without recording a call (a cancelled call); a
        reservation already released or recorded is left alone."""
        with self._lock:
            self._release(reservation)

    def _release(self, reservation: Reservation) -> None:
        if reservation.released:
            return
        reservation.released = True
        self._holds -= 1
        # Back to exactly 0 when nothing is held: float sums drift by a few ulps.
        self._reserved = self._reserved - reservation.usd if self._holds else 0.0

    @property
    def reserved_usd(self) -> float:
        """Worst-case cost held by the calls in flight."""
        with self._lock:
            return self._reserved

    @property
    def spent_usd(self) -> float:
        """Total cost so far."""
        with self._lock:
            return self._total.cost_usd

    @property
    def records(self) -> list[CallRecord]:
        """A snapshot of the records."""
        with self._lock:
            return list(self._records)

    @property
    def unpriced_models(self) -> set[str]:
        """Models used for which no price was found (their cost counts as 0)."""
        with self._lock:
            return set(self._unpriced)

    def usage(self, *, event_id: str | None = None, article_id: str | None = None,
              purpose: str | None = None) -> Usage:
        """``Usage`` for the calls matching every given filter (none = the whole run)."""
        def keep(r: CallRecord) -> bool:
            return ((article_id is None or r.tag.article_id == article_id)
                    and (purpose is None or r.tag.purpose == purpose))
        with self._lock:
            if event_id is None and article_id is None and purpose is None:
                total = self._total.model_copy()
                total.cost_usd = round(total.cost_usd, 8)
                return total
            records = list(self._records if event_id is None
                           else self._by_event.get(event_id, ()))
        return summarize(r for r in records if keep(r))

    def _rollup(self, key: Callable[[CallRecord], str]) -> dict[str, Usage]:
        groups: dict[str, list[CallRecord]] = {}
        for r in self.records:
            groups.setdefault(key(r), []).append(r)
        return {name: summarize(recs) for name, recs in sorted(groups.items())}

    def per_event(self) -> dict[str, Usage]:
        """Usage per event id."""
        return self._rollup(lambda r: r.tag.event_id)

    def per_article(self) -> dict[str, Usage]:
        """Usage per article id (calls not tied to an article, e.g. reconcile, under "")."""
        return self._rollup(lambda r: r.tag.article_id)

    def report(self) -> dict[str, Any]:
        """The run's accounting as plain JSON-ready data."""
        records = self.records
        total = summarize(records)
        saved = sum(
            self.cost([r.model, r.response_model], r.prompt_tokens, r.completion_tokens)[0]
            for r in records if r.cached
        )
        return {
            "total": total.model_dump(),
            "failed_requests": sum(r.failed for r in records),
            "cache_saved_usd": round(saved, 8),
            "budget_usd": self.budget_usd,
            "unpriced_models": sorted(self.unpriced_models),
            "per_event": {k: v.model_dump() for k, v in self.per_event().items()},
            "per_article": {k: v.model_dump() for k, v in self.per_article().items()},
        }
