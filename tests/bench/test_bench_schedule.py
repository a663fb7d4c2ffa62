"""The benchmark's LLM-bound ideal (bench.schedule) on small hand-checked schedules, and
the table's targets (bench.report)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# bench/ is a top-level folder run with ``python -m bench``, not an installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bench.report import table
from bench.schedule import Scheduled, lower_bound_s, simulated_wall_s


def test_phases_follow_each_other_and_reasks_follow_their_request() -> None:
    # Extraction: chains 1 and 2 (chain 2 re-asked once); then reconcile rounds 1 and 2.
    sent = [Scheduled("e", 0, 1), Scheduled("e", 0, 2), Scheduled("e", 0, 2), Scheduled("e", 1, 3),
            Scheduled("e", 2, 4)]
    assert simulated_wall_s(sent, latency_s=1.0, concurrency=16) == 4.0
    assert lower_bound_s(sent, latency_s=1.0, concurrency=16) == 4.0


def test_concurrency_limit_spreads_requests() -> None:
    sent = [Scheduled(f"e{i % 2}", 0, i) for i in range(10)]
    assert simulated_wall_s(sent, latency_s=0.5, concurrency=4) == 1.5  # 3 waves
    assert lower_bound_s(sent, latency_s=0.5, concurrency=4) == 1.25


def test_a_late_phase_waits_for_free_slots() -> None:
    # Event a's reconcile request queues behind event b's extraction requests (FIFO).
    # 0-1 s: a1, b2; 1-2 s: b3, b4 (a's round came later); 2-3 s: a's round, one slot idle.
    sent = [Scheduled("a", 0, 1), *(Scheduled("b", 0, i) for i in range(2, 5)),
            Scheduled("a", 1, 9)]
    assert simulated_wall_s(sent, latency_s=1.0, concurrency=2) == pytest.approx(3.0)
    assert lower_bound_s(sent, latency_s=1.0, concurrency=2) == 2.5


def test_no_requests() -> None:
    assert simulated_wall_s([], latency_s=1.0, concurrency=4) == 0.0


def test_client_overhead_is_reported_without_a_target() -> None:
    overhead = {"1000w": {"articles": 60, "median_words": 1032, "median_ms": 7.5,
                          "p95_ms": 9.5}}
    scaling = {"2000": {"articles": 2000, "pairs": 1999000, "wall_s": 29.6,
                        "peak_rss_growth_mb": 63.3, "peak_rss_mb": 246.3, "groups": 1948}}
    lines = table({"overhead": overhead, "independence_scaling": scaling}).splitlines()
    row = next(line for line in lines if line.startswith("b. client overhead"))
    assert row.endswith("median 7.5 ms, p95 9.5 ms")  # no "< 5 ms", no "MISSED"
    row = next(line for line in lines if line.startswith("g. independence, 2000"))
    assert "peak memory +63 MB (1999000 pairs, 1948 groups)" in row
