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


def test_a_reask_follows_its_request() -> None:
    # Chain 2 is asked, then re-asked: two latencies one after the other.
    sent = [Scheduled("e", 1), Scheduled("e", 2), Scheduled("e", 2)]
    assert simulated_wall_s(sent, latency_s=1.0, concurrency=16) == 2.0
    assert lower_bound_s(sent, latency_s=1.0, concurrency=16) == 2.0


def test_concurrency_limit_spreads_requests() -> None:
    sent = [Scheduled(f"e{i % 2}", i) for i in range(10)]
    assert simulated_wall_s(sent, latency_s=0.5, concurrency=4) == 1.5  # 3 waves
    assert lower_bound_s(sent, latency_s=0.5, concurrency=4) == 1.25


def test_a_reask_waits_for_a_free_slot() -> None:
    # 0-1 s: a1 and b2; 1-2 s: b3 and b4 (a1's re-ask came later, FIFO); 2-3 s: the re-ask.
    sent = [Scheduled("a", 1), *(Scheduled("b", i) for i in range(2, 5)), Scheduled("a", 1)]
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
