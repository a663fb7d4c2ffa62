"""What the fake server does wrong: fault names, the deterministic choice of a fault per
request and attempt, and answer content corrupted as a content fault says.

A request is identified by the canonical JSON of its body; the n-th arrival of the same
request is its attempt n (a retry resends the same body; a re-ask is a new body because
the conversation grew). With ``FaultConfig.script`` attempt n gets ``script[n-1]`` (then
"ok"); with ``cycle`` the first attempts of successive new requests take the cycle's
faults in turn; otherwise attempts up to ``faulty_attempts`` draw a fault with the
configured probabilities from a seeded hash of (seed, request, attempt). The same inputs
always meet the same faults, whatever the timing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from factsum.testing.fake_answers import answer_for

TRANSPORT_FAULTS = ("429", "500", "503", "timeout", "drop")
CONTENT_FAULTS = ("malformed", "schema", "invented_number", "empty")
FAULTS = (*TRANSPORT_FAULTS, *CONTENT_FAULTS)
"""Every fault name, in the order probabilities are stacked."""

INVENTED_NUMBER = " Officials said 9999 drones were shot down."
MALFORMED_CONTENT = 'Sure! Here is the JSON you asked for: {"t": '


@dataclass(frozen=True)
class FaultConfig:
    """What the server does wrong, and how slow it is. Deterministic for a given seed."""

    rates: Mapping[str, float] = field(default_factory=dict)
    """Fault name -> probability per eligible attempt (the sum must be <= 1)."""
    script: Sequence[str] = ()
    """If given: attempt n of every request gets ``script[n-1]`` ("ok" = no fault)."""
    cycle: Sequence[str] = ()
    """If given: the first attempt of the n-th distinct request to arrive gets
    ``cycle[n % len(cycle)]``; exact fault counts whatever the requests (which request
    gets which fault then depends on arrival order)."""
    seed: int = 0
    faulty_attempts: int = 1
    """Attempts of one request that may draw a fault (with ``rates``); later ones succeed."""
    fault_reasks: bool = False
    """Allow content faults on re-asks (off: a re-ask is answered well)."""
    latency_s: float = 0.0
    latency_per_token_s: float = 0.0
    """Extra seconds per completion token (generation speed)."""
    retry_after_s: float = 0.05
    """Sent with 429 as ``retry-after-ms`` and (rounded up) ``retry-after``."""
    hold_s: float = 5.0
    """How long a "timeout" fault holds the connection before closing it unanswered."""

    def __post_init__(self) -> None:
        unknown = sorted(set(self.rates) - set(FAULTS))
        unknown += sorted(set(self.script) - {*FAULTS, "ok"})
        unknown += sorted(set(self.cycle) - {*FAULTS, "ok"})
        if unknown:
            raise ValueError(f"unknown fault(s) {unknown}; known: ok, {', '.join(FAULTS)}")
        if any(p < 0 for p in self.rates.values()) or sum(self.rates.values()) > 1 + 1e-9:
            raise ValueError("fault rates must be >= 0 and sum to at most 1")

    @classmethod
    def parse(cls, spec: str, **options: Any) -> FaultConfig:
        """``"429=0.2,500=0.05,timeout=0.02"`` (``5xx=p`` splits p over 500 and 503)."""
        rates: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"fault {part!r}: expected name=probability")
            names = ("500", "503") if name == "5xx" else (name,)
            for n in names:
                rates[n] = rates.get(n, 0.0) + float(value) / len(names)
        return cls(rates=rates, **options)

    def choose(self, body_hash: str, attempt: int, kind: str, reask: bool,
               arrival: int = 0) -> str:
        """The fault for attempt ``attempt`` of the request with hash ``body_hash`` (the
        ``arrival``-th distinct request, from 0)."""
        if self.script:
            fault = self.script[attempt - 1] if attempt <= len(self.script) else "ok"
        elif self.cycle:
            fault = self.cycle[arrival % len(self.cycle)] if attempt == 1 else "ok"
        elif attempt > self.faulty_attempts:
            fault = "ok"
        else:
            fault = self._draw(body_hash, attempt)
        return fault if _applies(fault, kind, reask, self.fault_reasks) else "ok"

    def _draw(self, body_hash: str, attempt: int) -> str:
        seed = f"{self.seed}\0{body_hash}\0{attempt}".encode()
        u = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big") / 2.0**64
        edge = 0.0
        for name in FAULTS:
            edge += self.rates.get(name, 0.0)
            if u < edge:
                return name
        return "ok"

    def latency_for(self, completion_tokens: int) -> float:
        """Seconds a successful answer of ``completion_tokens`` tokens takes."""
        return self.latency_s + self.latency_per_token_s * completion_tokens


def _applies(fault: str, kind: str, reask: bool, fault_reasks: bool) -> bool:
    if fault in CONTENT_FAULTS and reask and not fault_reasks:
        return False
    if fault in CONTENT_FAULTS:
        return kind == "extract"
    return True


def answer_content(payload: Mapping[str, Any], fault: str) -> str:
    """The answer text, corrupted as the content fault ``fault`` says ("ok": none).

    ``invented_number`` adds a figure the sentence does not state to the statement (the
    checks in code must list it as not verified); ``empty`` answers an empty statement
    (the answer fails validation: re-asked).
    """
    if fault == "malformed":
        return MALFORMED_CONTENT
    answer: dict[str, Any] = json.loads(answer_for(payload))
    if fault == "schema":
        return json.dumps({"result": answer, "confidence": "high"}, ensure_ascii=False)
    if fault == "invented_number" and "t" in answer:
        answer["t"] += INVENTED_NUMBER
    elif fault == "empty" and "t" in answer:
        answer["t"] = ""
    return json.dumps(answer, ensure_ascii=False)
